from django.contrib import admin

from mamori.core.admin import ScopedAdmin
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)


@admin.register(Incident)
class IncidentAdmin(ScopedAdmin):
    list_display = ("code", "title", "severity", "status", "department")


@admin.register(RecoveryAction)
class RecoveryActionAdmin(ScopedAdmin):
    list_display = ("incident", "title", "due_on", "done_on")


@admin.register(BreachAssessment)
class BreachAssessmentAdmin(ScopedAdmin):
    list_display = ("incident", "reportable", "grounds", "final_due")


@admin.register(RegulatoryReport)
class RegulatoryReportAdmin(ScopedAdmin):
    list_display = ("incident", "kind", "recipient", "due_on", "submitted_on")


@admin.register(BreachRule)
class BreachRuleAdmin(ScopedAdmin):
    list_display = ("code", "effective_from", "final_days", "final_days_wrongful")

    def get_readonly_fields(self, request, obj=None):
        # A rule in use is frozen (the model refuses the change): shown, not offered.
        frozen = BreachRule.FROZEN_FIELDS if obj is not None and obj.in_use() else ()
        return (*super().get_readonly_fields(request, obj), *frozen)


@admin.register(ResponseTarget)
class ResponseTargetAdmin(ScopedAdmin):
    list_display = ("severity", "contain_within_hours", "recover_within_hours")


@admin.register(IncidentSettings)
class IncidentSettingsAdmin(ScopedAdmin):
    list_display = ("team_email", "reminder_days")
