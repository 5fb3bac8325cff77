"""A management review's steps: freezing its inputs into an immutable pack, recording the
decisions (each raising its improvement action, kept in step with it), and recording the
minutes; who may take each step, and what a review in each state still accepts."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from mamori.core.testing import concurrent_writes_possible, log_entries, run_at_once
from mamori.improvement.models import ImprovementAction, Source
from mamori.review import workflow
from mamori.review.calculators import share
from mamori.review.models import ManagementReview, Measurement, ReviewDecision, ReviewPack
from mamori.review.models.reviews import pack_digest
from mamori.review.tests.helpers import days, frozen_review, make_decision, make_review

pytestmark = pytest.mark.django_db
Status = ManagementReview.Status


def test_the_ciso_freezes_the_inputs_into_a_hashed_pack(org):
    review = make_review(org, feedback="監督官庁からの要請")
    pack = workflow.freeze(org.users["ciso"], review)
    review.refresh_from_db()
    assert review.status == Status.FROZEN
    assert review.frozen_by == org.people["ciso"] and review.frozen_at == pack.frozen_at
    # The period is written down with the pack: a year before the meeting, there being no
    # earlier review.
    assert review.period_start is not None and review.period_start < review.held_on
    assert pack.sha256 == pack_digest(pack.data) and pack.intact
    # The built-in measures of the current period were taken with it.
    assert Measurement.objects.filter(computed=True).exists()
    assert log_entries(pack, "create") and log_entries(review, "update")


def test_the_pack_lists_the_checks_of_the_conformance_it_recorded(org):
    """One evaluation serves both: the conformance measure recorded by the freeze and the
    pack's list of checks, so this month's cell of the heat map and the list agree."""
    pack = workflow.freeze(org.users["ciso"], make_review(org))
    conformance = pack.data["performance"]["conformance"]
    this_month = f"{timezone.localdate():%Y-%m}"
    for article in conformance["articles"]:
        applicable = article["passed"] + article["failed"]
        stored = article["months"].get(this_month)
        if not applicable:
            assert stored is None  # nothing to divide by: no value, never 0 or 100
            continue
        assert Decimal(stored) == share(article["passed"], applicable)


def test_freezing_waits_for_the_attendees_and_writes_nothing_until_then(org):
    review = make_review(org, attendees=())
    assert "freeze" in workflow.waiting_for(review)
    assert workflow.available_steps(org.users["ciso"], review) == []
    with pytest.raises(ValidationError):
        workflow.freeze(org.users["ciso"], review)
    review.refresh_from_db()
    assert review.status == Status.PREPARING
    assert not ReviewPack.objects.exists() and not Measurement.objects.exists()


@pytest.mark.parametrize("name", ["manager", "staff", "auditor"])
def test_only_the_ciso_and_administrators_take_the_steps(org, name):
    review = make_review(org)
    assert workflow.available_steps(org.users[name], review) == []
    with pytest.raises(PermissionDenied):
        workflow.freeze(org.users[name], review)
    assert [s.name for s in workflow.available_steps(org.users["admin"], review)] == ["freeze"]


def test_a_pack_is_frozen_once(org):
    review = frozen_review(org)
    with pytest.raises(PermissionDenied):  # a frozen review is not frozen again…
        workflow.freeze(org.users["staff"], review)
    with pytest.raises(ValidationError):  # …by anyone
        workflow.freeze(org.users["ciso"], review)
    assert ReviewPack.objects.count() == 1


def test_the_frozen_inputs_no_longer_change_through_any_door(org):
    review = frozen_review(org, feedback="当初の意見")
    review.feedback = "書き換え"
    with pytest.raises(ValidationError) as refused:
        review.save()
    assert "feedback" in refused.value.message_dict
    review.refresh_from_db()
    review.period_start = days(-10)
    with pytest.raises(ValidationError):
        review.save()
    # What is not an input (the title, the attendees' list) may still be corrected.
    review.refresh_from_db()
    review.title = "第 2 回"
    review.save()
    assert ManagementReview.objects.get(pk=review.pk).feedback == "当初の意見"


def test_the_pack_itself_is_never_changed_or_deleted(org):
    review = frozen_review(org)
    pack = ReviewPack.objects.get(review=review)
    stored = dict(pack.data)
    pack.data = {**pack.data, "feedback": "偽造"}
    with pytest.raises(ValidationError):
        pack.save()
    with pytest.raises(ValidationError):
        ReviewPack.objects.filter(pk=pack.pk).update(data={})
    with pytest.raises(ValidationError):
        ReviewPack.objects.filter(pk=pack.pk).delete()
    with pytest.raises(ValidationError):
        pack.delete()
    assert ReviewPack.objects.get(pk=pack.pk).data == stored


def test_a_forged_pack_is_seen_by_its_hash(org):
    review = frozen_review(org)
    # Written around Mamori (straight to the table): the stored hash no longer matches.
    with connection.cursor() as cursor:
        table = ReviewPack._meta.db_table  # the model's own name, not an input
        cursor.execute(f"UPDATE {table} SET data = %s WHERE id = %s",  # noqa: S608
                       ['{"feedback": "forged"}', review.pack.pk])
    assert not ReviewPack.objects.get(pk=review.pack.pk).intact


def test_a_decision_waits_for_the_frozen_inputs(org):
    review = make_review(org)
    decision = ReviewDecision(review=review, decision="x", department=org.sales,
                              owner=org.people["manager"], due_on=days(30))
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert "review" in refused.value.message_dict


def test_each_decision_raises_its_improvement_action(org):
    review = frozen_review(org)
    first = make_decision(org, review, decision="教育計画を見直す\n詳細は議事録")
    second = make_decision(org, review, decision="委託先監査を増やす", owner="it_staff",
                           department=org.it)
    assert (first.number, second.number) == (1, 2)
    action = ImprovementAction.objects.get(pk=first.action_id)
    assert action.source == Source.MANAGEMENT_REVIEW
    assert action.source_type == ContentType.objects.get_for_model(ManagementReview)
    assert action.source_id == review.pk and action.source_reference == review.code
    assert action.title == f"{review.code}-1 教育計画を見直す"
    assert (action.owner, action.department, action.due_on) == (
        org.people["manager"], org.sales, first.due_on)
    assert log_entries(action, "create")


def test_a_changed_decision_changes_its_action_in_the_same_save(org):
    review = frozen_review(org)
    decision = make_decision(org, review)
    decision.owner = org.people["it_staff"]
    decision.department = org.it
    decision.due_on = days(60)
    decision.save()
    action = ImprovementAction.objects.get(pk=decision.action_id)
    assert (action.owner, action.department, action.due_on) == (
        org.people["it_staff"], org.it, days(60))
    assert len(log_entries(action, "update")) == 1
    # A save that changes nothing the action reads leaves it alone.
    decision.save()
    assert len(log_entries(action, "update")) == 1


def test_the_minutes_are_recorded_after_the_meeting(org):
    review = frozen_review(org, held_on=days(5))
    assert "hold" in workflow.waiting_for(review)
    with pytest.raises(ValidationError):
        workflow.hold(org.users["ciso"], review, "議事録")
    ManagementReview.objects.filter(pk=review.pk).update(held_on=days(-1))
    review.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        workflow.hold(org.users["ciso"], review, "  ")
    assert "minutes" in refused.value.message_dict
    workflow.hold(org.users["ciso"], review, "承認した")
    review.refresh_from_db()
    assert (review.status, review.minutes, review.closed_on) == (Status.HELD, "承認した",
                                                                days(0))
    # A held review takes no more decisions, and nobody changes it.
    assert workflow.available_steps(org.users["ciso"], review) == []
    assert not ManagementReview.objects.restrict(org.users["ciso"], "change").filter(
        pk=review.pk).exists()
    late = ReviewDecision(review=review, decision="遅い決定", department=org.sales,
                          owner=org.people["manager"], due_on=days(30))
    with pytest.raises(ValidationError):
        late.full_clean()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_get_distinct_numbers(org):
    concurrent_writes_possible()
    review = frozen_review(org)
    writers = 8

    def decide(n):
        make_decision(org, ManagementReview.objects.get(pk=review.pk), decision=f"決定 {n}")

    assert not run_at_once(decide, writers)
    numbers = sorted(ReviewDecision.objects.filter(review=review).values_list("number",
                                                                              flat=True))
    assert numbers == list(range(1, writers + 1))
    assert ImprovementAction.objects.count() == writers


@pytest.mark.django_db(transaction=True)
def test_simultaneous_freezes_make_one_pack(org):
    concurrent_writes_possible()
    review = make_review(org)
    errors = run_at_once(lambda n: workflow.freeze(org.users["ciso"], review), 4)
    assert ReviewPack.objects.filter(review=review).count() == 1
    assert len(errors) == 3 and all(isinstance(e, ValidationError) for e in errors)
