"""Pages of a long register read in two steps: the ids of the page, then the page's rows.

A page deep in a sorted list (page 7,000 of the acknowledgements, offset 350,000 in the API)
makes the database walk every row before it. Walked as ids alone, that walk reads the index
of the sort (or the bare table) and nothing else; the rows' related objects (select_related
joins, annotations) are then read for the fifty ids of the page only, instead of for every
row skipped. The first page costs one more query; a deep one costs a fraction of what it
did ("deferred join"). Counts are unchanged: they count the same filtered rows.
"""

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator


def with_tiebreak(model, *ordering: str) -> tuple[str, ...]:
    """`ordering`, then the id in the direction of its last column, so that rows with equal
    values keep one order from page to page. An index on (column, id) then serves the order
    read forwards or backwards (a tiebreak against the sort's direction needs a sort step);
    a column that is unique and never empty needs no tiebreak, and gets none, so that its
    own unique index serves the order alone."""
    last = ordering[-1]
    name = last.lstrip("-")
    if name == "pk":
        return ordering
    if "__" not in name:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and field.concrete and field.unique and not field.null:
            return ordering
    return (*ordering, "-pk" if last.startswith("-") else "pk")


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


class IdPaginator(Paginator):
    """A Paginator over a queryset that slices the ids and reads the rows of the page."""

    def __init__(self, queryset, per_page, **kwargs):
        super().__init__(page_ids(queryset), per_page, **kwargs)
        self.rows = queryset

    def _get_page(self, object_list, number, paginator):
        return Page(rows_in_order(self.rows, object_list), number, paginator)
