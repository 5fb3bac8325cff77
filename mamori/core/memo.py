"""Reads that a long batch of saves would repeat row by row, made once for the batch.

An import checks and saves thousands of records whose rules read the same few rows each time
(an asset's clean() and save() read the asset settings and the classification levels: three
queries per row). Inside `remembering()` such a read (`remembered(model, name, read)`) is made
once and its result kept until the block ends or a record of `model` is written (audit's save
and bulk writes call `forget`), so a batch that changes the settings themselves reads them
again. Outside the block every call reads, as before.

The check and the write transaction of an import each open their own block: the write sees
the settings as they are once it holds the write lock, not as they were during the check.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("mamori_memo", default=None)


@contextmanager
def remembering():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(model, name: str, read):
    """`read()`, once per block for (`model`, `name`)."""
    memo = _memo.get()
    if memo is None:
        return read()
    key = (model, name)
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget(model) -> None:
    """A record of `model` was written: what was remembered about it is read again."""
    memo = _memo.get()
    if memo:
        for key in [key for key in memo if key[0] is model]:
            del memo[key]
