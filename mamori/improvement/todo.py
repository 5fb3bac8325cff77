"""What someone should attend to in the improvement register — their own open actions, and
for those who answer or decide nonconformities the plans due and the ones waiting for a
decision — shown on "My page" and the dashboard; each list is one bounded query."""

from django.db.models import Q
from django.utils import timezone

from mamori.core import roles as r
from mamori.core.scope import CHANGE
from mamori.improvement.models import CorrectiveAction, ImprovementAction, Nonconformity

SHOWN = 10


def my_page_panel(request, person):
    return attention_items(request.user)


def attention_items(user) -> dict | None:
    roles = r.roles_for(user)
    mine = Q(owner=roles.person_id) if roles.person_id else None
    answerable = Nonconformity.objects.restrict(user, CHANGE).filter(
        status=Nonconformity.Status.OPEN)
    items = {
        "corrective": (CorrectiveAction.objects.restrict(user, CHANGE).filter(
            mine, done_on__isnull=True).select_related("nonconformity").order_by(
            "due_on", "pk")[:SHOWN]) if mine else [],
        "improvement": (ImprovementAction.objects.restrict(user, CHANGE).filter(
            mine, status=ImprovementAction.Status.OPEN).order_by("due_on", "pk")[:SHOWN])
        if mine else [],
        "plans_due": answerable.order_by("plan_due_on", "pk")[:SHOWN],
        # Plans approved and every action done: the CISO checks whether they worked.
        "to_verify": (Nonconformity.objects.restrict(user, CHANGE).filter(
            status=Nonconformity.Status.PLANNED).exclude(
            corrective_actions__done_on__isnull=True).order_by("plan_approved_on", "pk")[:SHOWN])
        if roles.has(r.ADMIN, r.CISO) else [],
    }
    items = {name: list(rows) for name, rows in items.items()}
    if not any(items.values()):
        return None
    items["today"] = timezone.localdate()
    return items
