"""The improvement register's conformance checks (policy Art 7 and 12): each not applicable
without records, passing, and failing with the failing objects named — and what the
department's manager sees of them."""

import datetime

import pytest
from django.utils import timezone

from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM
from mamori.improvement import workflow
from mamori.improvement.models import ImprovementAction, Nonconformity
from mamori.improvement.tests.test_improvement_models import make_action, make_nc

pytestmark = pytest.mark.django_db
PLAN = "improvement.art7.major_plan_on_time"
ACTIONS = "improvement.art7.corrective_actions_on_time"
VERIFIED = "improvement.art7.closed_verified"
IMPROVEMENT = "improvement.art12.improvement_actions_on_time"


def run(code):
    check = next(c for c in conformance.checks() if c.code == code)
    return check.function()


def labels(result, reader=SYSTEM):
    return sorted(f.label for f in result.failing_for(reader).objects)


def ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def test_the_checks_are_registered_against_articles_7_and_12():
    articles = {c.code: c.article for c in conformance.checks()
                if c.code.startswith("improvement.")}
    assert articles == {PLAN: "7", ACTIONS: "7", VERIFIED: "7", IMPROVEMENT: "12"}


def test_nothing_recorded_is_not_applicable(org):
    for code in (PLAN, ACTIONS, VERIFIED, IMPROVEMENT):
        result = run(code)
        assert result.status == NOT_APPLICABLE and result.detail, code


def test_a_major_plan_fails_once_its_deadline_passes(org):
    make_nc(org.sales, title="minor, late", raised_on=ago(60))  # minors are not counted
    in_time = make_nc(org.sales, title="in time", severity="major", raised_on=ago(10))
    assert run(PLAN).status == PASS
    late = make_nc(org.it, title="late", severity="major", raised_on=ago(31))
    result = run(PLAN)
    assert (result.status, result.failing_count) == (FAIL, 1)
    assert labels(result) == [str(late)]
    # The manager of Sales is told of it, not shown it.
    seen = result.failing_for(org.users["manager"])
    assert (seen.objects, seen.outside_scope) == ([], 1)
    # Approving the plan puts it right.
    late.root_cause = "原因"
    late.save()
    make_action(late, org.people["it_staff"], due_on=timezone.localdate())
    workflow.approve_plan(org.users["ciso"], late)
    assert run(PLAN).status == PASS
    assert in_time.plan_due_on > timezone.localdate()


def test_an_overdue_corrective_action_fails_until_done(org):
    nc = make_nc(org.sales)
    make_action(nc, org.people["staff"], due_on=timezone.localdate())
    assert run(ACTIONS).status == PASS
    late = make_action(nc, org.people["staff"], title="遅れた処置", due_on=ago(1))
    result = run(ACTIONS)
    assert result.status == FAIL and labels(result) == [str(late)]
    late.done_on = ago(0)
    late.save()
    assert run(ACTIONS).status == PASS


def test_a_closed_nonconformity_without_an_effective_check_fails(org):
    nc = make_nc(org.sales, root_cause="原因")
    make_action(nc, org.people["staff"], done_on=ago(2))
    ciso = org.users["ciso"]
    workflow.approve_plan(ciso, nc)
    workflow.record_check(ciso, nc, effective=True, notes="確認")
    workflow.close(ciso, nc)
    assert run(VERIFIED).status == PASS
    # Closed by a door that skips the steps (an old register's import, a database edit).
    skipped = make_nc(org.it, title="closed without a check")
    Nonconformity.objects.filter(pk=skipped.pk).update(status="closed")
    result = run(VERIFIED)
    assert result.status == FAIL and labels(result) == [str(skipped)]


def test_an_overdue_improvement_action_fails_until_done_or_declined(org):
    action = ImprovementAction.objects.create(title="周知", department=org.sales,
                                              raised_on=ago(40), due_on=ago(0))
    assert run(IMPROVEMENT).status == PASS
    ImprovementAction.objects.filter(pk=action.pk).update(due_on=ago(1))
    result = run(IMPROVEMENT)
    assert result.status == FAIL and labels(result) == [str(action)]
    action.refresh_from_db()
    action.status, action.completed_on, action.outcome = "declined", ago(0), "費用対効果が低い"
    action.full_clean()
    action.save()
    assert run(IMPROVEMENT).status == PASS


def test_overdue_actions_are_escalated_once(org):
    from django.core import mail

    from mamori.improvement.tasks import escalate_overdue_actions
    from mamori.org.models import Person

    for name, address in (("staff", "staff@example.jp"), ("manager", "manager@example.jp")):
        Person.objects.filter(pk=org.people[name].pk).update(email=address)
    nc = make_nc(org.sales_east)
    late = make_action(nc, org.people["staff"], due_on=ago(2))
    make_action(nc, org.people["staff"], title="期限内", due_on=ago(-5))
    ImprovementAction.objects.create(title="周知", department=org.sales, raised_on=ago(30),
                                     due_on=ago(1))
    assert escalate_overdue_actions.call() == 2
    # The owner and the manager of Sales (above Sales East) hear of the corrective action.
    assert sorted(tuple(m.to) for m in mail.outbox) == [
        ("manager@example.jp",), ("manager@example.jp", "staff@example.jp")]
    assert late.get_absolute_url() in next(m.body for m in mail.outbox if len(m.to) == 2)
    assert escalate_overdue_actions.call() == 0 and len(mail.outbox) == 2
    late.refresh_from_db()
    assert late.escalated_on == timezone.localdate()
