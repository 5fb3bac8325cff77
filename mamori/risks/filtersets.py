"""One filterset per model, shared by the list page, the heat map and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import (
    ScopedFilterSet,
    VisibleIdFilter,
    WholeNumberFilter,
    related_by_id,
)
from mamori.core.search_indexes import contains_any
from mamori.risks.models import (
    Risk,
    RiskAcceptance,
    RiskBand,
    RiskMethodology,
    Threat,
)


class ThreatFilterSet(ScopedFilterSet):
    class Meta:
        model = Threat
        fields = ["harms"]


class RiskBandFilterSet(ScopedFilterSet):
    class Meta:
        model = RiskBand
        fields = ["min_score"]


class RiskMethodologyFilterSet(ScopedFilterSet):
    class Meta:
        model = RiskMethodology
        fields = ["size"]


class RiskFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    above_appetite = django_filters.BooleanFilter(method="filter_above_appetite",
                                                  label=_("Above the appetite"))
    accepted = django_filters.BooleanFilter(method="filter_accepted",
                                            label=_("Accepted (in force)"))
    asset = VisibleIdFilter(field_name="assets", label=_("Asset"))
    control = VisibleIdFilter(field_name="controls", label=_("Control"))
    owner = related_by_id(Risk, "owner")
    residual_likelihood = WholeNumberFilter(label=_("residual likelihood"))
    residual_impact = WholeNumberFilter(label=_("residual impact"))

    class Meta:
        model = Risk
        fields = ["threat", "department", "owner", "status", "treatment", "likelihood",
                  "impact"]

    def search(self, queryset, name, value):
        return contains_any(queryset, Risk.SEARCHED, value)

    def filter_above_appetite(self, queryset, name, value):
        appetite = RiskMethodology.current().appetite
        q = Q(current_score__gt=appetite)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_accepted(self, queryset, name, value):
        in_force = RiskAcceptance.objects.in_force().filter(risk=OuterRef("pk"))
        return queryset.filter(Exists(in_force) if value else ~Exists(in_force))


class RiskAcceptanceFilterSet(ScopedFilterSet):
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_("In force"))
    risk = related_by_id(RiskAcceptance, "risk")
    accepted_by = related_by_id(RiskAcceptance, "accepted_by")

    class Meta:
        model = RiskAcceptance
        fields = ["risk", "accepted_by"]

    def filter_in_force(self, queryset, name, value):
        ids = RiskAcceptance.objects.in_force().values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
