"""What the people handling incidents should attend to: shown on "My page" and listed on the
incident overview. Each list is one bounded query."""

from django.utils import timezone

from mamori.core.scope import CHANGE, can
from mamori.incidents.models import BreachAssessment, Incident, RecoveryAction, RegulatoryReport

SHOWN = 10


def my_page_panel(request, person):
    return overdue_items(request.user)


def overdue_items(user) -> dict | None:
    """Overdue reports, incidents past their recovery target and overdue recovery actions in
    the user's scope, or None for users who handle no incidents and own no actions."""
    # can(user, Incident, CHANGE) is true for every staff member (they change the incidents
    # assigned to them): the handlers are those who handle reports, or have an open incident
    # assigned to them.
    handles = (can(user, RegulatoryReport, CHANGE)
               or Incident.objects.restrict(user, CHANGE).open().exists())
    actions = RecoveryAction.objects.restrict(user, CHANGE).filter(
        done_on__isnull=True).select_related("incident")
    if not handles and not actions.exists():
        return None
    today = timezone.localdate()
    return {
        "reports": RegulatoryReport.objects.restrict(user).outstanding().filter(
            due_on__lt=today).select_related("incident").order_by("due_on")[:SHOWN],
        "reports_due": RegulatoryReport.objects.restrict(user).outstanding().filter(
            due_on__gte=today).select_related("incident").order_by("due_on")[:SHOWN],
        "incidents": Incident.objects.restrict(user).past_recovery_target().order_by(
            "recover_due_at")[:SHOWN],
        "actions": actions.filter(due_on__lt=today).order_by("due_on")[:SHOWN],
        # A new rule governs them, but their reports were already submitted: the handlers
        # (the CISO) decide whether the new rule is applied.
        "to_review": BreachAssessment.objects.restrict(user, CHANGE).filter(
            rule_superseded_by__isnull=False).select_related(
            "incident", "rule_superseded_by").order_by("pk")[:SHOWN],
    }
