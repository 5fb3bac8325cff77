"""Training's time-driven work: assignments derived again every day (a programme that starts,
a new fiscal year, assets or incidents that change an audience) and at once for a programme
just saved; and every day, reminders of assignments soon due and the overdue ones escalated
to the information managers of the person's department.

Reminders and escalations are sent once: the assignment is marked reminded (escalated) in
the transaction that decides to send it, a chunk of assignments at a time, so a second run
sends nothing."""

import datetime

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.mail import message
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent
from mamori.org.contacts import cisos, department_managers
from mamori.training import assign
from mamori.training.models import Assignment, Programme, TrainingSettings

TASK_ACTOR = Actor(None, "task:training", "task")
CHUNK = 500  # people (reminders) or assignments (escalations) decided per transaction
OPEN = Assignment.Status.OPEN


@idempotent  # derives from the audience: a second run finds nothing to do
@task()
def assign_programme(programme_id: int) -> dict:
    programme = Programme.objects.select_related("course").filter(pk=programme_id).first()
    if programme is None:
        return {}
    with acting_as(TASK_ACTOR):
        return assign.sync_programme(programme)


@periodic("daily")
@idempotent
@task()
def assign_all_programmes() -> dict:
    with acting_as(TASK_ACTOR):
        return assign.sync_all()


@periodic("daily")
@idempotent  # each assignment is marked reminded / escalated in the transaction that decides
@task()
def remind_and_escalate() -> dict:
    today = timezone.localdate()
    with acting_as(TASK_ACTOR):
        return {"reminded": send_reminders(today), "escalated": escalate_overdue(today)}


def send_reminders(today: datetime.date) -> int:
    """One message to each person with open assignments due within the reminder days that
    were not reminded yet, listing them; a chunk of people per transaction."""
    soon = today + datetime.timedelta(days=TrainingSettings.current().reminder_days)
    due = Assignment.objects.filter(status=OPEN, reminded_on__isnull=True,
                                    due_on__gte=today, due_on__lte=soon)
    reminded, after = 0, 0
    while True:
        outgoing = []
        with transaction.atomic():
            people = list(due.filter(person_id__gt=after).order_by("person_id")
                          .values_list("person_id", flat=True).distinct()[:CHUNK])
            if not people:
                return reminded
            after = people[-1]
            theirs: dict[int, list[Assignment]] = {}
            for assignment in (due.filter(person_id__in=people)
                               .select_related("person", "programme")
                               .select_for_update(of=("self",)).order_by("pk")):
                theirs.setdefault(assignment.person_id, []).append(assignment)
            pks = [a.pk for assignments in theirs.values() for a in assignments]
            Assignment.objects.filter(pk__in=pks).update(reminded_on=today)
            reminded += len(pks)
            for assignments in theirs.values():
                person = assignments[0].person
                if person.email:
                    outgoing.append(message(
                        "training/assignment_reminder_email.txt",
                        gettext_noop("Training due soon"),
                        {"person": person, "assignments": assignments}, [person.email]))
        send_mass_mail(outgoing, fail_silently=False)


def by_person(line: dict):
    return line["person"].employee_no, line["due_on"]


def escalate_overdue(today: datetime.date) -> int:
    """The overdue open assignments not yet escalated, marked escalated a chunk at a time,
    then one digest to each information manager listing their people (the CISO's when a
    department has no information manager)."""
    overdue = Assignment.objects.filter(Assignment.objects.overdue_q(today),
                                        escalated_on__isnull=True)
    managers_of: dict[int | None, list] = {}
    digests: dict[str, list[dict]] = {}  # e-mail address -> the lines of its digest
    shared: dict[tuple, object] = {}
    escalated, after = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(overdue.filter(pk__gt=after).select_related(
                "person", "programme", "department__parent").select_for_update(
                of=("self",)).order_by("pk")[:CHUNK])
            if not chunk:
                break
            after = chunk[-1].pk
            Assignment.objects.filter(pk__in=[a.pk for a in chunk]).update(escalated_on=today)
            escalated += len(chunk)
        for assignment in chunk:
            # Objects, not texts: the message names them in Japanese, then in English.
            # Programmes and departments are few: one object of each is kept.
            line = {"person": assignment.person,
                    "programme": shared.setdefault(("p", assignment.programme_id),
                                                   assignment.programme),
                    "department": shared.setdefault(("d", assignment.department_id),
                                                    assignment.department),
                    "due_on": assignment.due_on, "url": assignment.get_absolute_url()}
            if assignment.department_id not in managers_of:
                found = list(department_managers(assignment.department)) if (
                    assignment.department) else []
                managers_of[assignment.department_id] = found or list(cisos())
            for manager in managers_of[assignment.department_id]:
                if manager.email:
                    digests.setdefault(manager.email, []).append(line)
    send_mass_mail([
        message("training/assignment_overdue_email.txt", gettext_noop("Training overdue"),
                {"assignments": sorted(lines, key=by_person)},
                [email])
        for email, lines in sorted(digests.items())], fail_silently=False)
    return escalated
