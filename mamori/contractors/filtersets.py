"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    PortalLink,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.core.filtersets import ScopedFilterSet, related_by_id
from mamori.core.search_indexes import contains_any


class ContractorFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Contractor
        fields = ["department", "status", "tier", "personal_data", "card_data",
                  "sensitive_data", "system_access", "country"]

    def search(self, queryset, name, value):
        return contains_any(queryset, Contractor.SEARCHED, value)


class TierRuleFilterSet(ScopedFilterSet):
    class Meta:
        model = TierRule
        fields = ["tier"]


class ScreeningRequirementFilterSet(ScopedFilterSet):
    class Meta:
        model = ScreeningRequirement
        fields = ["min_tier"]


class ScreeningFilterSet(ScopedFilterSet):
    contractor = related_by_id(Screening, "contractor")

    class Meta:
        model = Screening
        fields = ["contractor", "kind", "status", "verdict"]


class ScreeningAnswerFilterSet(ScopedFilterSet):
    screening = related_by_id(ScreeningAnswer, "screening")

    class Meta:
        model = ScreeningAnswer
        fields = ["screening", "requirement", "their_level"]


class PortalLinkFilterSet(ScopedFilterSet):
    screening = related_by_id(PortalLink, "screening")

    class Meta:
        model = PortalLink
        fields = ["screening"]


class ContractFilterSet(ScopedFilterSet):
    contractor = related_by_id(Contract, "contractor")

    class Meta:
        model = Contract
        fields = ["contractor", "renewal"]


class CertificateFilterSet(ScopedFilterSet):
    contractor = related_by_id(Certificate, "contractor")

    class Meta:
        model = Certificate
        fields = ["contractor", "kind", "relied_on"]


class SubcontractingFilterSet(ScopedFilterSet):
    contractor = related_by_id(Subcontracting, "contractor")
    subcontractor = related_by_id(Subcontracting, "subcontractor")

    class Meta:
        model = Subcontracting
        fields = ["contractor", "subcontractor", "status"]
