"""The demo's legal register (mamori.compliance.demo) on top of the whole demo: every shipped
obligation decided, owned and mapped; evaluations mostly compliant with the partial, not
compliant and accepted ones the demo describes; the Art 11 check (a) failing for the one
obligation left overdue on purpose and (b) and (c) passing; a second run changing nothing."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from mamori.compliance import conformance, demo
from mamori.compliance.loader import read_sources
from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core.conformance import FAIL, PASS
from mamori.core.dates import add_months
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry
from mamori.improvement.models import Nonconformity
from mamori.org.demo import DEFAULT_SEED, load_demo


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_legal_register(tmp_path):
    load_demo(tmp_path, io.StringIO())
    # After the controls and incidents; only the management review's step (which reads
    # every register) comes later.
    steps = demo_steps()
    assert steps.index(demo.load_compliance_demo) == len(steps) - 2
    for step in demo_steps():
        step(DEFAULT_SEED)
    today = timezone.localdate()

    # Every shipped obligation decided: three do not apply, the rest do, each owned by a
    # department, mapped to a control and evaluated.
    shipped = {o.code for source in read_sources()[0] for o in source.obligations}
    assert set(Obligation.objects.values_list("code", flat=True)) == shipped
    assert not Obligation.objects.filter(applicability="undecided").exists()
    assert set(Obligation.objects.filter(applicability="not_applicable").values_list(
        "code", flat=True)) == set(demo.NOT_APPLICABLE)
    assert not Obligation.objects.filter(applicability_reason="").exists()
    applicable = Obligation.objects.applicable()
    assert applicable.count() == len(shipped) - 3
    assert not applicable.filter(department__isnull=True).exists()
    assert not applicable.filter(controls__isnull=True).exists()
    assert applicable.filter(evaluations__isnull=True).count() == 0
    owners = set(applicable.values_list("department__code", flat=True))
    assert {"D700", "D140", "D200", "D210", "D300", "D600", "D610", "D110"} <= owners

    # Mostly compliant: two partial, one not compliant (which raised its nonconformity), all
    # within the last year but the overdue one.
    latest = Evaluation.objects.latest_per_obligation()
    assert latest.count() == applicable.count()
    assert set(latest.filter(result="partial").values_list("obligation__code", flat=True)) == (
        set(demo.PARTIAL))
    not_compliant = Evaluation.objects.get(result="not_compliant")
    assert not_compliant.obligation.code == demo.NOT_COMPLIANT
    assert latest.exclude(result__in=["compliant", "partial", "not_compliant"]).count() == 0
    raised = Nonconformity.objects.get(
        source_type=ContentType.objects.get_for_model(Evaluation), source_id=not_compliant.pk)
    assert (raised.status, raised.department) == ("open", not_compliant.obligation.department)
    assert raised.plan_due_on >= today  # found lately: the Art 7 plan check still passes
    assert Evaluation.objects.exclude(obligation__code=demo.OVERDUE).filter(
        evaluated_on__lt=add_months(today, -12)).count() == 0
    assert len(set(Evaluation.objects.values_list("evaluator", flat=True))) >= 8

    # The CISO's one exception.
    exception = ComplianceException.objects.get()
    assert exception.obligation.code == demo.EXCEPTED
    assert exception.accepted_by.user.username == "ciso"
    assert exception.accepted_on <= today < exception.expires_on

    # The amendment next quarter: four assessments, one done; the past one's all done.
    upcoming = SourceVersion.objects.get(effective_on__gt=today)
    assert upcoming.source.code == "appi"
    assert upcoming.effective_on == demo.next_quarter(today)
    assert upcoming.effective_on.day == 1 and upcoming.effective_on.month in (1, 4, 7, 10)
    assessments = ImpactAssessment.objects.filter(amendment=upcoming)
    assert set(assessments.values_list("obligation__code", flat=True)) == set(
        demo.UPCOMING_AFFECTED)
    assert assessments.exclude(status="open").count() == 1
    past = ImpactAssessment.objects.filter(due_on__lt=today)
    assert past.count() == 3 and not past.filter(status="open").exists()

    # The two regulatory actions.
    report = RegulatoryAction.objects.get(kind="report_request")
    assert report.incidents.count() == 1 and report.status == "responded"
    assert RegulatoryAction.objects.get(kind="guidance").status == "closed"
    assert RegulatoryAction.objects.count() == 2

    # Art 11: (a) fails for the overdue obligation alone, (b) and (c) pass.
    kept = conformance.obligations_kept()
    assert kept.status == FAIL
    assert kept.failing_count == 1
    assert list(kept.failing_objects.values_list("code", flat=True)) == [demo.OVERDUE]
    assert conformance.non_compliance_handled().status == PASS
    assert conformance.amendments_assessed().status == PASS

    # Idempotent: a second run (the register's load included) writes nothing.
    logged = ChangeLogEntry.objects.count()
    counts = [model.objects.count() for model in (
        Obligation, Evaluation, ComplianceException, SourceVersion, ImpactAssessment,
        RegulatoryAction, Nonconformity)]
    assert demo.load_compliance_demo(DEFAULT_SEED) == 0
    assert ChangeLogEntry.objects.count() == logged
    assert [model.objects.count() for model in (
        Obligation, Evaluation, ComplianceException, SourceVersion, ImpactAssessment,
        RegulatoryAction, Nonconformity)] == counts
