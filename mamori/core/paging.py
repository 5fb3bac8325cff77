"""Pages of a long register read in two steps: the ids of the page, then the page's rows.

A page deep in a sorted list (page 7,000 of the acknowledgements, offset 350,000 in the API)
makes the database walk every row before it. Walked as ids alone, that walk reads the index
of the sort (or the bare table) and nothing else; the rows' related objects (select_related
joins, annotations) are then read for the fifty ids of the page only, instead of for every
row skipped. The first page costs one more query; a deep one costs a fraction of what it
did ("deferred join"). Counts are unchanged: they count the same filtered rows.

A page nearer the end than the start is read backwards (the order reversed, the ids of the
page then turned round): the last page costs what the first does. The order is total (a
tiebreak makes it so), so read backwards it is exactly the mirror image. Pages in the middle
of a list sorted by another table's column (assets by department) still walk half the list.
"""

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connections


def _identifies(model, name: str) -> bool:
    """Whether column `name` of `model` tells every row apart (unique, never empty)."""
    if name == "pk":
        return True
    if "__" in name:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.concrete and (field.primary_key or (field.unique and not field.null))


def tiebreak_column(model) -> str:
    """The column that breaks ties: the model's own order when that is a column telling rows
    apart (an asset's code, a person's staff number), otherwise the id. Indexes on (column,
    code) then serve both a filter on the column listed by code and a sort by the column."""
    first = (model._meta.ordering or ["pk"])[0]
    name = first.lstrip("-") if isinstance(first, str) else "pk"
    return name if _identifies(model, name) else "pk"


def with_tiebreak(model, *ordering: str) -> tuple[str, ...]:
    """`ordering`, then the tiebreak column in the direction of its last column, so that rows
    with equal values keep one order from page to page and an index on (column, tiebreak)
    serves the order read forwards or backwards (a tiebreak against the sort's direction
    needs a sort step). A column that tells rows apart needs no tiebreak, and gets none, so
    that its own unique index serves the order alone."""
    last = ordering[-1]
    if _identifies(model, last.lstrip("-")):
        return ordering
    tiebreak = tiebreak_column(model)
    return (*ordering, f"-{tiebreak}" if last.startswith("-") else tiebreak)


def rows_in_order(queryset, ids) -> list:
    """The rows of `queryset` with these ids, in the ids' order. A row deleted between the
    two reads is left out (the page shows one row fewer, not an error)."""
    ids = list(ids)
    if not ids:
        return []
    found = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def page_ids(queryset):
    """The ids of `queryset` in its order (its order_by is kept, its joins only if the
    filter or the order needs them)."""
    return queryset.values_list("pk", flat=True)


# On PostgreSQL, a list of at most this many rows has all its ids read (in order) and the
# page cut from them here. With a LIMIT, the planner bets that walking the index of the sort
# finds the page's rows early, assuming the matches are spread evenly along it; when they
# cluster far along (a search for "CORE" matching assets whose codes are IT-CORE-…, 120,000
# rows into the code order) the walk reads most of the table: 150-200 ms at 200,000 assets.
# Without a LIMIT it fetches the matches (a trigram index here) and sorts them: 10 ms for
# 3,600. Ten thousand ids are a few milliseconds to read whichever way the database finds
# them. SQLite's planner does not weigh the LIMIT (it walks the index of the sort either
# way), so there a LIMIT only ever stops the walk sooner.
READ_WHOLE = 10_000


def slice_ids(ids, start: int, stop: int, count: int) -> list:
    """ids[start:stop] of the ordered `ids` queryset (of `count` rows): read whole when the
    list is short (READ_WHOLE, on PostgreSQL), otherwise from whichever end is nearer."""
    if count <= READ_WHOLE and connections[ids.db].vendor == "postgresql":
        return list(ids.all())[start:stop]  # .all(): not cached on the paginator
    if start > count - stop:
        return list(ids.reverse()[max(count - stop, 0):count - start])[::-1]
    return list(ids[start:stop])


class IdPaginator(Paginator):
    """A Paginator over a queryset that slices the ids, from the nearer end, and reads the
    rows of the page."""

    def __init__(self, queryset, per_page, rows=None, **kwargs):
        """`rows`: where the page's rows are read from by id, when reading them through
        `queryset` again would repeat a costly condition that chose the ids (the people
        who have not acknowledged: a NOT IN over every acknowledgement)."""
        super().__init__(page_ids(queryset), per_page, **kwargs)
        self.rows = queryset if rows is None else rows

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = start + self.per_page
        if stop + self.orphans >= self.count:
            stop = self.count
        ids = slice_ids(self.object_list, start, stop, self.count)
        return Page(rows_in_order(self.rows, ids), number, self)
