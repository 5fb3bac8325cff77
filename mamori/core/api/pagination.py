"""API pagination: limit/offset, with an upper bound on limit."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's, with a ceiling on `limit`: without one, `?limit=10**21` overflows the SQL LIMIT
    (OverflowError on SQLite, out of range on PostgreSQL) and the request ends in a 500."""

    max_limit = 1000
