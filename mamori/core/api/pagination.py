"""API pagination: limit/offset, with an upper bound on limit."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's, with a ceiling on `limit`: without one, `?limit=10**21` overflows the SQL LIMIT
    (OverflowError on SQLite, out of range on PostgreSQL) and the request ends in a 500."""

    max_limit = 1000


class ChangeLogPagination(LimitOffsetPagination):
    """The change log's total without counting millions of rows: its entries are numbered
    1, 2, 3… without a gap (a gap fails the chain check, core.changelog.verify), so the whole
    log has as many entries as its highest number, one index read. A filtered list is counted.
    A client reading the whole log walks it with `after_seq` instead of deep offsets."""

    def get_count(self, queryset):
        if queryset.query.is_empty():
            return 0
        if not queryset.query.where:
            return queryset.order_by("-seq").values_list("seq", flat=True).first() or 0
        return super().get_count(queryset)
