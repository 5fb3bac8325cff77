"""Assignments derived from programmes (training.assign): who a programme is for, the dates
of what they are assigned, and how assignments follow people joining, moving, changing
category and leaving, and programmes changing or stopping."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.assets.tests.test_asset_models import make_asset
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import concurrent_writes_possible, log_entries, run_at_once
from mamori.incidents.tests.factories import make_incident
from mamori.org.models import Appointment, Person
from mamori.training import assign, tally
from mamori.training.models import (
    Assignment,
    Completion,
    Course,
    Programme,
    TrainingSettings,
)
from mamori.training.tests.test_training_models import make_course, make_programme

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2020, 1, 1)
OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"


def today():
    return timezone.localdate()


@pytest.fixture
def course(org):
    return make_course()


def programme_for(course, code="P", **fields):
    fields.setdefault("starts_on", LONG_AGO)
    return make_programme(course, code, **fields)


def assigned(programme, status=None):
    """Usernames-free view: the person ids with an assignment of the programme."""
    rows = Assignment.objects.filter(programme=programme)
    if status:
        rows = rows.filter(status=status)
    return set(rows.values_list("person_id", flat=True))


def ids(org, *names):
    return {org.people[name].pk for name in names}


def the_assignment(programme, person):
    return Assignment.objects.get(programme=programme, person=person)


def new_person(number, department, category="employee", **fields):
    return Person.objects.create(employee_no=number, name=f"新人 {number}",
                                 category=category, department=department, **fields)


# -- who a programme is for ---------------------------------------------------------------


def test_audience_by_category(org, course):
    programme = programme_for(course, categories=["dispatched", "executive_officer"])
    assign.sync_programme(programme)
    assert assigned(programme) == ids(org, "ciso", "it_staff")


def test_audience_by_department_with_its_subtree(org, course):
    programme = programme_for(course, departments=[org.sales])
    assign.sync_programme(programme)
    assert assigned(programme) == ids(org, "manager", "staff")
    assignment = the_assignment(programme, org.people["staff"])
    assert (assignment.department, assignment.category) == (org.sales_east, "employee")


def test_audience_everyone_but_leavers(org, course):
    org.people["it_staff"].status = Person.Status.LEFT
    org.people["it_staff"].save()
    programme = programme_for(course)
    assign.sync_programme(programme)
    assert assigned(programme) == ids(org, "ciso", "manager", "staff", "auditor")


def test_audience_by_role(org, course):
    managers = programme_for(course, "IM", roles=["information_manager"])
    ciso = programme_for(course, "CISO", roles=["ciso"])
    handlers = programme_for(course, "IH", roles=["incident_handler"])
    both = programme_for(course, "BOTH", roles=["ciso", "information_manager"])
    make_incident(org.it, "不審メール", assignee=org.people["it_staff"])
    make_incident(org.it, "未割当")
    for programme in (managers, ciso, handlers, both):
        assign.sync_programme(programme)
    assert assigned(managers) == ids(org, "manager")
    assert assigned(ciso) == ids(org, "ciso")
    assert assigned(handlers) == ids(org, "it_staff")
    assert assigned(both) == ids(org, "ciso", "manager")


def test_an_ended_appointment_takes_the_role_away(org, course):
    programme = programme_for(course, roles=["information_manager"])
    assign.sync_programme(programme)
    appointment = Appointment.objects.get(person=org.people["manager"])
    appointment.end_date = today() - datetime.timedelta(days=1)
    appointment.save()  # the signal syncs the person in the same transaction
    assert the_assignment(programme, org.people["manager"]).status == CANCELLED


def test_audience_handling_personal_or_card_data(org, course):
    make_asset(org.it, "A-PII", has_personal_info=True)
    make_asset(org.sales_east, "A-CARD", has_card_data=True)
    make_asset(org.sales, "A-PLAIN")
    personal = programme_for(course, "PII", handles_personal_data=True)
    card = programme_for(course, "CARD", handles_card_data=True)
    either = programme_for(course, "EITHER", handles_personal_data=True,
                           handles_card_data=True)
    for programme in (personal, card, either):
        assign.sync_programme(programme)
    assert assigned(personal) == ids(org, "it_staff")
    assert assigned(card) == ids(org, "staff")  # the department only, not the one above it
    assert assigned(either) == ids(org, "it_staff", "staff")


def test_joiners_from_the_programme_start_due_from_their_start(org, course):
    start = today() - datetime.timedelta(days=100)
    programme = programme_for(course, recurrence="joiners", due_days=14, starts_on=start)
    before = new_person("J1", org.sales, joined_on=start - datetime.timedelta(days=1))
    joined = start + datetime.timedelta(days=30)
    after = new_person("J2", org.sales, joined_on=joined)
    on_day = new_person("J3", org.sales, joined_on=start)
    assign.sync_programme(programme)
    assert assigned(programme) == {after.pk, on_day.pk}
    assert before.pk not in assigned(programme)
    assignment = the_assignment(programme, after)
    assert assignment.due_from == joined
    assert assignment.due_on == joined + datetime.timedelta(days=14)
    assert assignment.cycle == 0


def test_a_joiner_saved_is_assigned_at_once(org, course):
    programme = programme_for(course, recurrence="joiners", due_days=10,
                              starts_on=today() - datetime.timedelta(days=5))
    person = new_person("J9", org.it, joined_on=today())
    assignment = the_assignment(programme, person)
    assert assignment.due_on == today() + datetime.timedelta(days=10)
    assert log_entries(assignment, "create").exists()


# -- yearly cycles -------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "cycle", "counts_from"), [
    (4, 2025, datetime.date(2025, 4, 1)),
    (1, 2026, datetime.date(2026, 1, 1)),
    (2, 2026, datetime.date(2026, 2, 1)),
    (3, 2025, datetime.date(2025, 3, 1)),
])
def test_yearly_cycle_follows_the_fiscal_year(org, course, month, cycle, counts_from):
    TrainingSettings.objects.all().delete()
    TrainingSettings.objects.create(fiscal_year_start_month=month)
    programme = programme_for(course, recurrence="yearly", due_days=30)
    day = datetime.date(2026, 2, 10)
    assign.sync_programme(programme, day)
    assignment = the_assignment(programme, org.people["staff"])
    assert (assignment.cycle, assignment.counts_from) == (cycle, counts_from)
    assert assignment.assigned_on == day
    assert assignment.due_on == day + datetime.timedelta(days=30)


def test_a_new_fiscal_year_assigns_again(org, course):
    programme = programme_for(course, recurrence="yearly")
    assign.sync_programme(programme, datetime.date(2025, 6, 1))
    assign.sync_programme(programme, datetime.date(2026, 4, 1))
    cycles = set(Assignment.objects.filter(programme=programme, person=org.people["staff"])
                 .values_list("cycle", flat=True))
    assert cycles == {2025, 2026}


def test_a_completion_within_the_window_satisfies_at_creation(org, course):
    programme = programme_for(course, recurrence="yearly")
    day = datetime.date(2026, 2, 10)
    staff, it_staff = org.people["staff"], org.people["it_staff"]
    inside = Completion.objects.create(person=staff, course=course,
                                       completed_on=datetime.date(2025, 5, 1), score=90)
    Completion.objects.create(person=it_staff, course=course,
                              completed_on=datetime.date(2025, 3, 31), score=90)
    counts = assign.sync_programme(programme, day)
    done = the_assignment(programme, staff)
    assert (done.status, done.completion_id, done.completed_on) == (
        COMPLETED, inside.pk, inside.completed_on)
    assert the_assignment(programme, it_staff).status == OPEN  # last fiscal year's
    assert counts["completed"] == 1


def test_a_completion_before_joining_satisfies_a_joiners_assignment(org, course):
    other = make_course("OTHER")
    programme = programme_for(course, recurrence="joiners",
                              starts_on=today() - datetime.timedelta(days=30))
    person = new_person("J5", org.sales, joined_on=today() - datetime.timedelta(days=20))
    Assignment.objects.filter(person=person).delete()
    Completion.objects.create(person=person, course=other, completed_on=today())
    completion = Completion.objects.create(person=person, course=course, completed_on=today())
    assign.sync_programme(programme)
    assert the_assignment(programme, person).completion_id == completion.pk


# -- people joining, moving, leaving --------------------------------------------------------


def test_a_leavers_open_assignments_are_cancelled_never_deleted(org, course):
    programme = programme_for(course)
    done = programme_for(course, "DONE")
    assign.sync_programme(programme)
    staff = org.people["staff"]
    Completion.objects.create(person=staff, course=make_course("C2"), completed_on=today())
    assign.sync_programme(done)
    kept = the_assignment(done, staff)
    Assignment.objects.filter(pk=kept.pk).update(status=COMPLETED, completed_on=today())
    staff.status = Person.Status.LEFT
    staff.left_on = today()
    staff.save()
    cancelled = the_assignment(programme, staff)
    assert (cancelled.status, cancelled.cancelled_on) == (CANCELLED, today())
    assert the_assignment(done, staff).status == COMPLETED
    entry = log_entries(cancelled, "update").get()
    assert "status" in {name for name, _b, _a in entry.changes()}
    assign.sync_all()
    assert the_assignment(programme, staff).status == CANCELLED


def test_a_mover_is_cancelled_and_moving_back_reopens_the_same_row(org, course):
    programme = programme_for(course, departments=[org.sales])
    assign.sync_programme(programme)
    staff = org.people["staff"]
    first = the_assignment(programme, staff)
    staff.department = org.it
    staff.save()
    moved = the_assignment(programme, staff)
    assert (moved.pk, moved.status, moved.department) == (first.pk, CANCELLED, org.it)
    staff.department = org.sales_east
    staff.save()
    back = the_assignment(programme, staff)
    assert (back.pk, back.status, back.cancelled_on) == (first.pk, OPEN, None)
    assert back.department == org.sales_east
    assert Assignment.objects.filter(programme=programme, person=staff).count() == 1


def test_a_change_of_category_follows(org, course):
    programme = programme_for(course, categories=["employee"])
    assign.sync_programme(programme)
    staff = org.people["staff"]
    staff.category = Person.Category.CONTRACTOR
    staff.save()
    assignment = the_assignment(programme, staff)
    assert (assignment.status, assignment.category) == (CANCELLED, "contractor")


# -- programmes changing or stopping -----------------------------------------------------


def test_changing_due_days_rederives_open_due_dates_in_the_same_transaction(org, course):
    programme = programme_for(course, due_days=30)
    assign.sync_programme(programme)
    staff, manager = org.people["staff"], org.people["manager"]
    Assignment.objects.filter(programme=programme, person=manager).update(
        status=COMPLETED, completed_on=today())
    before_manager = the_assignment(programme, manager).due_on
    with pytest.raises(RuntimeError), transaction.atomic():
        programme.due_days = 90
        programme.save()
        assert the_assignment(programme, staff).due_on == (
            the_assignment(programme, staff).due_from + datetime.timedelta(days=90))
        raise RuntimeError("rolled back")
    assert the_assignment(programme, staff).due_on == (
        the_assignment(programme, staff).due_from + datetime.timedelta(days=30))
    programme.refresh_from_db()
    programme.due_days = 45
    programme.save()
    assignment = the_assignment(programme, staff)
    assert assignment.due_on == assignment.due_from + datetime.timedelta(days=45)
    assert the_assignment(programme, manager).due_on == before_manager  # done: kept
    assert log_entries(assignment, "update").exists()


@pytest.mark.parametrize("stop", ["inactive", "ended"])
def test_a_stopped_programme_cancels_its_open_assignments(org, course, stop):
    programme = programme_for(course)
    assign.sync_programme(programme)
    Assignment.objects.filter(programme=programme, person=org.people["manager"]).update(
        status=COMPLETED, completed_on=today())
    if stop == "inactive":
        programme.is_active = False
    else:
        programme.ends_on = today() - datetime.timedelta(days=1)
    programme.save()
    counts = assign.sync_programme(programme)
    assert counts["cancelled"] == 4
    assert assigned(programme, OPEN) == set()
    assert assigned(programme, COMPLETED) == ids(org, "manager")
    assert Assignment.objects.filter(programme=programme).count() == 5
    # A person saved meanwhile is not assigned again by a stopped programme.
    org.people["staff"].save()
    assert assigned(programme, OPEN) == set()


def test_sync_twice_changes_nothing_and_every_change_is_logged(org, course):
    yearly = programme_for(course, "Y", recurrence="yearly")
    sales = programme_for(course, "S", departments=[org.sales])
    Completion.objects.create(person=org.people["staff"], course=course, completed_on=today())
    first = assign.sync_all()
    assert first["created"] == 7 and first["completed"] == 2
    for assignment in Assignment.objects.all():
        # Created completed (the completion existed): one entry, whose record says so.
        created = log_entries(assignment, "create").get()
        assert created.after["status"] == assignment.status
        assert not log_entries(assignment, "update").exists()
    logged = ChangeLogEntry.objects.count()
    snapshot = list(Assignment.objects.order_by("pk").values())
    second = assign.sync_all()
    assert set(second.values()) == {0}
    for programme in (yearly, sales):
        assert set(assign.sync_programme(programme).values()) == {0}
    assert list(Assignment.objects.order_by("pk").values()) == snapshot
    assert ChangeLogEntry.objects.count() == logged


def test_a_person_without_department_syncs_idempotently(org, course):
    programme = programme_for(course)
    person = new_person("N1", None)
    assign.sync_programme(programme)
    assert person.pk in assigned(programme)
    logged = ChangeLogEntry.objects.count()
    assert set(assign.sync_programme(programme).values()) == {0}
    person.save()
    assert ChangeLogEntry.objects.count() == logged  # unchanged: nothing logged


# -- any sequence of people's events ------------------------------------------------------

CATEGORIES = list(Person.Category.values)
EVENTS = st.lists(st.tuples(
    st.sampled_from(["join", "move", "category", "leave", "on_leave", "return"]),
    st.integers(min_value=0, max_value=50),
    st.sampled_from(CATEGORIES),
    st.integers(min_value=0, max_value=3),
), max_size=8)


def from_scratch():
    expected = set()
    for programme in assign.running_programmes(today()):
        expected |= {(programme.pk, pk) for pk in
                     assign.audience(programme).values_list("pk", flat=True)}
    return expected


def derived_now():
    return set(Assignment.objects.exclude(status=CANCELLED).values_list("programme_id",
                                                                         "person_id"))


@pytest.fixture
def programmes(org):
    course = make_course()
    make_asset(org.sales_east, "A-PII", has_personal_info=True)
    programme_for(course, "EVERYONE")
    programme_for(course, "SALES", departments=[org.sales], categories=["employee",
                                                                         "dispatched"])
    programme_for(course, "YEARLY-IT", recurrence="yearly", departments=[org.it])
    programme_for(course, "PII", handles_personal_data=True)
    programme_for(course, "JOINERS", recurrence="joiners",
                  starts_on=today() - datetime.timedelta(days=10))
    programme_for(course, "STOPPED", is_active=False)
    assign.sync_all()
    return org


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(events=EVENTS)
def test_any_sequence_of_events_matches_the_audience(programmes, events):
    org = programmes
    departments = [org.company, org.sales, org.sales_east, org.it]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for number, (kind, which, category, department) in enumerate(events):
                people = list(Person.objects.order_by("pk"))
                person = people[which % len(people)]
                if kind == "join":
                    new_person(f"H{number}", departments[department], category,
                               joined_on=today() - datetime.timedelta(days=which % 20))
                    continue
                if kind == "move":
                    person.department = departments[department]
                elif kind == "category":
                    person.category = category
                elif kind == "leave":
                    person.status, person.left_on = Person.Status.LEFT, today()
                elif kind == "on_leave":
                    person.status = Person.Status.ON_LEAVE
                elif person.status == Person.Status.ON_LEAVE:
                    person.status = Person.Status.ACTIVE
                person.save()
            assert derived_now() == from_scratch()
            snapshot = list(Assignment.objects.order_by("pk").values())
            counts = assign.sync_all()
            assert set(counts.values()) == {0}, counts
            assert list(Assignment.objects.order_by("pk").values()) == snapshot
            # The triggers' tally agrees with the assignments after every kind of write.
            assert tally.ASSIGNMENTS.differences() == {}
            raise Rollback
    except Rollback:
        pass


# -- two syncs at once --------------------------------------------------------------------


def unassigned_people(org, count):
    """A running yearly programme for everyone and `count` more people, none assigned yet
    (saved while the programme was stopped)."""
    course = Course.objects.create(code="ISMS-BASIC", title_ja="基礎", body_ja="本文")
    programme = Programme.objects.create(code="ALL", title_ja="全員", course=course,
                                         starts_on=LONG_AGO, recurrence="yearly")
    Programme.objects.filter(pk=programme.pk).update(is_active=False)
    people = [new_person(f"C{n}", org.sales_east) for n in range(count)]
    Programme.objects.filter(pk=programme.pk).update(is_active=True)
    assert not Assignment.objects.exists()
    return programme, people


@pytest.mark.django_db(transaction=True)
def test_syncs_at_once_assign_each_person_once(org):
    concurrent_writes_possible()
    programme, _people = unassigned_people(org, 30)
    results = []

    def sync(_n):
        results.append(assign.sync_programme(Programme.objects.select_related("course")
                                             .get(pk=programme.pk)))

    errors = run_at_once(sync, 4)
    assert errors == []
    people = Person.objects.count()
    assert Assignment.objects.filter(programme=programme).count() == people
    assert sum(r["created"] for r in results) == people
    assert set(assign.sync_programme(programme).values()) == {0}


@pytest.mark.django_db(transaction=True)
def test_a_persons_save_and_a_programme_sync_at_once_assign_them_once(org):
    """A new person's save (sync_person, in the save's transaction) racing the programme's
    task (sync_programme): one assignment each, and the person's save is not lost."""
    concurrent_writes_possible()
    programme, people = unassigned_people(org, 1)
    person = people[0]

    def work(n):
        if n % 2:
            assign.sync_programme(Programme.objects.select_related("course").get(
                pk=programme.pk))
        else:
            with transaction.atomic():
                saved = Person.objects.get(pk=person.pk)
                saved.name_kana = f"シンジン{n}"
                saved.save()

    errors = run_at_once(work, 4)
    assert errors == []
    assert Assignment.objects.filter(programme=programme, person=person).count() == 1
    assert Person.objects.get(pk=person.pk).name_kana.startswith("シンジン")
    assert Assignment.objects.filter(programme=programme).count() == Person.objects.count()
