"""Assignments derived from programmes, never typed.

A programme's audience is a queryset of people (`audience`), so deciding who is assigned is
the database's work: `sync_programme` inserts the assignments missing for people in the
audience a chunk of people at a time (each chunk its own transaction, so memory stays flat and
other writers are not held up for the whole population), cancels the open ones of people who
left the audience, opens again the cancelled ones of people who came back, and completes those
a completion already satisfies. Running it again changes nothing: it is safe to repeat, and
the daily `assign_all_programmes` task runs it for every programme.

`sync_person` does the same for one person against every running programme, in the
transaction that saved the person (a joiner, a mover, a change of category, a leaver).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from mamori.core.taskhealth import enqueue_atomically
from mamori.org.models import Appointment, Person, subtree_ids
from mamori.training.models import (
    Assignment,
    Completion,
    Course,
    Programme,
    TrainingSettings,
    add_months,
)

CHUNK = 5000
RETRIES = 5  # inserts of a chunk tried again after a concurrent sync inserted some first
OPEN, COMPLETED, CANCELLED = (Assignment.Status.OPEN, Assignment.Status.COMPLETED,
                              Assignment.Status.CANCELLED)
EARLIEST = datetime.date(1900, 1, 1)


def audience(programme: Programme, day: datetime.date | None = None):
    """The people `programme` is for on `day` (a queryset; nothing is read here but the
    programme's departments)."""
    from mamori.assets.models import Asset
    from mamori.incidents.models import Incident

    day = day or timezone.localdate()
    people = Person.objects.exclude(status=Person.Status.LEFT).filter(
        category__in=programme.categories or Person.Category.values)
    roots = list(programme.departments.values_list("pk", flat=True))
    if roots:
        people = people.filter(department__in=subtree_ids(roots))
    if programme.roles:
        current = Appointment.objects.current(day)
        held = Q(pk__in=[])
        if Programme.Role.INFORMATION_MANAGER in programme.roles:
            held |= Q(pk__in=current.filter(
                role=Appointment.Role.INFORMATION_MANAGER).values("person_id"))
        if Programme.Role.CISO in programme.roles:
            held |= Q(pk__in=current.filter(role=Appointment.Role.CISO).values("person_id"))
        if Programme.Role.INCIDENT_HANDLER in programme.roles:
            held |= Q(pk__in=Incident.objects.filter(assignee__isnull=False)
                      .values("assignee_id"))
        people = people.filter(held)
    if programme.handles_personal_data or programme.handles_card_data:
        holding = Q(pk__in=[])
        if programme.handles_personal_data:
            holding |= Q(has_personal_info=True)
        if programme.handles_card_data:
            holding |= Q(has_card_data=True)
        people = people.filter(department__in=Asset.objects.filter(holding).filter(
            department__isnull=False).values("department_id"))
    if programme.recurrence == Programme.Recurrence.JOINERS:
        people = people.filter(joined_on__gte=programme.starts_on)
    return people


def cycle_of(programme: Programme, day: datetime.date, settings: TrainingSettings) -> int:
    if programme.recurrence == Programme.Recurrence.YEARLY:
        return settings.fiscal_year(day)
    return 0


def terms(programme: Programme, day: datetime.date, joined_on, settings) -> dict:
    """The dates of an assignment made on `day` for a person who joined on `joined_on`."""
    due_from = day
    if programme.recurrence == Programme.Recurrence.JOINERS and joined_on:
        due_from = joined_on
    if programme.recurrence == Programme.Recurrence.YEARLY:
        counts_from = settings.fiscal_year_start(settings.fiscal_year(day))
    elif programme.course.validity_months:
        counts_from = add_months(day, -programme.course.validity_months)
    else:
        counts_from = EARLIEST
    return {"assigned_on": day, "due_from": due_from, "counts_from": counts_from,
            "due_on": due_from + datetime.timedelta(days=programme.due_days)}


def satisfying(course_id: int, person_ids, counts_from: datetime.date) -> dict:
    """person id -> (completion id, completed on) of the first completion of the course on
    or after `counts_from`, for the given people."""
    found = {}
    for pk, person_id, completed_on in (
            Completion.objects.filter(course_id=course_id, person_id__in=person_ids,
                                      completed_on__gte=counts_from)
            .order_by("completed_on", "pk").values_list("pk", "person_id", "completed_on")):
        found.setdefault(person_id, (pk, completed_on))
    return found


def sync_programme(programme: Programme, day: datetime.date | None = None) -> dict:
    """Bring the programme's assignments in line with its audience. Returns the counts of
    assignments created, cancelled, reopened and completed."""
    day = day or timezone.localdate()
    settings = TrainingSettings.current()
    counts = {"created": 0, "cancelled": 0, "reopened": 0, "completed": 0}
    mine = Assignment.objects.filter(programme=programme)
    if not programme.is_running(day):
        with transaction.atomic():
            counts["cancelled"] = mine.filter(status=OPEN).update(status=CANCELLED,
                                                                  cancelled_on=day)
        return counts
    cycle = cycle_of(programme, day, settings)
    current = mine.filter(cycle=cycle)
    target = audience(programme, day).values("pk")
    with transaction.atomic():
        counts["cancelled"] = current.filter(status=OPEN).exclude(
            person__in=target).update(status=CANCELLED, cancelled_on=day)
        counts["reopened"] = current.filter(status=CANCELLED, person__in=target).update(
            status=OPEN, cancelled_on=None)
        keep_in_step(current.exclude(status=CANCELLED))
    if programme.course.kind == Course.Kind.ACKNOWLEDGEMENT:
        from mamori.training.acknowledgements import backfill

        backfill(programme.course)
    counts["created"], counts["completed"] = create_missing(programme, cycle, day, settings)
    counts["completed"] += complete_satisfied(programmes=[programme])
    return counts


def create_missing(programme, cycle, day, settings) -> tuple[int, int]:
    """Insert the assignments of people in the audience who have none for this cycle, a
    chunk of people (in staff-id order) per transaction. Returns how many were created, and
    how many of them completed already."""
    existing = Assignment.objects.filter(programme=programme, cycle=cycle)
    missing = audience(programme, day).exclude(pk__in=existing.values("person_id"))
    created, completed, after = 0, 0, 0
    while True:
        # People as objects with what their names need, so that the log entries' names
        # (Assignment.__str__) are not a query each.
        chunk = list(missing.filter(pk__gt=after).order_by("pk").only(
            "pk", "department_id", "category", "joined_on", "name", "name_latin")[:CHUNK])
        if not chunk:
            return created, completed
        after = chunk[-1].pk
        # Completions made already (within the window) complete the new rows as they are
        # written: one entry in the log each (its creation), not a creation and an update.
        done = satisfying(programme.course_id, [person.pk for person in chunk],
                          terms(programme, day, None, settings)["counts_from"])
        for attempt in range(RETRIES):
            rows = [new_assignment(programme, cycle, day, settings, person, done.get(person.pk))
                    for person in chunk]
            try:
                with transaction.atomic():
                    Assignment.objects.bulk_create(rows, batch_size=1000)
            except IntegrityError:
                # Another sync (a task, a person's save) assigned some of these people
                # since the chunk was read: read again what exists and insert the rest.
                if attempt == RETRIES - 1:
                    raise
                taken = set(existing.filter(person_id__in=[person.pk for person in chunk])
                            .values_list("person_id", flat=True))
                chunk = [person for person in chunk if person.pk not in taken]
                continue
            created += len(rows)
            completed += sum(row.status == COMPLETED for row in rows)
            break


def new_assignment(programme, cycle, day, settings, person, completion) -> Assignment:
    """The assignment of `person` (read with their department, category, start date and
    names), completed already when `completion` (id, date) satisfies it."""
    row = Assignment(programme=programme, person=person, department_id=person.department_id,
                     category=person.category, cycle=cycle,
                     **terms(programme, day, person.joined_on, settings))
    if completion is not None:
        row.completion_id, row.completed_on = completion
        row.status = COMPLETED
    return row


def keep_in_step(assignments) -> int:
    """Copy the people's current department and category onto their assignments where they
    differ (after a move; usually none): one UPDATE a chunk, each row given its person's
    values by the database. A person without a department matches an assignment without
    one (compared as NULL = NULL, which SQL would call unknown and update every time)."""
    person = Person.objects.filter(pk=OuterRef("person_id"))
    same = ((Q(department_id=F("now_department")) | Q(department__isnull=True,
                                                        now_department__isnull=True))
            & Q(category=F("now_category")))
    stale = assignments.annotate(
        now_department=Subquery(person.values("department_id")),
        now_category=Subquery(person.values("category"))).exclude(same)
    changed, after = 0, 0
    while True:
        pks = list(stale.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not pks:
            return changed
        changed += Assignment.objects.filter(pk__in=pks).select_related(
            "programme", "person").update(
            department_id=Subquery(person.values("department_id")),
            category=Subquery(person.values("category")))
        after = pks[-1]


def complete_satisfied(person_ids=None, course: Course | None = None, programmes=None,
                       using: str = "default") -> int:
    """Complete the open assignments that a completion of their course satisfies (made on
    or after the assignment's `counts_from`). Narrowed to some people and one course (a new
    completion) or to some programmes."""
    open_rows = Assignment.objects.using(using).filter(status=OPEN)
    if programmes is not None:
        open_rows = open_rows.filter(programme__in=[p.pk for p in programmes])
    if course is not None:
        open_rows = open_rows.filter(programme__course=course)
    if person_ids is not None:
        open_rows = open_rows.filter(person_id__in=person_ids)
    done = 0
    with transaction.atomic(using=using):
        # One course at a time (usually one), so that the UPDATE names its course and not a
        # join: each chunk is one UPDATE, each row given its own first completion by the
        # database; the log names each row from the programme and person read with it.
        for course_id in (open_rows.order_by().values_list("programme__course_id", flat=True)
                          .distinct()):
            first_completion = (Completion.objects.using(using)
                                .filter(person_id=OuterRef("person_id"), course_id=course_id,
                                        completed_on__gte=OuterRef("counts_from"))
                                .order_by("completed_on", "pk"))
            of_course = open_rows.filter(programme__course_id=course_id)
            while True:
                pks = list(of_course.annotate(
                    completion_pk=Subquery(first_completion.values("pk")[:1]),
                ).filter(completion_pk__isnull=False).values_list("pk", flat=True)[:CHUNK])
                if not pks:
                    break
                Assignment.objects.using(using).filter(pk__in=pks).select_related(
                    "programme", "person").update(
                    status=COMPLETED, completion_id=Subquery(first_completion.values("pk")[:1]),
                    completed_on=Subquery(first_completion.values("completed_on")[:1]))
                done += len(pks)
    return done


def running_programmes(day: datetime.date):
    return Programme.objects.filter(Q(is_active=True), Q(starts_on__lte=day),
                                    Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def sync_person(person: Person, day: datetime.date | None = None) -> None:
    """One person against every running programme, in the caller's transaction: assign what
    they now belong to, cancel what they no longer do (a leaver: everything open), keep their
    department and category on their assignments."""
    day = day or timezone.localdate()
    settings = TrainingSettings.current()
    theirs = Assignment.objects.filter(person=person)
    with transaction.atomic():
        if person.status == Person.Status.LEFT:
            theirs.filter(status=OPEN).update(status=CANCELLED, cancelled_on=day)
            return
        programmes = list(running_programmes(day).select_related("course"))
        if not programmes and not theirs.exists():
            return  # nothing to assign and nothing to keep in step (an HR import, say)
        keep_in_step(theirs.exclude(status=CANCELLED))
        # Their completions are read by their current department's information manager.
        Completion.objects.filter(person=person).exclude(
            department_id=person.department_id).update(department_id=person.department_id)
        for programme in programmes:
            cycle = cycle_of(programme, day, settings)
            belongs = audience(programme, day).filter(pk=person.pk).exists()
            existing = theirs.filter(programme=programme, cycle=cycle).first()
            if existing is None and belongs:
                try:
                    with transaction.atomic():
                        new_assignment(programme, cycle, day, settings, person, None).save()
                except IntegrityError:
                    # A programme's sync running at the same time assigned them first.
                    existing = theirs.filter(programme=programme, cycle=cycle).first()
                    if existing is None:
                        raise
                    keep_in_step(theirs.filter(pk=existing.pk))
            elif existing is not None and existing.status == OPEN and not belongs:
                theirs.filter(pk=existing.pk).update(status=CANCELLED, cancelled_on=day)
            elif existing is not None and existing.status == CANCELLED and belongs:
                # Reopened with where they are now (keep_in_step above passed it by).
                theirs.filter(pk=existing.pk).update(
                    status=OPEN, cancelled_on=None, department_id=person.department_id,
                    category=person.category)
        complete_satisfied(person_ids=[person.pk])


def rederive_due_dates(programme: Programme, using: str = "default") -> int:
    """The due dates of the programme's open assignments, from their start and the
    programme's days (one UPDATE per distinct start date)."""
    open_rows = Assignment.objects.using(using).filter(programme=programme, status=OPEN)
    delta = datetime.timedelta(days=programme.due_days)
    changed = 0
    for due_from in open_rows.values_list("due_from", flat=True).distinct().order_by():
        changed += open_rows.filter(due_from=due_from).exclude(
            due_on=due_from + delta).update(due_on=due_from + delta)
    return changed


def queue_programme(programme: Programme) -> None:
    from mamori.training.tasks import assign_programme

    enqueue_atomically(assign_programme, programme.pk)


def sync_all(day: datetime.date | None = None) -> dict:
    """Every programme (running or not: a stopped one cancels its open assignments), then
    the open assignments of people who have left."""
    day = day or timezone.localdate()
    totals: dict[str, int] = {}
    for programme in Programme.objects.select_related("course").order_by("pk"):
        for key, value in sync_programme(programme, day).items():
            totals[key] = totals.get(key, 0) + value
    with transaction.atomic():
        totals["cancelled"] = totals.get("cancelled", 0) + Assignment.objects.filter(
            status=OPEN, person__status=Person.Status.LEFT).update(
            status=CANCELLED, cancelled_on=day)
    return totals
