"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, VisibleIdFilter, related_by_id
from mamori.core.search_indexes import contains_any
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentEntry,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)
from mamori.risks.models import Threat


class IncidentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           label=_("Past the recovery target"))
    reportable = django_filters.BooleanFilter(field_name="assessment__reportable",
                                              label=_("Reportable"))
    asset = VisibleIdFilter(field_name="assets", label=_("Asset"))
    assignee = related_by_id(Incident, "assignee")
    # One threat at a time: a single choice is looked up with `exact`, which Django keeps
    # within the integer range (a multiple choice's `in` overflows the SQLite driver).
    threats = django_filters.ModelChoiceFilter(queryset=Threat.objects.all(),
                                               label=_("threat categories"))

    class Meta:
        model = Incident
        fields = ["status", "severity", "department", "threats", "assignee",
                  "personal_data_suspected"]

    def search(self, queryset, name, value):
        return contains_any(queryset, Incident.SEARCHED, value)

    def filter_open(self, queryset, name, value):
        closed = Q(status=Incident.Status.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.past_recovery_target()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class IncidentEntryFilterSet(ScopedFilterSet):
    incident = related_by_id(IncidentEntry, "incident")

    class Meta:
        model = IncidentEntry
        fields = ["incident", "kind"]


class RecoveryActionFilterSet(ScopedFilterSet):
    # An incident the user may not see matches nothing (an action's owner may see the action
    # without its incident).
    incident = related_by_id(RecoveryAction, "incident")
    owner = related_by_id(RecoveryAction, "owner")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = RecoveryAction
        fields = ["incident", "owner"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(done_on__isnull=True, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class BreachAssessmentFilterSet(ScopedFilterSet):
    incident = related_by_id(BreachAssessment, "incident")

    class Meta:
        model = BreachAssessment
        fields = ["incident", "reportable", "exempt", "person_notice"]


class RegulatoryReportFilterSet(ScopedFilterSet):
    incident = related_by_id(RegulatoryReport, "incident")
    late = django_filters.BooleanFilter(method="filter_late", label=_("Late"))
    submitted = django_filters.BooleanFilter(field_name="submitted_on", lookup_expr="isnull",
                                             exclude=True, label=_("Submitted"))

    class Meta:
        model = RegulatoryReport
        fields = ["incident", "recipient", "kind"]

    def filter_late(self, queryset, name, value):
        late = queryset.late()
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class BreachRuleFilterSet(ScopedFilterSet):
    class Meta:
        model = BreachRule
        fields = ["effective_from"]


class ResponseTargetFilterSet(ScopedFilterSet):
    class Meta:
        model = ResponseTarget
        fields = ["severity"]


class IncidentSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = IncidentSettings
        fields = ["reminder_days"]
