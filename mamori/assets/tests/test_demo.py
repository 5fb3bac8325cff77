"""The demo's assets, controls and risks (mamori.assets.demo, mamori.controls.demo,
mamori.risks.demo) on top of the demo organisation: realistic registers whose Art 3 and Art 5
checks pass and fail where the demo means them to."""

import datetime
import io

import pytest
from django.db.models import Count, F
from django.utils import timezone

from mamori.assets import conformance as asset_checks
from mamori.assets.demo import ASSETS, STAFF_LOGIN_ASSET, load_asset_demo
from mamori.assets.models import Asset
from mamori.controls import conformance as control_checks
from mamori.controls.coverage import framework_coverage
from mamori.controls.demo import CONTROLS, EXPIRED, load_control_demo
from mamori.controls.models import Control, Evidence, Framework, Requirement, Theme
from mamori.core import changelog
from mamori.core.conformance import FAIL, PASS, SYSTEM
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.org.models import Appointment
from mamori.risks import conformance as risk_checks
from mamori.risks.demo import EXPIRED_ACCEPTANCE, RISKS, load_risk_demo
from mamori.risks.models import Risk, RiskAcceptance, RiskMethodology

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
STEPS = (load_asset_demo, load_control_demo, load_risk_demo)


@pytest.fixture
def demo(tmp_path):
    load_demo(tmp_path, io.StringIO())
    return [step(DEFAULT_SEED) for step in STEPS]


def counts():
    return (Asset.objects.count(), Asset.depends_on.through.objects.count(),
            Control.objects.count(), Evidence.objects.count(),
            Requirement.controls.through.objects.count(),
            Requirement.objects.filter(applicable__isnull=False).count(),
            Risk.objects.count(), Risk.assets.through.objects.count(),
            Risk.controls.through.objects.count(), RiskAcceptance.objects.count(),
            ChangeLogEntry.objects.count())


def test_the_steps_run_after_the_organisation_in_order():
    steps = demo_steps()
    assert all(step in steps for step in STEPS)
    assert [steps.index(step) for step in STEPS] == sorted(steps.index(step) for step in STEPS)


def test_assets(demo):
    assert demo[0] == len(ASSETS) and 40 <= len(ASSETS) <= 60
    assert Asset.objects.values("department").distinct().count() >= 15
    for asset in Asset.objects.select_related("custodian"):
        assert asset.custodian.department_id == asset.department_id, asset.code
        assert asset.classification_id, asset.code
    assert set(Asset.objects.values_list("classification__code", flat=True)) == {
        "public", "internal", "confidential", "top-secret"}
    cards = Asset.objects.get(code="CB-CARDDB")
    assert cards.has_card_data and cards.has_personal_info
    assert cards.data_subjects == 1_200_000 and cards.classification.code == "top-secret"
    assert Asset.objects.get(code="HR-DATA").has_sensitive_personal_info
    assert Asset.objects.get(code="MS-FORMS").location.endswith("書庫")
    # The member web site runs on the payment gateway, which runs on the core servers.
    web = Asset.objects.get(code="IT-WEB")
    assert web.depends_on.filter(code="IT-PAYGW").exists()
    assert web.depends_on.get(code="IT-PAYGW").depends_on.filter(code="IT-CORE").exists()
    assert Asset.objects.get(code=STAFF_LOGIN_ASSET).custodian.user.username == "staff"
    assert set(Asset.objects.values_list("status", flat=True)) == {
        Asset.Status.IN_USE, Asset.Status.PLANNED, Asset.Status.DISPOSED}


