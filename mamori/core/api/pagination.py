"""API pagination: limit/offset, with an upper bound on limit."""

import datetime

from django import forms
from django.db.models import QuerySet, Sum
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
        known = view.known_count() if hasattr(view, "known_count") else None
        self.count = self.get_count(queryset) if known is None else known
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        stop = min(self.offset + self.limit, self.count)
        return rows_in_order(queryset, slice_ids(page_ids(queryset), self.offset, stop,
                                                 self.count))


class ChangeLogPagination(LimitOffsetPagination):
    """The change log's pages without counting or walking millions of rows: its entries are
    numbered 1, 2, 3… without a gap (a gap fails the chain check, core.changelog.verify), and
    a range of days is a range of numbers (core.changelog.first_entry_from). So a list whose
    only filters are positions (`before_seq`, `after_seq`) and days (`since`, `until`) holds
    exactly the entries its bounds enclose: its count is a subtraction and the page at any
    offset a range of numbers, in either order by number. Other filters and orders are
    counted and paged as every list is."""

    POSITIONS = {"before_seq", "after_seq", "since", "until"}
    TALLIED = ("model", "action", "source")
    NOT_FILTERS = {"limit", "offset", "ordering", "format"}
    BY_NUMBER = {"": False, "-seq": False, "seq": True}  # ordering -> ascending

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        bounds = self.bounds(queryset)
        ascending = self.BY_NUMBER.get(request.query_params.get("ordering", ""))
        if bounds is None or ascending is None or self.get_limit(request) is None:
            return super().paginate_queryset(queryset, request, view)
        after, before = bounds
        self.limit = self.get_limit(request)
        self.count = max(0, before - after - 1)
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if ascending:
            low = after + 1 + self.offset
            high = min(before - 1, low + self.limit - 1)
        else:
            high = before - 1 - self.offset
            low = max(after + 1, high - self.limit + 1)
        if low > high:
            return []
        # The page is read from the view's own (scoped, unfiltered) entries: the filters'
        # bounds are in low..high already, and next to them SQLite's planner took `seq >
        # after_seq` for the range's start and walked 2.5 million entries to reach the page.
        entries = queryset if view is None else view.get_queryset()
        return list(entries.filter(seq__gte=low, seq__lte=high).order_by(
            "seq" if ascending else "-seq"))

    def get_count(self, queryset):
        bounds = self.bounds(queryset)
        if bounds is not None:
            after, before = bounds
            return max(0, before - after - 1)
        tallied = self.tallied_count(queryset)
        return super().get_count(queryset) if tallied is None else tallied

    def tallied_count(self, queryset) -> int | None:
        """The count of a list filtered by tallied columns alone, from the tallies; else
        None. Such a list holds every entry of its tallies (a reader of the change log reads
        all of it, core.models.ChangeLogEntry.scope)."""
        from mamori.core.models import ChangeLogTally

        given = {name: value for name, value in self.request.query_params.items()
                 if value != ""}
        if set(given) - self.NOT_FILTERS - set(self.TALLIED):
            return None
        tallies = ChangeLogTally.objects.using(queryset.db).filter(
            **{name: given[name] for name in self.TALLIED if name in given})
        return tallies.aggregate(total=Sum("entries"))["total"] or 0

    def bounds(self, queryset):
        """(after, before): the list's entries are exactly those numbered between the two
        (both excluded), when its filters allow knowing so; else None."""
        from mamori.core.changelog import first_entry_from
        from mamori.core.filtersets import day_starts

        if queryset.query.is_empty():
            return (0, 1)
        given = {name for name, value in self.request.query_params.items() if value != ""}
        if given - self.NOT_FILTERS - self.POSITIONS:
            return None
        newest = queryset.model.objects.order_by("-seq").values_list(
            "seq", flat=True).first() or 0
        after = max(self.position("after_seq", 0), 0)
        before = min(self.position("before_seq", newest + 1), newest + 1)
        for name, days in (("since", 0), ("until", 1)):
            day = self.day(name)
            if day is None:
                continue
            first = first_entry_from(day_starts(day + datetime.timedelta(days=days)),
                                     queryset.db)
            if first is None:
                return None  # a day within a part of the log whose times are not in order
            if name == "since":
                after = max(after, first - 1)
            else:
                before = min(before, first)
        return after, before

    def position(self, name, default: int) -> int:
        # Already validated by the filter (a whole number within range) when it is given.
        value = self.request.query_params.get(name)
        return int(value) if value not in (None, "") else default

    def day(self, name):
        # Already validated by the filter too; read as it reads it.
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return None
        try:
            return forms.DateField().clean(value)
        except forms.ValidationError:
            return None
