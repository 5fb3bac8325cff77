"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
    PolicyArticle,
    WorkingPaper,
)
from mamori.core.filtersets import ScopedFilterSet, VisibleIdFilter, related_by_id


class AuditProgrammeFilterSet(ScopedFilterSet):
    class Meta:
        model = AuditProgramme
        fields = ["fiscal_year"]


class AuditFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    department = VisibleIdFilter(field_name="departments", label=_("Department audited"))
    articles = django_filters.ModelChoiceFilter(queryset=PolicyArticle.objects.all(),
                                                label=_("policy article"))
    lead_auditor = related_by_id(Audit, "lead_auditor")

    class Meta:
        model = Audit
        fields = ["kind", "status", "programme", "lead_auditor"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value)
                               | Q(auditing_body__icontains=value))


class ChecklistItemFilterSet(ScopedFilterSet):
    audit = related_by_id(ChecklistItem, "audit")

    class Meta:
        model = ChecklistItem
        fields = ["audit", "kind", "result"]


class AuditSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = AuditSettings
        fields = ["cycle_years"]


class EvidenceRequestFilterSet(ScopedFilterSet):
    audit = related_by_id(EvidenceRequest, "audit")
    asked_of = related_by_id(EvidenceRequest, "asked_of")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = EvidenceRequest
        fields = ["audit", "asked_of", "status"]

    def filter_overdue(self, queryset, name, value):
        overdue = EvidenceRequest.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class AuditCertificateFilterSet(ScopedFilterSet):
    audit = related_by_id(AuditCertificate, "audit")

    class Meta:
        model = AuditCertificate
        fields = ["audit", "kind", "superseded"]


class WorkingPaperFilterSet(ScopedFilterSet):
    item = related_by_id(WorkingPaper, "item")

    class Meta:
        model = WorkingPaper
        fields = ["item"]