def test_controls_evidence_and_statement_of_applicability(demo):
    assert demo[1] == len(CONTROLS) and 28 <= len(CONTROLS) <= 40
    by_theme = dict(Control.objects.values_list("theme").annotate(n=Count("pk")))
    assert set(by_theme) == set(Theme.values) and min(by_theme.values()) >= 5
    assert set(Control.objects.filter(theme=Theme.PEOPLE).values_list(
        "department__code", flat=True)) <= {"D110", "D700"}
    assert not Control.objects.filter(owner__isnull=True).exists()
    ciso = Appointment.objects.current().get(role=Appointment.Role.CISO).person
    assert Control.objects.filter(owner=ciso).exists()
    statuses = dict(Control.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[Control.Status.IMPLEMENTED] > 25
    assert statuses[Control.Status.PARTIAL] >= 3 and statuses[Control.Status.PLANNED] >= 1

    today = timezone.localdate()
    assert Evidence.objects.filter(kind=Evidence.Kind.LINK).exists()
    assert Evidence.objects.filter(kind=Evidence.Kind.NOTE).exclude(note="").exists()
    assert not Evidence.objects.filter(collected_on__gt=today).exists()
    assert not Evidence.objects.filter(expires_on__lte=F("collected_on")).exists()

    access = Control.objects.get(code="C-ORG-04")
    assert {"iso27001-2022:5.15", "iso27001-2022:5.18", "iso27001-2022:8.3",
            "appi-safety-measures:10-6-1"} <= set(access.requirements.values_list(
                "uid", flat=True))
    iso, appi = Framework.objects.get(code="iso27001-2022"), Framework.objects.get(
        code="appi-safety-measures")
    assert iso.in_soa and appi.in_soa and not Framework.objects.get(code="nist-csf-2-0").in_soa
    excluded = Requirement.objects.filter(framework=iso, applicable=False)
    assert set(excluded.values_list("ref", flat=True)) == {"8.4", "8.28"}
    assert all(r.justification for r in excluded)
    assert not excluded.filter(controls__isnull=False).exists()
    for framework in (iso, appi):
        coverage = framework_coverage(framework)
        assert coverage.undecided == 0
        assert coverage.mapped == coverage.applicable  # every applicable line has a control
        assert not Requirement.objects.filter(framework=framework, is_group=False,
                                              applicable=True, justification="").exists()


def test_risks_and_acceptances(demo):
    assert demo[2] == len(RISKS) and 35 <= len(RISKS) <= 50
    assert set(Risk.objects.values_list("threat__code", flat=True)) == {
        "unauthorised-access", "tampering", "damage", "loss", "leakage"}
    assert set(Risk.objects.values_list("treatment", flat=True)) == {*Risk.Treatment.values, ""}
    assert not Risk.objects.filter(owner__isnull=True).exists()
    assert Risk.objects.filter(residual_score__isnull=False).count() > 0.8 * len(RISKS)
    appetite = RiskMethodology.current().appetite
    assert Risk.objects.filter(inherent_score__gt=appetite).count() > 20
    # Reduced risks are reduced by controls and not rated worse afterwards.
    reduced = Risk.objects.filter(treatment=Risk.Treatment.REDUCE)
    assert not reduced.filter(controls__isnull=True).exists()
    for risk in Risk.objects.filter(residual_score__isnull=False):
        assert risk.residual_score <= risk.inherent_score, risk.code

    acceptances = RiskAcceptance.objects.select_related("risk", "accepted_by")
    assert acceptances.count() == 3
    months = RiskMethodology.current().acceptance_months
    for acceptance in acceptances:
        acceptance.full_clean()  # accepted by the CISO of the day, within the longest term
        assert acceptance.risk.treatment == Risk.Treatment.ACCEPT
        assert acceptance.risk.assessed_on < acceptance.accepted_on
        assert acceptance.score_accepted == acceptance.risk.current_score > appetite
        assert (acceptance.expires_on - acceptance.accepted_on
                <= datetime.timedelta(days=round(months * 30.44)))
    ciso = Appointment.objects.current().get(role=Appointment.Role.CISO).person
    in_force = acceptances.in_force()
    assert in_force.count() == 2 and {a.accepted_by for a in in_force} == {ciso}
    expired = acceptances.exclude(pk__in=in_force.values("pk")).get()
    assert expired.risk.code == EXPIRED_ACCEPTANCE
    assert expired.expires_on < timezone.localdate()


def test_conformance_passes_and_fails_where_intended(demo):
    def failing(result):
        return [f.label.split()[0] for f in result.failing_for(SYSTEM).objects]

    manager = asset_checks.asset_has_accountable_manager()
    assert manager.status == FAIL and failing(manager) == ["GA-CCTV"]
    assert asset_checks.personal_info_classified().status == PASS
    evidence = control_checks.implemented_controls_have_evidence()
    assert evidence.status == FAIL and sorted(failing(evidence)) == sorted(EXPIRED)
    treated = risk_checks.above_appetite_treated()
    assert treated.status == FAIL and failing(treated) == [EXPIRED_ACCEPTANCE]
    assessed = risk_checks.personal_info_assessed()
    assert assessed.status == FAIL and failing(assessed) == ["HR-RECRUIT"]


def test_idempotent_and_the_change_log_verifies(demo):
    before = counts()
    assert [step(DEFAULT_SEED) for step in STEPS] == [0, 0, 0]
    assert counts() == before
    verdict = changelog.verify()
    assert verdict.ok, verdict.problem
    for model in ("assets.asset", "controls.control", "risks.risk", "risks.riskacceptance"):
        entry = ChangeLogEntry.objects.filter(model=model).first()
        assert (entry.actor_name, entry.source) == ("command:demo", "command"), model


def test_nothing_without_the_demo_organisation(org):
    assert [step(DEFAULT_SEED) for step in STEPS] == [0, 0, 0]
    assert not Asset.objects.exists()
    assert not Control.objects.exists()
    assert not Risk.objects.exists()


def test_the_demo_information_manager_keeps_evidence_of_their_own_controls(demo):
    """Signing in as `manager` (information manager of カード事業部) shows their core job:
    controls of their departments, one with its evidence run out, which they may update."""
    from mamori.core.models import User
    from mamori.core.scope import CHANGE

    manager = User.objects.get(username="manager")
    theirs = Control.objects.restrict(manager, CHANGE).filter(code__startswith="C-BIZ-")
    assert sorted(theirs.values_list("code", flat=True)) == ["C-BIZ-01", "C-BIZ-02", "C-BIZ-03"]
    today = timezone.localdate()
    overdue = [c.code for c in theirs if not c.evidence.filter(expires_on__gt=today).exists()]
    assert overdue == ["C-BIZ-01"]
