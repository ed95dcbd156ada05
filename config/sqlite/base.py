"""Django's SQLite backend, with write transactions that queue on a file lock.

SQLite lets one writer in at a time. A writer it refuses sleeps and tries again on a fixed schedule
(1, 2, 5, ... up to 100 ms between tries), so in a crowd a writer keeps missing the moments the
lock is free while others get in: at 50 annotators the web server sat half idle while `next` and
`submit` waited seconds. Here every write transaction (settings: BEGIN IMMEDIATE, so every
transaction) first takes an exclusive flock on a file beside the database. The kernel hands it
to a waiter the moment it is released, across the web server's threads and processes and the
workers alike; the process's other threads run meanwhile (the wait releases the GIL), and a
process that dies holding it releases it.

Transactions stay short (the queue's are a few statements; batches of the model loop and of
imports are their own transactions), so a wait is short. SQLite's own busy timeout still
covers statements outside a transaction.
"""
import fcntl

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    write_lock = None  # this connection's handle on the lock file, opened at its first transaction

    def _start_transaction_under_autocommit(self):
        if not self.is_in_memory_db():
            if self.write_lock is None:
                self.write_lock = open(f"{self.settings_dict['NAME']}.write-lock", "a")  # noqa: SIM115 (kept open)
            fcntl.flock(self.write_lock, fcntl.LOCK_EX)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            super()._close()
        finally:
            if self.write_lock is not None:
                self.write_lock.close()  # closing releases the lock too
                self.write_lock = None

    def _release_write_lock(self):
        if self.write_lock is not None:
            fcntl.flock(self.write_lock, fcntl.LOCK_UN)
