from django.contrib import admin

from mamori.core.admin import ScopedAdmin
from mamori.core.scope import CHANGE, DELETE
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
    ReviewSettings,
)


class RecordScopedAdmin(ScopedAdmin):
    """Each record asks its own scope as well: a held review, a value Mamori computed, a
    built-in measure and the decisions of a held review stay as they are here too."""

    def _in_scope(self, request, obj, action) -> bool:
        return obj is None or self.model.objects.restrict(request.user, action).filter(
            pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(
            request, obj, CHANGE)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(
            request, obj, DELETE)


@admin.register(Measure)
class MeasureAdmin(RecordScopedAdmin):
    list_display = ("code", "title_ja", "builtin", "target", "frequency", "active")


@admin.register(Measurement)
class MeasurementAdmin(RecordScopedAdmin):
    list_display = ("measure", "period", "department", "category", "value", "computed")


@admin.register(Objective)
class ObjectiveAdmin(RecordScopedAdmin):
    list_display = ("code", "title", "status", "target_on")


@admin.register(ManagementReview)
class ManagementReviewAdmin(RecordScopedAdmin):
    list_display = ("code", "title", "held_on", "status")


@admin.register(ReviewPack)
class ReviewPackAdmin(ScopedAdmin):
    # A workflow record (workflow_only): shown, never added, changed or deleted here.
    list_display = ("review", "frozen_at", "sha256")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(RecordScopedAdmin):
    list_display = ("review", "number", "kind", "due_on")


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(ScopedAdmin):
    list_display = ("interval_months",)
