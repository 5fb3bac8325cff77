"""core.counters: next numbers under simultaneous writers, on the database in use."""

import pytest

from mamori.core.counters import next_number
from mamori.core.models import Counter
from mamori.core.testing import concurrent_writes_possible, run_at_once

THREADS, PER_THREAD = 6, 15


@pytest.mark.django_db(transaction=True)
def test_threads_taking_numbers_at_once_never_share_one():
    concurrent_writes_possible()
    taken: list[int] = []

    def take(n: int):
        for _ in range(PER_THREAD):
            taken.append(next_number("test.series"))

    assert run_at_once(take, THREADS) == []
    assert sorted(taken) == list(range(1, THREADS * PER_THREAD + 1))


@pytest.mark.django_db
def test_the_floor_is_read_under_the_lock_and_never_undercut():
    assert next_number("test.floor", lambda: 41) == 42
    assert next_number("test.floor", lambda: 0) == 43  # records deleted: no number reused
    assert next_number("test.floor", lambda: 99) == 100  # a number typed by hand is passed
    assert Counter.objects.get(name="test.floor").value == 100


@pytest.mark.django_db
def test_series_are_independent():
    assert next_number("test.a") == 1
    assert next_number("test.b") == 1
    assert next_number("test.a") == 2
