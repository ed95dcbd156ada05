"""On the embedded database, writers queue on a file lock instead of SQLite's sleep-and-retry
(config/sqlite/base.py): a second writer waits for the first one's commit and then goes in."""
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is the SQLite engine's"),
]


def _in_thread(target, errors):
    def run():
        try:
            # SQLite's own wait off: without the file lock, the second writer would be refused at once.
            connection.cursor().execute("PRAGMA busy_timeout = 0")
            target()
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()
    return threading.Thread(target=run)


def test_a_second_writer_waits_for_the_first_ones_commit_instead_of_being_refused():
    User = get_user_model()
    first_in, let_go, order, errors = threading.Event(), threading.Event(), [], []

    def first():
        with transaction.atomic():
            User.objects.create(username="first")
            order.append("first in")
            first_in.set()
            let_go.wait(10)
            order.append("first commits")

    def second():
        first_in.wait(10)
        with transaction.atomic():
            order.append("second in")
            User.objects.create(username="second")

    threads = [_in_thread(first, errors), _in_thread(second, errors)]
    for thread in threads:
        thread.start()
    first_in.wait(10)
    time.sleep(0.2)  # time for the second writer to reach the lock (the order below holds either way)
    let_go.set()
    for thread in threads:
        thread.join(20)
    assert not errors
    assert order == ["first in", "first commits", "second in"]
    assert set(User.objects.values_list("username", flat=True)) >= {"first", "second"}


def test_a_failed_transaction_lets_the_next_writer_in():
    User = get_user_model()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        User.objects.create(username="rolled-back")
        1 / 0
    errors = []

    def after():
        with transaction.atomic():
            User.objects.create(username="after")

    writer = _in_thread(after, errors)
    writer.start()
    writer.join(10)
    assert not writer.is_alive() and not errors
    assert list(User.objects.values_list("username", flat=True)) == ["after"]
