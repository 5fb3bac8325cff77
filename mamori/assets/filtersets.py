"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mamori.assets.models import Asset, ClassificationLevel
from mamori.core.filtersets import ScopedFilterSet, WholeNumberFilter, related_by_id
from mamori.core.search_indexes import contains_any


class AssetFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    min_confidentiality = WholeNumberFilter(
        field_name="confidentiality", lookup_expr="gte", label=_("Confidentiality at least"))
    custodian = related_by_id(Asset, "custodian")

    class Meta:
        model = Asset
        fields = ["asset_type", "department", "status", "classification", "has_personal_info",
                  "has_sensitive_personal_info", "has_card_data", "custodian"]

    def search(self, queryset, name, value):
        return contains_any(queryset, Asset.SEARCHED, value)


class ClassificationLevelFilterSet(ScopedFilterSet):
    class Meta:
        model = ClassificationLevel
        fields = ["code"]
