"""API pagination: limit/offset, with an upper bound on limit."""

from django.db.models import QuerySet
from rest_framework import pagination

from mamori.core.paging import page_ids, rows_in_order, slice_ids


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's, with a ceiling on `limit`: without one, `?limit=10**21` overflows the SQL LIMIT
    (OverflowError on SQLite, out of range on PostgreSQL) and the request ends in a 500.

    The page is read as ids first, from the nearer end of the list, then as rows
    (core.paging): a deep offset walks ids, not rows with their related objects."""

    max_limit = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if not isinstance(queryset, QuerySet):  # a list built in Python: sliced as it is
            return super().paginate_queryset(queryset, request, view)
        # What DRF's own method does, but for the read of the page itself.
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:  # no limit asked for and none by default: the whole list
            return None
        self.count = self.get_count(queryset)
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        stop = min(self.offset + self.limit, self.count)
        return rows_in_order(queryset, slice_ids(page_ids(queryset), self.offset, stop,
                                                 self.count))


class ChangeLogPagination(LimitOffsetPagination):
    """The change log's total without counting millions of rows: its entries are numbered
    1, 2, 3… without a gap (a gap fails the chain check, core.changelog.verify), so the whole
    log has as many entries as its highest number, and a walk by position (`before_seq`,
    `after_seq` and nothing else) as many as its bounds enclose: one index read either way.
    Other filters are counted. A client reading the whole log walks it with `after_seq`
    instead of deep offsets."""

    POSITIONS = {"before_seq", "after_seq"}
    NOT_FILTERS = {"limit", "offset", "ordering", "format"}

    def get_count(self, queryset):
        if queryset.query.is_empty():
            return 0
        given = {name for name, value in self.request.query_params.items() if value != ""}
        if not queryset.query.where or given - self.NOT_FILTERS <= self.POSITIONS:
            newest = queryset.model.objects.order_by("-seq").values_list(
                "seq", flat=True).first() or 0
            if not queryset.query.where:
                return newest
            after = self.position("after_seq", 0)
            before = self.position("before_seq", newest + 1)
            return max(0, min(before - 1, newest) - max(after, 0))
        return super().get_count(queryset)

    def position(self, name, default: int) -> int:
        # Already validated by the filter (a whole number within range) when it is given.
        value = self.request.query_params.get(name)
        return int(value) if value not in (None, "") else default
