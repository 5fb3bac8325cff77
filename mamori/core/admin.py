"""Django admin: for system administrators. It reads through `restrict` like everything else,
and its writes are logged by the models themselves."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from mamori.core.audit import one_user_action
from mamori.core.models import ApiToken, ChangeLogEntry, ConformanceSnapshot, User
from mamori.core.scope import can


def is_workflow_record(model) -> bool:
    """Whether `model`'s rows are written only by their workflow (`workflow_only`): an
    acknowledgement, a change-log entry, a scan. Its time, hash and address are evidence."""
    return getattr(model, "workflow_only", False)


class WorkflowRecordAdmin(admin.ModelAdmin):
    """Shows a workflow's records and refuses to add, change or delete them, whatever the
    subclass allows: an administrator must not be able to forge an acknowledgement with any
    time, hash and address (issue 16 #12). Every admin here derives from it, so a model marked
    `workflow_only` is closed in the admin by being marked."""

    def has_add_permission(self, request, *args):
        return not is_workflow_record(self.model) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not is_workflow_record(self.model) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_workflow_record(self.model) and super().has_delete_permission(request, obj)


class ScopedAdmin(WorkflowRecordAdmin):
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One save in the admin (the row, its links, its inlines): one change-log entry per
        # object it changed, as in the UI and the API.
        with transaction.atomic(), one_user_action():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can(
            request.user, self.model, "change")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can(
            request.user, self.model, "delete")


@admin.register(User)
class MamoriUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets,
                 ("Mamori", {"fields": ("system_role", "must_change_password")}))
    list_display = ("username", "email", "system_role", "is_active", "is_staff")
    list_filter = ("system_role", "is_active", "is_staff")


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Tokens are read-only here: an administrator may revoke one, never reassign, extend or
    revive it. Moving a token to another user would let its holder act in that user's name
    (the change log would record the CISO accepting a risk); a token is its owner's alone."""

    list_display = ("name", "user", "prefix", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at",
                       "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay listed, as evidence of who could act when

    def has_revoke_permission(self, request):
        return can(request.user, ApiToken, "delete")

    @admin.action(description=gettext_lazy("Revoke the selected tokens"),
                  permissions=["revoke"])
    def revoke(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            tokens = list(queryset.restrict(request.user, "delete").filter(
                revoked_at__isnull=True))
            for token in tokens:
                token.revoked_at = now
                token.save()
        self.message_user(request, ngettext("%(count)d token revoked.",
                                            "%(count)d tokens revoked.", len(tokens))
                          % {"count": len(tokens)})


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(WorkflowRecordAdmin):
    list_display = ("seq", "at", "actor_name", "source", "action", "model", "object_repr")
    list_filter = ("action", "source", "model")
    search_fields = ("actor_name", "object_repr", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConformanceSnapshot)
class ConformanceSnapshotAdmin(WorkflowRecordAdmin):
    list_display = ("day", "check_code", "status", "value", "threshold", "failing_count")
    list_filter = ("status", "article")

    def has_change_permission(self, request, obj=None):
        return False
