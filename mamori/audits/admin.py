from django.contrib import admin

from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
)
from mamori.core.admin import ScopedAdmin


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(ScopedAdmin):
    list_display = ("fiscal_year", "approved_on")


@admin.register(Audit)
class AuditAdmin(ScopedAdmin):
    list_display = ("code", "title", "kind", "status", "planned_start")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ScopedAdmin):
    list_display = ("audit", "reference", "result")


@admin.register(AuditSettings)
class AuditSettingsAdmin(ScopedAdmin):
    list_display = ("fiscal_year_start_month", "cycle_years")


@admin.register(EvidenceRequest)
class EvidenceRequestAdmin(ScopedAdmin):
    list_display = ("audit", "asked_of", "due_on", "status")


@admin.register(AuditCertificate)
class AuditCertificateAdmin(ScopedAdmin):
    list_display = ("kind", "number", "issued_on", "expires_on")
