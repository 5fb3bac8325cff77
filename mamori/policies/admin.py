from django.contrib import admin
from django.core.exceptions import PermissionDenied

from mamori.core.admin import ScopedAdmin
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ScopedAdmin):
    list_display = ("code", "kind", "title_ja", "owner_department", "next_review_date")
    list_filter = ("kind", "is_active")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ScopedAdmin):
    list_display = ("document", "number", "status", "is_material", "published_at")
    list_filter = ("status",)
    readonly_fields = ("content_hash",)

    # As in the UI and the API (VersionScope): only a draft is edited or deleted; a version
    # in review, approved or released changes through the workflow steps alone.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status in PolicyVersion.EDITABLE)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status in PolicyVersion.EDITABLE)

    def delete_queryset(self, request, queryset):
        # The "delete selected" action asks has_delete_permission without an object.
        if queryset.exclude(status__in=PolicyVersion.EDITABLE).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ScopedAdmin):
    list_display = ("person", "version", "acknowledged_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyReview)
class PolicyReviewAdmin(ScopedAdmin):
    list_display = ("document", "reviewed_on", "outcome", "next_review_date")
