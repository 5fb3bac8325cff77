"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, related_by_id
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion


class PolicyDocumentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = PolicyDocument
        fields = ["kind", "owner_department", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title_ja__icontains=value)
                               | Q(title_en__icontains=value))


class PolicyVersionFilterSet(ScopedFilterSet):
    class Meta:
        model = PolicyVersion
        fields = ["document", "status", "is_material"]


class AcknowledgementFilterSet(ScopedFilterSet):
    person = related_by_id(Acknowledgement, "person")

    class Meta:
        model = Acknowledgement
        fields = ["version", "version__document", "person"]


class PolicyReviewFilterSet(ScopedFilterSet):
    class Meta:
        model = PolicyReview
        fields = ["document", "outcome"]
