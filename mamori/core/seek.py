"""Pages of a very long list by position ("seek" or keyset pagination) instead of by number.

A numbered page N is `OFFSET 50 × N` after a `COUNT(*)`: both read every row before the page,
so the change log's last page at 5 million entries took seconds (issue 15). A seek page is
"the 50 entries older than #4,999,951": one range scan on the key's index, as fast for the
oldest page as for the newest. What is lost is the page number and the total, which a log
reader does not need; the navigation is newest, newer, older and oldest.

The key is a unique, ordered column (the change log's `seq`); rows are shown newest first.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.forms import IntegerField

PAGE_SIZE = 50
BEFORE, AFTER = "before", "after"  # the query parameters: older than / newer than a key


@dataclass
class SeekPage:
    object_list: list
    older: int | None = None  # the key to ask `before=` for the next older page, if any
    newer: int | None = None  # the key to ask `after=` for the next newer page, if any
    at_newest: bool = True
    at_oldest: bool = True


def key_param(params, name) -> int | None:
    """A key given in the query string; a malformed one counts as none (the newest page)."""
    try:
        return IntegerField(min_value=0, max_value=2**63 - 1, required=False).clean(
            params.get(name))
    except ValidationError:
        return None


def seek_page(queryset, key: str, params, size: int = PAGE_SIZE) -> SeekPage:
    """The page of `queryset` that `params` (`before=K` or `after=K`) asks for, newest first by
    `key`. Three short index reads at most, whatever the length of the list."""
    before, after = key_param(params, BEFORE), key_param(params, AFTER)
    if after is not None:
        rows = list(queryset.filter(**{f"{key}__gt": after}).order_by(key)[:size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        page = SeekPage(rows, at_newest=not more_newer)
        if rows:
            page.newer = getattr(rows[0], key) if more_newer else None
            page.older = _older_than(queryset, key, getattr(rows[-1], key))
        page.at_oldest = page.older is None
        return page
    older_ones = queryset if before is None else queryset.filter(**{f"{key}__lt": before})
    rows = list(older_ones.order_by(f"-{key}")[:size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    page = SeekPage(rows, at_oldest=not more_older)
    if rows:
        page.older = getattr(rows[-1], key) if more_older else None
        if before is not None:
            page.newer = _newer_than(queryset, key, getattr(rows[0], key))
    page.at_newest = page.newer is None and before is None
    return page


def _older_than(queryset, key, value):
    return value if queryset.filter(**{f"{key}__lt": value}).exists() else None


def _newer_than(queryset, key, value):
    return value if queryset.filter(**{f"{key}__gt": value}).exists() else None
