"""Background tasks that need an administrator's eye: failed, and running past the limit
(probably abandoned by a dead worker; core.taskhealth sweeps them every ten minutes)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from mamori.core import roles as r
from mamori.core import taskhealth


def sees_tasks(user) -> bool:
    return r.roles_for(user).has(r.ADMIN)


class TaskHealthView(LoginRequiredMixin, TemplateView):
    template_name = "core/tasks.html"
    shown = 100

    def get_context_data(self, **kwargs):
        if not sees_tasks(self.request.user):
            raise PermissionDenied
        from django_tasks_db.models import DBTaskResult

        stuck = (DBTaskResult.objects.running()
                 .filter(started_at__lt=taskhealth.stuck_before()).order_by("started_at"))
        failed = DBTaskResult.objects.failed().order_by("-finished_at")
        return super().get_context_data(
            stuck=list(stuck[: self.shown]), stuck_count=stuck.count(),
            failed=list(failed[: self.shown]), failed_count=failed.count(),
            queued_count=DBTaskResult.objects.ready().count(),
            running_count=DBTaskResult.objects.running().count(),
            limit=taskhealth.stuck_minutes(), shown=self.shown, **kwargs)


RECENT_DAYS = 7


def dashboard_panel(request, person=None):
    """For administrators only, when tasks failed in the last week or are stuck: the counts
    and a link to the Tasks page. None (no panel) otherwise."""
    if not sees_tasks(request.user):
        return None
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    since = timezone.now() - timezone.timedelta(days=RECENT_DAYS)
    failed = DBTaskResult.objects.failed().filter(finished_at__gte=since).count()
    stuck = DBTaskResult.objects.running().filter(
        started_at__lt=taskhealth.stuck_before()).count()
    if not failed and not stuck:
        return None
    return {"failed": failed, "stuck": stuck, "days": RECENT_DAYS}
