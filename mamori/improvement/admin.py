from django.contrib import admin

from mamori.core.admin import ScopedAdmin
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)


@admin.register(Nonconformity)
class NonconformityAdmin(ScopedAdmin):
    list_display = ("code", "title", "severity", "status", "department")


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ScopedAdmin):
    list_display = ("nonconformity", "title", "due_on", "done_on")


@admin.register(EffectivenessCheck)
class EffectivenessCheckAdmin(ScopedAdmin):
    list_display = ("nonconformity", "checked_on", "effective")


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ScopedAdmin):
    list_display = ("code", "title", "status", "due_on")


@admin.register(ImprovementSettings)
class ImprovementSettingsAdmin(ScopedAdmin):
    list_display = ("plan_days",)
