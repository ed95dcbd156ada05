"""Retrying a write transaction that SQLite refused with "database is locked".

SQLite has one writer at a time. The busy timeout (settings: 30 s) makes a transaction wait for
the write lock; what is still refused (a lock held past it, a lock SQLite will not wait for) is
an OperationalError after which the transaction rolled back whole. Running it again is safe,
and the label it stores is stored once; when every attempt is refused, the caller hears 503 with
Retry-After (QueueBusy): nothing was stored, and the client repeats the request.
"""
import random
import time
from functools import wraps

from django.db import OperationalError, transaction

from ..errors import QueueBusy

ATTEMPTS = 3
BACKOFF_SECONDS = 0.05


def _locked(exc) -> bool:
    return "database is locked" in str(exc)


def retry_when_locked(function):
    """Run `function`, a service that opens its own transaction, again when the database was locked.

    Only outermost: inside a caller's transaction the refusal rolled back the caller's work too, so
    only the caller may repeat it (the error goes on unchanged).
    """

    @wraps(function)
    def run(*args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            return function(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return function(*args, **kwargs)
            except OperationalError as exc:
                if not _locked(exc):
                    raise
                if attempt == ATTEMPTS:
                    raise QueueBusy("The database is busy; nothing was stored. Try again in a moment.") from exc
            time.sleep(BACKOFF_SECONDS * attempt * (1 + random.random()))  # spread the retries apart

    return run
