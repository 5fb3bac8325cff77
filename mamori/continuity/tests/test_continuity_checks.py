"""The Art 10 checks: each passes on a process that meets it and fails when one fact
changes; impact analyses derive their tolerable period and are kept once approved; only the
CISO accepts a gap."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mamori.assets.tests.test_asset_models import make_asset
from mamori.continuity import conformance, workflow
from mamori.continuity.models import (
    AssetRecovery,
    ContinuityPlan,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
)
from mamori.continuity.tests.helpers import approved_bia, impacts, make_process
from mamori.core.models import ChangeLogEntry
from mamori.policies.models import PolicyDocument, PolicyVersion

pytestmark = pytest.mark.django_db


def status(check) -> str:
    return check().status


def plan_for(org, process, *, published=True, review_in_days=100):
    document = PolicyDocument.objects.create(
        code=f"bcp-{process.code.lower()}", kind=PolicyDocument.Kind.CONTINUITY_PLAN,
        title_ja="計画", owner_department=process.department,
        next_review_date=timezone.localdate() + datetime.timedelta(days=review_in_days))
    PolicyVersion.objects.create(document=document, number=1, body_ja="本文",
                                 status="published" if published else "draft")
    plan = ContinuityPlan.objects.create(document=document, activation_criteria="停止時")
    plan.processes.add(process)
    return plan


def exercised(process, hours, days_ago=30):
    held = timezone.localdate() - datetime.timedelta(days=days_ago)
    exercise = Exercise.objects.create(title="訓練", kind="failover",
                                       department=process.department, planned_on=held,
                                       held_on=held, scenario="停電")
    return ExerciseResult.objects.create(exercise=exercise, process=process,
                                         recovered_in_hours=hours)


def test_a_critical_process_without_an_analysis_fails_the_bia_check(org):
    process = make_process(org.sales, "BP-1")
    assert status(conformance.current_bia) == "fail"
    approved_bia(process)
    assert status(conformance.current_bia) == "pass"
    ImpactAnalysis.objects.update(review_due_on=timezone.localdate() - datetime.timedelta(
        days=1))
    assert status(conformance.current_bia) == "fail"


def test_a_process_tolerable_beyond_the_threshold_is_not_critical(org):
    approved_bia(make_process(org.sales, "BP-1"), rto="100", intolerable_at=168)
    assert status(conformance.current_bia) == "n/a"


def test_the_plan_check_needs_a_published_plan_within_its_review(org):
    process = make_process(org.sales, "BP-1")
    approved_bia(process)
    assert status(conformance.covered_by_plan) == "fail"
    plan = plan_for(org, process)
    assert status(conformance.covered_by_plan) == "pass"
    PolicyDocument.objects.filter(pk=plan.document_id).update(
        next_review_date=timezone.localdate() - datetime.timedelta(days=1))
    assert status(conformance.covered_by_plan) == "fail"


def test_the_exercise_check_compares_with_the_current_rto(org):
    process = make_process(org.sales, "BP-1")
    analysis = approved_bia(process, rto="2")
    assert status(conformance.exercised) == "fail"  # never exercised
    exercised(process, Decimal("1.5"))
    assert status(conformance.exercised) == "pass"
    ImpactAnalysis.objects.filter(pk=analysis.pk).update(rto_hours=Decimal(1))
    assert status(conformance.exercised) == "fail"  # the objective tightened: missed now
    ExerciseResult.objects.update(recovered_in_hours=Decimal("0.5"))
    Exercise.objects.update(held_on=timezone.localdate() - datetime.timedelta(days=400))
    assert status(conformance.exercised) == "fail"  # too long ago


def test_the_gap_check_fails_until_the_gap_is_fixed_or_accepted(org):
    process = make_process(org.sales, "BP-1")
    approved_bia(process, rto="2", rpo="24")
    asset = make_asset(org.sales, "A-1")
    dependency = Dependency.objects.create(process=process, kind="asset", asset=asset,
                                           alternative="予備機")
    assert status(conformance.dependency_gaps) == "fail"  # recovery not shown
    recovery = AssetRecovery.objects.create(asset=asset, recovery_hours=3,
                                            backup_interval_hours=1,
                                            demonstrated_on=timezone.localdate())
    assert status(conformance.dependency_gaps) == "fail"  # 3 h against an RTO of 2 h
    GapAcceptance.objects.create(dependency=dependency, gap="rto", reason="来期更改",
                                 expires_on=timezone.localdate() + datetime.timedelta(days=9))
    assert status(conformance.dependency_gaps) == "pass"
    GapAcceptance.objects.update(expires_on=timezone.localdate() - datetime.timedelta(days=1),
                                 accepted_on=timezone.localdate() - datetime.timedelta(days=9))
    assert status(conformance.dependency_gaps) == "fail"  # the acceptance lapsed
    AssetRecovery.objects.filter(pk=recovery.pk).update(recovery_hours=2)
    assert status(conformance.dependency_gaps) == "pass"  # fixed


def test_a_dependency_without_an_alternative_is_a_gap(org):
    process = make_process(org.sales, "BP-1")
    approved_bia(process, rto="8")
    Dependency.objects.create(process=process, kind="role", name="当番", recovery_hours=1)
    assert status(conformance.dependency_gaps) == "fail"


def test_the_tolerable_period_is_derived_from_the_scores_on_every_save(org):
    process = make_process(org.sales, "BP-1")
    analysis = ImpactAnalysis.objects.create(process=process, impacts=impacts(24),
                                             rto_hours=4, rpo_hours=1)
    assert analysis.mtpd_hours == 24
    analysis.impacts = impacts(None)
    analysis.save()
    analysis.refresh_from_db()
    assert analysis.mtpd_hours is None


def test_an_rto_longer_than_the_tolerable_period_is_refused_by_field(org):
    analysis = ImpactAnalysis(process=make_process(org.sales, "BP-1"), impacts=impacts(4),
                              rto_hours=8, rpo_hours=1)
    with pytest.raises(ValidationError) as raised:
        analysis.full_clean()
    assert "rto_hours" in raised.value.message_dict


def test_a_score_missing_from_the_grid_is_refused(org):
    scores = impacts(4)
    del scores["legal"]["24"]
    analysis = ImpactAnalysis(process=make_process(org.sales, "BP-1"), impacts=scores,
                              rto_hours=1, rpo_hours=1)
    with pytest.raises(ValidationError) as raised:
        analysis.full_clean()
    assert "impacts" in raised.value.message_dict


def test_the_manager_approves_and_the_analysis_is_then_kept(org):
    process = make_process(org.sales, "BP-1")
    analysis = ImpactAnalysis.objects.create(process=process, impacts=impacts(24),
                                             rto_hours=4, rpo_hours=1)
    outsider = make_process(org.it, "BP-2")
    other = ImpactAnalysis.objects.create(process=outsider, impacts=impacts(24),
                                          rto_hours=4, rpo_hours=1)
    client = org.client("manager")
    response = client.post(reverse("continuity:impactanalysis_approve", args=[other.pk]))
    assert response.status_code == 404
    before = ChangeLogEntry.objects.count()
    client.post(reverse("continuity:impactanalysis_approve", args=[analysis.pk]))
    analysis.refresh_from_db()
    assert analysis.status == "approved" and analysis.approved_by == org.people["manager"]
    assert analysis.review_due_on > timezone.localdate()
    assert ChangeLogEntry.objects.count() == before + 1
    edit = client.get(reverse("continuity:impactanalysis_update", args=[analysis.pk]))
    assert edit.status_code == 404  # approved: kept as approved
    with pytest.raises(PermissionDenied):  # nothing left to approve
        workflow.approve(org.users["ciso"], analysis)


def test_only_the_ciso_accepts_a_gap(org):
    process = make_process(org.sales, "BP-1")
    dependency = Dependency.objects.create(process=process, kind="site", name="本社")
    data = {"dependency": dependency.pk, "gap": "single_point", "reason": "当面受容",
            "accepted_on": timezone.localdate().isoformat(),
            "expires_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat()}
    url = reverse("continuity:gapacceptance_create")
    assert org.client("manager").post(url, data).status_code == 403
    assert not GapAcceptance.objects.exists()
    response = org.client("ciso").post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    acceptance = GapAcceptance.objects.get()
    assert acceptance.accepted_by == org.people["ciso"]
    # The manager reads it (their process), the page shows no edit for them.
    page = org.client("manager").get(acceptance.get_absolute_url())
    assert page.status_code == 200 and page.context["can_change"] is False


def test_an_exercise_raises_an_improvement_action_linked_to_it(org):
    from mamori.improvement.models import ImprovementAction

    process = make_process(org.sales, "BP-1")
    result = exercised(process, Decimal(5))
    exercise = result.exercise
    client = org.client("manager")
    page = client.get(exercise.get_absolute_url())
    hrefs = {name: url for _label, url, name in page.context["raise_links"]}
    assert set(hrefs) == {"nonconformity", "improvementaction"}
    form = client.get(hrefs["improvementaction"]).context["form"]
    assert form.initial["source"] == "exercise"
    assert form.initial["source_reference"] == exercise.code
    assert form.initial["department"] == org.sales.pk
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(hrefs["improvementaction"], {
        "title": "HSM鍵の読み込み手順を計画に追記", "source": "exercise",
        "source_reference": exercise.code, "department": org.sales.pk,
        "raised_on": timezone.localdate().isoformat(), "due_on": due, "status": "open"})
    assert response.status_code == 302, response.context["form"].errors
    action = ImprovementAction.objects.get()
    assert action.source_object() == exercise
    assert [r.pk for r in client.get(exercise.get_absolute_url()).context[
        "raised_records"]] == [action.pk]
    # Staff, who may not see the exercise, are offered nothing and refused.
    assert org.client("staff").get(exercise.get_absolute_url()).status_code in (403, 404)


def test_a_process_page_finds_a_gap_two_processes_away(org):
    first, second, third = (make_process(org.sales, f"BP-{n}") for n in (1, 2, 3))
    approved_bia(first, rto="2")
    Dependency.objects.create(process=first, kind="process", upstream=second,
                              alternative="手作業")
    Dependency.objects.create(process=second, kind="process", upstream=third,
                              alternative="手作業")
    Dependency.objects.create(process=third, kind="process", upstream=second,
                              alternative="手作業")  # a circle below the first
    asset = make_asset(org.it, "A-SLOW")
    AssetRecovery.objects.create(asset=asset, recovery_hours=10, backup_interval_hours=1,
                                 demonstrated_on=timezone.localdate())
    Dependency.objects.create(process=third, kind="asset", asset=asset, alternative="予備")
    page = org.client("manager").get(first.get_absolute_url())
    (_dependency, found), = page.context["dependencies"]
    assert [(gap.kind, gap.found) for gap, _label, _accepted in found] == [("rto", 10)]
    assert status(conformance.dependency_gaps) == "fail"


def test_my_page_lists_approvals_reviews_and_gaps(org):
    process = make_process(org.sales, "BP-1")
    draft = ImpactAnalysis.objects.create(process=process, impacts=impacts(24), rto_hours=4,
                                          rpo_hours=1)
    due = approved_bia(make_process(org.sales, "BP-2"),
                       approved_on=timezone.localdate() - datetime.timedelta(days=350))
    Dependency.objects.create(process=due.process, kind="site", name="本社",
                              recovery_hours=1)  # no alternative: a gap for the CISO
    url = reverse("core:my_page")
    manager = org.client("manager").get(url).content.decode()
    assert 'data-testid="bia-to-approve"' in manager and draft.process.code in manager
    assert 'data-testid="bia-review-due"' in manager
    assert 'data-testid="process-with-gaps"' not in manager  # the CISO's to accept
    ciso = org.client("ciso").get(url).content.decode()
    assert 'data-testid="process-with-gaps"' in ciso
    assert 'data-testid="continuity-todo"' not in org.client("staff").get(url).content.decode()


def test_the_impact_read_alone_is_the_impact_on_the_whole_graph(org):
    from mamori.continuity import gaps

    one, two, three = (make_process(org.sales, f"BP-{n}") for n in (1, 2, 3))
    approved_bia(one, rto="2")
    approved_bia(two, rto="8", intolerable_at=24)
    asset = make_asset(org.sales, "A-1")
    AssetRecovery.objects.create(asset=asset, recovery_hours=4, backup_interval_hours=1,
                                 demonstrated_on=timezone.localdate())
    Dependency.objects.create(process=one, kind="asset", asset=asset)
    Dependency.objects.create(process=two, kind="process", upstream=one)
    Dependency.objects.create(process=one, kind="process", upstream=two, alternative="手作業")
    Dependency.objects.create(process=three, kind="site", name=" 本社 ", recovery_hours=3)
    Dependency.objects.create(process=two, kind="site", name="本社", recovery_hours=1,
                              alternative="在宅")
    for target in (("asset", asset.pk), ("site", "本社")):
        whole = gaps.load().impact_of(target)
        alone = gaps.load_impact(target)
        key = lambda rows: sorted(rows, key=lambda row: row["process"])  # noqa: E731
        assert key(alone) == key(whole) and whole, target


def test_the_impact_view_takes_any_target_the_user_may_see_and_no_other(org, monkeypatch):
    from mamori.continuity.views_impact import DependencyImpact

    monkeypatch.setattr(DependencyImpact, "LISTED", 0)  # as if the list were cut short
    mine, theirs = make_asset(org.sales, "A-MINE"), make_asset(org.it, "A-IT")
    process = make_process(org.sales, "BP-1")
    Dependency.objects.create(process=process, kind="asset", asset=mine)
    Dependency.objects.create(process=make_process(org.it, "BP-IT"), kind="asset",
                              asset=theirs)
    url = reverse("continuity:impact")
    client = org.client("manager")
    page = client.get(url, {"target": f"asset:{mine.pk}"})
    assert [row["object"] for row in page.context["rows"]] == [process]
    assert page.context["choices"][0][0] == f"asset:{mine.pk}"
    refused = client.get(url, {"target": f"asset:{theirs.pk}"})
    assert refused.context["asked"] is False and refused.context["rows"] == []
    assert b"BP-IT" not in refused.content
