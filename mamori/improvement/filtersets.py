"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, related_by_id
from mamori.core.search_indexes import contains_any
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)


class OverdueFilterMixin(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    def filter_overdue(self, queryset, name, value):
        # A condition on the row itself (an index on status or done_on and due_on serves it),
        # not a subquery of ids.
        overdue = queryset.model.objects.overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class NonconformityFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    plan_overdue = django_filters.BooleanFilter(method="filter_plan_overdue",
                                                label=_("Plan overdue"))

    class Meta:
        model = Nonconformity
        fields = ["status", "severity", "source", "department", "policy_article"]

    def search(self, queryset, name, value):
        return contains_any(queryset, Nonconformity.SEARCHED, value)

    def filter_plan_overdue(self, queryset, name, value):
        late = Q(status=Nonconformity.Status.OPEN, plan_due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class CorrectiveActionFilterSet(OverdueFilterMixin, ScopedFilterSet):
    # A nonconformity the user may not see matches nothing (an action's owner may see the
    # action without its nonconformity).
    nonconformity = related_by_id(CorrectiveAction, "nonconformity")
    owner = related_by_id(CorrectiveAction, "owner")

    class Meta:
        model = CorrectiveAction
        fields = ["nonconformity", "owner"]


class EffectivenessCheckFilterSet(ScopedFilterSet):
    nonconformity = related_by_id(EffectivenessCheck, "nonconformity")

    class Meta:
        model = EffectivenessCheck
        fields = ["nonconformity", "effective"]


class ImprovementActionFilterSet(OverdueFilterMixin, ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    owner = related_by_id(ImprovementAction, "owner")

    class Meta:
        model = ImprovementAction
        fields = ["status", "source", "department", "owner"]

    def search(self, queryset, name, value):
        return contains_any(queryset, ImprovementAction.SEARCHED, value)


class ImprovementSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = ImprovementSettings
        fields = ["plan_days"]
