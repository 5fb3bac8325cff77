"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, related_by_id
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
    ReviewSettings,
)


class MeasureFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    computed = django_filters.BooleanFilter(method="filter_computed",
                                            label=_("Computed by Mamori"))
    owner = related_by_id(Measure, "owner")

    class Meta:
        model = Measure
        fields = ["active", "frequency", "unit", "by_department", "owner"]

    def search(self, queryset, name, value):
        # A few dozen measures: compared row by row, no search index needed.
        return queryset.filter(Q(code__icontains=value) | Q(title_ja__icontains=value)
                               | Q(title_en__icontains=value))

    def filter_computed(self, queryset, name, value):
        return queryset.exclude(builtin="") if value else queryset.filter(builtin="")


class MeasurementFilterSet(ScopedFilterSet):
    measure = related_by_id(Measurement, "measure")
    company = django_filters.BooleanFilter(
        method="filter_company", label=_("Whole company"))
    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte",
                                            label=_("Period from"))
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte",
                                          label=_("Period to"))

    class Meta:
        model = Measurement
        fields = ["measure", "department", "computed"]

    def filter_company(self, queryset, name, value):
        return queryset.filter(department__isnull=value)


class ObjectiveFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    owner = related_by_id(Objective, "owner")
    late = django_filters.BooleanFilter(method="filter_late", label=_("Past its target date"))

    class Meta:
        model = Objective
        fields = ["status", "department", "owner"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def filter_late(self, queryset, name, value):
        late = Objective.objects.late_q()
        return queryset.filter(late) if value else queryset.exclude(late)


class ManagementReviewFilterSet(ScopedFilterSet):
    chair = related_by_id(ManagementReview, "chair")
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte",
                                          label=_("Meeting from"))
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte",
                                        label=_("Meeting until"))

    class Meta:
        model = ManagementReview
        fields = ["status", "chair"]


class ReviewDecisionFilterSet(ScopedFilterSet):
    review = related_by_id(ReviewDecision, "review")
    owner = related_by_id(ReviewDecision, "owner")

    class Meta:
        model = ReviewDecision
        fields = ["review", "kind", "department", "owner"]


class ReviewPackFilterSet(ScopedFilterSet):
    review = related_by_id(ReviewPack, "review")

    class Meta:
        model = ReviewPack
        fields = ["review"]


class ReviewSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = ReviewSettings
        fields = ["interval_months"]
