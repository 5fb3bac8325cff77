"""Overdue actions do not wait silently: each overdue corrective or improvement action is
e-mailed once to its owner and to the information managers of its department (Japanese then
English), and marked escalated in the transaction that decides it."""

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.mail import message
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent
from mamori.improvement.models import CorrectiveAction, ImprovementAction
from mamori.org.contacts import department_managers

TASK_ACTOR = Actor(None, "task:improvement", "task")


def recipients(owner, department) -> list[str]:
    people = [*department_managers(department), *([owner] if owner else [])]
    return sorted({p.email for p in people if p.email})


@periodic("daily")
@idempotent  # each action is marked escalated in the transaction that decides it
@task()
def escalate_overdue_actions() -> int:
    today = timezone.localdate()
    outgoing, escalated = [], 0
    with acting_as(TASK_ACTOR), transaction.atomic():
        corrective = CorrectiveAction.objects.overdue(today).filter(
            escalated_on__isnull=True).select_related(
            "owner", "nonconformity__department__parent")
        for action in corrective.select_for_update(of=("self",)):
            outgoing.append(message(
                "improvement/action_overdue_email.txt", gettext_noop("Action overdue"),
                {"action": action, "reference": action.nonconformity},
                recipients(action.owner, action.nonconformity.department)))
            CorrectiveAction.objects.filter(pk=action.pk).update(escalated_on=today)
            escalated += 1
        improvement = ImprovementAction.objects.overdue(today).filter(
            escalated_on__isnull=True).select_related("owner", "department__parent")
        for action in improvement.select_for_update(of=("self",)):
            outgoing.append(message(
                "improvement/action_overdue_email.txt", gettext_noop("Action overdue"),
                {"action": action, "reference": action}, recipients(action.owner,
                                                                     action.department)))
            ImprovementAction.objects.filter(pk=action.pk).update(escalated_on=today)
            escalated += 1
    send_mass_mail([m for m in outgoing if m[3]], fail_silently=False)
    return escalated
