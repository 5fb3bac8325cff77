"""Conformance checks for policy Art 8 (education and training): the mandatory programmes
are completed in every person category, joiners are trained within their days, and the
information managers and the CISO have taken the programmes meant for them.

The few running programmes are read as rows; the assignments only ever through aggregate
queries."""

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import Result, percent, register, tally
from mamori.org.models import Appointment, Person
from mamori.training import assign
from mamori.training.coverage import COUNTED
from mamori.training.models import Assignment, AssignmentTally, Programme, TrainingSettings

Recurrence = Programme.Recurrence


def in_current_cycle(programmes, day, settings) -> Q:
    """The assignments of `programmes` (a list) made for the cycle that `day` is in."""
    yearly = [p.pk for p in programmes if p.recurrence == Recurrence.YEARLY]
    other = [p.pk for p in programmes if p.recurrence != Recurrence.YEARLY]
    condition = Q(pk__in=[])
    if yearly:
        condition |= Q(programme__in=yearly, cycle=settings.fiscal_year(day))
    if other:
        condition |= Q(programme__in=other, cycle=0)
    return condition


@register(
    "training.art8.mandatory_completion",
    article="8",
    title=_("Mandatory training is completed in every person category"),
    description=_("For every running mandatory programme, the share of the people assigned "
                  "to it in its current cycle who have completed it reaches the threshold of "
                  "the training settings, in each person category separately (so that "
                  "dispatched workers or contractors cannot hide in the average). The failing "
                  "objects are the programmes below it in some category; the value is the "
                  "lowest category's share."),
)
def mandatory_completion() -> Result:
    today = timezone.localdate()
    settings = TrainingSettings.current()
    programmes = list(assign.running_programmes(today).filter(mandatory=True)
                      .only("pk", "code", "recurrence"))
    if not programmes:
        return Result.not_applicable(gettext("No mandatory training programme is running."))
    threshold = settings.completion_threshold
    # From the tally the triggers keep (a few thousand rows), not the assignments
    # themselves: counting 700,000 assignments at ten times the company took 0.3 s on
    # PostgreSQL and 1–2 s on SQLite (bench/training.py).
    groups = (AssignmentTally.objects.filter(in_current_cycle(programmes, today, settings),
                                             status__in=COUNTED)
              .order_by().values("programme", "category")
              .annotate(assigned=Sum("count"), completed=Sum("count", filter=Q(
                  status=Assignment.Status.COMPLETED), default=0))
              .filter(assigned__gt=0)
              .values_list("programme", "category", "assigned", "completed"))
    failing, lowest, where = set(), None, None
    for programme_id, category, assigned, completed in groups:
        share = percent(completed, assigned)
        if lowest is None or share < lowest:
            lowest, where = share, (programme_id, category)
        if completed * 100 < threshold * assigned:
            failing.add(programme_id)
    detail = ""
    if failing and where:
        code = next(p.code for p in programmes if p.pk == where[0])
        label = dict(Person.Category.choices).get(where[1], where[1])
        detail = gettext("Lowest: %(programme)s, %(category)s, %(percent)s%%.") % {
            "programme": code, "category": label, "percent": lowest}
    return Result.from_failing(Programme.objects.filter(pk__in=failing),
                               value=100.0 if lowest is None else lowest,
                               threshold=float(threshold), unit="%", count=len(failing),
                               detail=detail)


def overdue_share(condition: Q, today) -> Result:
    """Every assignment matching `condition` (open or completed) must not be overdue.

    The overdue ones are listed by programme, then due date: read in that order from the
    (programme, due_on, id) index, each programme's rows past their due date until 50 open
    ones are found (1.7 ms at ten times the company). In due order alone PostgreSQL walked
    the open rows of every programme for the few of these (142,000 rows, 36-54 ms)."""
    overdue = Assignment.objects.overdue_q(today)
    total, missing = tally(Assignment.objects.filter(condition, status__in=COUNTED), overdue)
    # programme_id, not programme: that would sort by the programme's code, joined.
    failing = Assignment.objects.filter(condition, overdue).order_by("programme_id", "due_on",
                                                                     "pk")
    return Result.every_one_of(total, failing, missing)


@register(
    "training.art8.joiners_trained",
    article="8",
    title=_("Joiners complete their joiner training in time"),
    description=_("People who joined complete each running joiners programme within its "
                  "due days of their start date; the failing objects are the open joiner "
                  "assignments whose due date has passed."),
)
def joiners_trained() -> Result:
    today = timezone.localdate()
    joiners = list(assign.running_programmes(today).filter(
        recurrence=Recurrence.JOINERS).values_list("pk", flat=True))
    if not joiners:
        return Result.not_applicable(gettext("No joiners programme is running."))
    return overdue_share(Q(programme__in=joiners), today)


MANAGED_ROLES = {Programme.Role.INFORMATION_MANAGER: Appointment.Role.INFORMATION_MANAGER,
                 Programme.Role.CISO: Appointment.Role.CISO}


@register(
    "training.art8.managers_trained",
    article="8",
    title=_("Information managers and the CISO have taken their training"),
    description=_("Every current information manager and the CISO complete the running "
                  "programmes meant for their role by the due date; the failing objects are "
                  "the open assignments of such programmes past their due date, of people "
                  "holding a current appointment of that role."),
)
def managers_trained() -> Result:
    today = timezone.localdate()
    # `roles` is a JSON list: the few running programmes are read and filtered here.
    programmes = list(assign.running_programmes(today).values_list("pk", "roles"))
    current = Appointment.objects.current(today)
    condition, any_programme = Q(pk__in=[]), False
    for role, appointment_role in MANAGED_ROLES.items():
        meant = [pk for pk, roles in programmes if isinstance(roles, list) and role in roles]
        if meant:
            any_programme = True
            condition |= Q(programme__in=meant, person__in=current.filter(
                role=appointment_role).values("person_id"))
    if not any_programme:
        return Result.not_applicable(gettext(
            "No running programme is meant for the information managers or the CISO."))
    return overdue_share(condition, today)
