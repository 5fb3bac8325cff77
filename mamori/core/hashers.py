"""argon2id with a bound on how many hashes one process computes at once.

Each argon2id hash takes about 100 MiB and a fifth of a second of CPU. A rush of logins would
otherwise run them all at once in every thread: memory grows with the number of threads and
every login slows down together until requests time out. With the bound, logins beyond it wait
for a slot (in the request's own thread), so a rush turns into a queue whose memory stays at
`MAMORI_HASH_CONCURRENCY` × 100 MiB per worker process.

The algorithm name and parameters are Django's, so existing hashes verify unchanged.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def hash_slots() -> threading.BoundedSemaphore:
    size = max(1, int(getattr(settings, "MAMORI_HASH_CONCURRENCY", 1)))
    with _lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextmanager
def hashing_slot():
    slots = hash_slots()
    with slots:
        yield


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    def encode(self, password, salt):
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot():
            return super().verify(password, encoded)
