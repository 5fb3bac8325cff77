"""The Art 12 checks of the review app, each not applicable or failing without the records
it reads, passing with them, and failing again when a fact changes: (a) a review held within
its interval on a frozen pack, (b) every decision actioned and none overdue, (c) every
measure measured within its frequency, (d) every objective past its date achieved or
re-planned."""

import datetime

import pytest
from django.utils import timezone

from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM
from mamori.core.dates import add_months
from mamori.improvement.models import ImprovementAction
from mamori.review import workflow
from mamori.review.models import (
    Frequency,
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewSettings,
)
from mamori.review.tests.helpers import (
    days,
    frozen_review,
    make_decision,
    make_measure,
    make_objective,
    make_review,
)

pytestmark = pytest.mark.django_db
HELD = "review.art12.review_held"
DECISIONS = "review.art12.decisions_actioned"
MEASURED = "review.art12.measures_current"
OBJECTIVES = "review.art12.objectives_on_track"


def run(code):
    return conformance.check_named(code).function()


def labels(result, reader=SYSTEM):
    return sorted(f.label for f in result.failing_for(reader).objects)


def test_the_four_checks_are_registered_against_article_12():
    articles = {c.code: c.article for c in conformance.checks() if c.code.startswith("review.")}
    assert articles == {HELD: "12", DECISIONS: "12", MEASURED: "12", OBJECTIVES: "12"}
    # The basic policy's own review check stays with the policies app.
    assert any(c.article == "12" and c.code.startswith("policies.")
               for c in conformance.checks())


def held_review(org, held_on):
    review = frozen_review(org, held_on=held_on)
    workflow.hold(org.users["ciso"], review, "議事録")
    return review


def test_a_review_is_held_within_its_interval(org):
    assert run(HELD).status == FAIL  # never held
    preparing = make_review(org, held_on=days(20))
    result = run(HELD)
    assert (result.status, labels(result)) == (FAIL, [str(preparing)])
    held_review(org, days(-30))
    result = run(HELD)
    assert (result.status, result.value) == (PASS, days(-30).isoformat())


def test_the_interval_follows_the_settings(org):
    held_review(org, add_months(timezone.localdate(), -7))
    assert run(HELD).status == PASS
    settings = ReviewSettings.current()
    settings.interval_months = 6
    settings.save()
    assert run(HELD).status == FAIL


def test_a_review_without_a_frozen_pack_does_not_count(org):
    review = frozen_review(org, held_on=days(-3))
    assert run(HELD).status == FAIL  # frozen, but its minutes are not recorded
    workflow.hold(org.users["ciso"], review, "議事録")
    assert run(HELD).status == PASS
    # A review marked held around Mamori's steps, with no pack, is not counted.
    ManagementReview.objects.create(title="手入力", held_on=days(-1), chair=org.people["ciso"])
    ManagementReview.objects.filter(pack__isnull=True).update(status="held")
    held = ManagementReview.objects.filter(status="held").order_by("-held_on").first()
    assert held.held_on == days(-1)
    assert run(HELD).value == days(-3).isoformat()


def test_every_decision_has_its_action_on_time(org):
    assert run(DECISIONS).status == NOT_APPLICABLE
    review = frozen_review(org)
    on_time = make_decision(org, review, due_on=days(10))
    assert run(DECISIONS).status == PASS
    late = make_decision(org, review, decision="委託先監査", due_on=days(10))
    ImprovementAction.objects.filter(pk=late.action_id).update(due_on=days(-1))
    result = run(DECISIONS)
    assert (result.status, result.failing_count, labels(result)) == (FAIL, 1, [str(late)])
    # Done, the action no longer fails the check.
    ImprovementAction.objects.filter(pk=late.action_id).update(status="done",
                                                                 completed_on=days(0))
    assert run(DECISIONS).status == PASS
    # A decision whose action went missing (written around Mamori) fails.
    from mamori.review.models import ReviewDecision

    ReviewDecision.objects.filter(pk=on_time.pk).update(action=None)
    assert labels(run(DECISIONS)) == [str(ReviewDecision.objects.get(pk=on_time.pk))]


def test_every_measure_is_measured_within_its_frequency(org):
    Measure.objects.update(active=False)  # the built-in ones are measured by their task
    assert run(MEASURED).status == NOT_APPLICABLE
    monthly = make_measure("survey", unit="number", frequency=Frequency.MONTHLY)
    yearly = make_measure("drill", unit="count", frequency=Frequency.YEARLY)
    result = run(MEASURED)
    assert (result.status, result.failing_count) == (FAIL, 2)
    today = timezone.localdate()
    last_month = add_months(today, -1)
    Measurement.objects.create(measure=monthly, period=last_month, value=4)
    Measurement.objects.create(measure=yearly, period=datetime.date(today.year - 1, 6, 1),
                               value=1)
    assert run(MEASURED).status == PASS  # last month's, last year's: both still current
    Measurement.objects.filter(measure=monthly).update(period=add_months(today, -2))
    result = run(MEASURED)
    assert (result.status, labels(result)) == (FAIL, [str(monthly)])
    monthly.active = False
    monthly.save()
    assert run(MEASURED).status == PASS


def test_every_objective_past_its_date_is_achieved_or_replanned(org):
    assert run(OBJECTIVES).status == NOT_APPLICABLE
    make_objective(org, title="来年", target_on=days(100))
    late = make_objective(org, title="期限切れ", target_on=days(100))
    Objective.objects.filter(pk=late.pk).update(target_on=days(-1))
    result = run(OBJECTIVES)
    assert (result.status, labels(result)) == (FAIL, [str(Objective.objects.get(pk=late.pk))])
    # Re-planned with a reason: a new target date, the first one kept.
    late.refresh_from_db()
    late.target_on = days(60)
    late.replan_reason = "予算の承認待ち"
    late.full_clean()
    late.save()
    late.refresh_from_db()
    assert (late.first_target_on, late.replanned_count) == (days(100), 1)
    assert run(OBJECTIVES).status == PASS
    # Achieved, a late objective passes too.
    Objective.objects.filter(pk=late.pk).update(target_on=days(-1), status="achieved",
                                                achieved_on=days(-2))
    assert run(OBJECTIVES).status == PASS


def test_a_moved_target_date_needs_a_reason(org):
    objective = make_objective(org, target_on=days(30))
    objective.target_on = days(90)
    with pytest.raises(Exception) as refused:
        objective.full_clean()
    assert "replan_reason" in refused.value.message_dict
