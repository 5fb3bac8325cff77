"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core.filtersets import ScopedFilterSet, related_by_id


class LegalSourceFilterSet(ScopedFilterSet):
    class Meta:
        model = LegalSource
        fields = ["kind", "jurisdiction"]


class SourceVersionFilterSet(ScopedFilterSet):
    source = related_by_id(SourceVersion, "source")
    upcoming = django_filters.BooleanFilter(method="filter_upcoming",
                                            label=_("Not yet in force"))

    class Meta:
        model = SourceVersion
        fields = ["source", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        if value is None:
            return queryset
        return queryset.filter(effective_on__gt=today) if value else queryset.filter(
            effective_on__lte=today)


class ObligationFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    source = related_by_id(Obligation, "source")

    class Meta:
        model = Obligation
        fields = ["source", "applicability", "department"]

    def search(self, queryset, name, value):
        # Ten thousand obligations at most: compared row by row, no search index needed.
        return queryset.filter(Q(code__icontains=value) | Q(title_ja__icontains=value)
                               | Q(title_en__icontains=value) | Q(article__icontains=value))


class EvaluationFilterSet(ScopedFilterSet):
    obligation = related_by_id(Evaluation, "obligation")

    class Meta:
        model = Evaluation
        fields = ["obligation", "result"]


class ComplianceExceptionFilterSet(ScopedFilterSet):
    obligation = related_by_id(ComplianceException, "obligation")

    class Meta:
        model = ComplianceException
        fields = ["obligation"]


class ImpactAssessmentFilterSet(ScopedFilterSet):
    amendment = related_by_id(ImpactAssessment, "amendment")
    obligation = related_by_id(ImpactAssessment, "obligation")

    class Meta:
        model = ImpactAssessment
        fields = ["amendment", "obligation", "status"]


class RegulatoryActionFilterSet(ScopedFilterSet):
    class Meta:
        model = RegulatoryAction
        fields = ["kind", "status", "department"]
