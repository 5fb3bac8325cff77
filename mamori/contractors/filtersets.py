"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
from mamori.core.filtersets import ScopedFilterSet
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
