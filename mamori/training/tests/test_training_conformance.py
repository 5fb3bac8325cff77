"""Art 8 conformance: mandatory training completed in every person category, joiners and
managers trained in time — each not applicable, passing and failing."""

import datetime

from django.utils import timezone

from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM
from mamori.org.models import Person
from mamori.training import assign
from mamori.training.models import Assignment, Programme, TrainingSettings
from mamori.training.tests.coverage_fixtures import add_people, complete, programme

MANDATORY = "training.art8.mandatory_completion"
JOINERS = "training.art8.joiners_trained"
MANAGERS = "training.art8.managers_trained"


def run(code):
    return next(c for c in conformance.checks() if c.code == code).function()


def ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def everyone(org):
    return list(Person.objects.all())


def test_the_checks_are_registered_against_article_8():
    articles = {c.code: c.article for c in conformance.checks()
                if c.code.startswith("training.")}
    assert articles == {MANDATORY: "8", JOINERS: "8", MANAGERS: "8"}


def test_mandatory_completion_needs_a_running_mandatory_programme(org):
    assert run(MANDATORY).status == NOT_APPLICABLE
    programme("optional", mandatory=False)
    programme("stopped")
    Programme.objects.filter(code="stopped").update(is_active=False)
    assert run(MANDATORY).status == NOT_APPLICABLE


def test_mandatory_completion_passes_when_everyone_has_done_it(org):
    made = programme()
    complete(made, *everyone(org))
    result = run(MANDATORY)
    assert (result.status, result.value, result.threshold) == (PASS, 100.0, 95.0)


def test_each_person_category_must_reach_the_threshold_on_its_own(org):
    settings = TrainingSettings.current()
    settings.completion_threshold = 80
    settings.save()
    made = programme(categories=[Person.Category.EMPLOYEE, Person.Category.DISPATCHED])
    dispatched = add_people(org, 1, Person.Category.DISPATCHED, org.it)
    employees = Person.objects.filter(category=Person.Category.EMPLOYEE)
    complete(made, *employees, dispatched[0])  # employees 3/3, dispatched 1/2: 4/5 = 80%
    result = run(MANDATORY)
    assert result.status == FAIL and result.value == 50.0 and result.failing_count == 1
    assert [f.label for f in result.failing_for(SYSTEM).objects] == [str(made)]
    complete(made, org.people["it_staff"])
    assert run(MANDATORY).status == PASS


def test_cancelled_assignments_and_other_cycles_do_not_count(org):
    made = programme()
    complete(made, *[p for p in everyone(org) if p != org.people["it_staff"]])
    assert run(MANDATORY).status == FAIL
    Assignment.objects.filter(person=org.people["it_staff"]).update(status="cancelled")
    assert run(MANDATORY).status == PASS
    Assignment.objects.filter(programme=made).update(cycle=1999, status="open")
    assert run(MANDATORY).status == PASS  # last years' assignments are not this year's


def test_joiners_are_trained_within_the_due_days(org):
    assert run(JOINERS).status == NOT_APPLICABLE
    late, recent = add_people(org, 2, Person.Category.EMPLOYEE, org.sales)
    Person.objects.filter(pk=late.pk).update(joined_on=ago(60))
    Person.objects.filter(pk=recent.pk).update(joined_on=ago(5))
    made = programme("joiners", recurrence=Programme.Recurrence.JOINERS,
                     starts_on=ago(365))
    assert Assignment.objects.filter(programme=made).count() == 2
    result = run(JOINERS)
    assert result.status == FAIL and result.failing_count == 1 and result.value == 50.0
    assert result.failing_for(SYSTEM).objects[0].label == str(
        Assignment.objects.get(programme=made, person=late))
    complete(made, late)
    assert run(JOINERS).status == PASS


def test_information_managers_and_the_ciso_take_their_programmes(org):
    programme("everyone")
    assert run(MANAGERS).status == NOT_APPLICABLE
    made = programme("managers", roles=[Programme.Role.INFORMATION_MANAGER,
                                        Programme.Role.CISO])
    assert set(Assignment.objects.filter(programme=made).values_list(
        "person__user__username", flat=True)) == {"manager", "ciso"}
    assert run(MANAGERS).status == PASS
    Assignment.objects.filter(programme=made).update(due_on=ago(1))
    result = run(MANAGERS)
    assert result.status == FAIL and result.failing_count == 2
    complete(made, org.people["ciso"])
    result = run(MANAGERS)
    assert result.failing_count == 1
    # The manager sees their own failing assignment; staff see none of it.
    seen = result.failing_for(org.users["manager"])
    assert seen.in_scope == 1
    assert result.failing_for(org.users["staff"]).in_scope == 0


def test_only_holders_of_the_role_count(org):
    made = programme("handlers", roles=[Programme.Role.INCIDENT_HANDLER])
    assert run(MANAGERS).status == NOT_APPLICABLE
    made.roles = [Programme.Role.INCIDENT_HANDLER, Programme.Role.CISO]
    made.save()
    Assignment.objects.create(programme=made, person=org.people["staff"], cycle=0,
                              assigned_on=ago(60), due_from=ago(60), due_on=ago(30),
                              counts_from=ago(60))
    assign.sync_programme(made)
    Assignment.objects.filter(programme=made).update(status="open", due_on=ago(30))
    result = run(MANAGERS)
    assert result.failing_count == 1  # the CISO's; staff hold no CISO appointment
    assert result.failing_for(SYSTEM).objects[0].label == str(
        Assignment.objects.get(programme=made, person=org.people["ciso"]))
