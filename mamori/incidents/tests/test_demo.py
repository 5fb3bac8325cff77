"""The demo's incidents (mamori.incidents.demo) on top of the demo organisation and its assets,
controls and risks: a history whose timelines, assessments and reports hang together, and
whose Art 5 and Art 11 checks pass and fail where the demo means them to."""

import datetime
import io

import pytest
from django.utils import timezone

from mamori.assets.demo import load_asset_demo
from mamori.controls.demo import load_control_demo
from mamori.core import changelog
from mamori.core.conformance import FAIL, PASS, SYSTEM
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry
from mamori.incidents import breach
from mamori.incidents import conformance as checks
from mamori.incidents.demo import (
    CALL_TITLE,
    EMAIL_TITLE,
    LAPTOP_TITLE,
    PHISHING_TITLE,
    RANSOMWARE_TITLE,
    SKIMMING_TITLE,
    TITLES,
    load_incident_demo,
)
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    IncidentEntry,
    RecoveryAction,
    RegulatoryReport,
)
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.org.models import Appointment
from mamori.risks.demo import load_risk_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
STEPS = (load_asset_demo, load_control_demo, load_risk_demo, load_incident_demo)
Recipient, Kind = RegulatoryReport.Recipient, RegulatoryReport.Kind


@pytest.fixture
def demo(tmp_path):
    load_demo(tmp_path, io.StringIO())
    return [step(DEFAULT_SEED) for step in STEPS]


def incident(title) -> Incident:
    return Incident.objects.get(title=title)


def aware_on(incident) -> datetime.date:
    return breach.awareness_date(incident.awareness)


def counts():
    return (Incident.objects.count(), IncidentEntry.objects.count(),
            BreachAssessment.objects.count(), RegulatoryReport.objects.count(),
            RecoveryAction.objects.count(), Incident.assets.through.objects.count(),
            Incident.risks.through.objects.count(), Incident.controls.through.objects.count(),
            ChangeLogEntry.objects.count())


def test_the_step_runs_after_the_risks():
    steps = demo_steps()
    assert steps.index(load_incident_demo) > steps.index(load_risk_demo)


def test_a_history_of_incidents(demo):
    assert demo[3] == len(TITLES) == Incident.objects.count()
    now, today = timezone.now(), timezone.localdate()
    codes = set()
    for item in Incident.objects.all():
        item.full_clean()  # as the forms would have it: stages after awareness
        codes.add(item.code)
        assert item.code.startswith(f"INC-{timezone.localtime(item.noticed_at).year}-")
        assert item.reported_by and item.reported_by.department_id, item.code
        assert item.noticed_at <= now and item.contain_due_at and item.recover_due_at
        stages = [getattr(item, name) for _status, name in Incident.STAGES]
        reached = [s for s in stages if s]
        assert reached == sorted(reached) and all(s <= now for s in reached), item.code
        assert stages[:len(reached)] == reached, item.code  # no stage skipped
        entries = list(item.entries.all())
        assert entries, item.code
        assert all(item.awareness <= e.at <= now for e in entries), item.code
        # One status line per stage reached, at the moment it was reached.
        moves = [e.at for e in entries if e.kind == IncidentEntry.Kind.STATUS]
        assert moves == reached, item.code
        for action in item.recovery_actions.all():
            action.full_clean()
            assert action.owner_id and action.due_on >= aware_on(item)
            assert action.done_on is None or action.done_on <= today
    assert len(codes) == len(TITLES)
    statuses = dict(Incident.objects.values_list("title", "status"))
    assert statuses[RANSOMWARE_TITLE] == Incident.Status.CONTAINED
    assert [s for s in statuses.values() if s == Incident.Status.CLOSED] == [
        Incident.Status.CLOSED] * 4
    assert Incident.objects.filter(status=Incident.Status.REPORTED,
                                   personal_data_suspected=True,
                                   assessment__isnull=True).count() == 1
    for item in Incident.objects.filter(status=Incident.Status.CLOSED):
        assert item.root_cause and item.lessons_learned, item.code
    # Linked to the registers where the demo has them.
    skimming = incident(SKIMMING_TITLE)
    assert set(skimming.risks.values_list("code", flat=True)) == {"R-003", "R-010"}
    assert skimming.assets.filter(code="IT-WEB").exists()
    assert skimming.controls.filter(code="C-TEC-10").exists()
    assert set(skimming.threats.values_list("code", flat=True)) == {"tampering", "leakage"}
    assert not Incident.objects.filter(assets__isnull=True).exclude(
        status=Incident.Status.REPORTED).exists()
    # The demo's `staff` login reported the newest one, so it has an open report to see.
    call = incident(CALL_TITLE)
    assert call.reported_by.user.username == "staff"
    assert call.status == Incident.Status.REPORTED and call.recover_due_at > now
    assert call.entries.get().kind == IncidentEntry.Kind.NOTIFICATION


def test_the_assessments(demo):
    email = incident(EMAIL_TITLE).assessment
    assert not email.reportable and not email.exempt and email.grounds == ""
    assert email.person_notice == BreachAssessment.Notice.INDIVIDUAL
    voluntary = incident(EMAIL_TITLE).reports.get()
    assert (voluntary.recipient, voluntary.kind) == (Recipient.FSA, Kind.VOLUNTARY)
    assert voluntary.submitted_on

    laptop = incident(LAPTOP_TITLE).assessment
    assert laptop.exempt and not laptop.reportable and laptop.grounds_list == []
    assert laptop.grounds_if_unencrypted_list == [4]  # more than 1,000, but encrypted
    assert not incident(LAPTOP_TITLE).reports.exists()
    assert not hasattr(incident(PHISHING_TITLE), "assessment")

    for assessment in BreachAssessment.objects.select_related("incident"):
        assessment.full_clean()
        assert assessment.assessed_by_id
        assert assessment.incident.awareness <= assessment.assessed_at <= timezone.now()
        # The timeline records the outcome when it was assessed.
        assert assessment.incident.entries.filter(kind=IncidentEntry.Kind.ASSESSMENT,
                                                  at=assessment.assessed_at).exists()


def test_the_web_skimming_was_reported_on_time(demo):
    skimming = incident(SKIMMING_TITLE)
    assessment = skimming.assessment
    aware = aware_on(skimming)
    assert aware >= datetime.date(2024, 4, 1) and assessment.rule.code == "appi-2024"
    # Card numbers typed into the form and skimmed: information being acquired, to which
    # only ground 3 extends (2,314 members and card numbers do not add grounds 2 and 4).
    assert assessment.grounds_list == [3]
    assert not assessment.held_data_also_affected
    assert assessment.being_acquired and assessment.wrongful_purpose
    # Day of awareness = day 1: the 60th day is 59 days later; the 5th, 4 days later.
    assert assessment.final_due == aware + datetime.timedelta(days=59)
    assert assessment.preliminary_due == aware + datetime.timedelta(days=4)
    assert assessment.person_notice == BreachAssessment.Notice.INDIVIDUAL
    reports = {(r.recipient, r.kind): r for r in skimming.reports.all()}
    assert set(reports) == {(Recipient.PPC, Kind.PRELIMINARY), (Recipient.PPC, Kind.FINAL),
                            (Recipient.METI, Kind.PRELIMINARY), (Recipient.METI, Kind.FINAL),
                            (Recipient.FSA, Kind.VOLUNTARY)}
    for report in reports.values():
        report.full_clean()
        assert report.submitted_on and not report.late, report
        assert all(getattr(report, name) for name in RegulatoryReport.ITEMS), report
    final = reports[(Recipient.PPC, Kind.FINAL)]
    assert final.due_on == assessment.final_due
    assert aware < final.submitted_on <= aware + datetime.timedelta(days=59)
    assert final.cause == skimming.root_cause
    assert skimming.status == Incident.Status.CLOSED


def test_the_ransomware_is_open_escalated_and_reported_a_day_late(demo):
    ransomware = incident(RANSOMWARE_TITLE)
    assert ransomware.recovered_at is None and ransomware.contained_at
    assert ransomware.recover_due_at < timezone.now() and ransomware.escalated_at
    assert ransomware.escalated_at < ransomware.recover_due_at  # escalated at once
    assert ransomware.entries.filter(kind=IncidentEntry.Kind.ESCALATION).count() == 1
    assessment = ransomware.assessment
    assert assessment.reportable and 3 in assessment.grounds_list
    assert assessment.person_notice == BreachAssessment.Notice.PENDING
    preliminary = ransomware.reports.get(recipient=Recipient.PPC, kind=Kind.PRELIMINARY)
    assert preliminary.submitted_on == preliminary.due_on + datetime.timedelta(days=1)
    assert preliminary.late
    final = ransomware.reports.get(recipient=Recipient.PPC, kind=Kind.FINAL)
    assert final.submitted_on is None and final.due_on >= timezone.localdate()
    assert final.due_on == aware_on(ransomware) + datetime.timedelta(days=59)
    assert ransomware.recovery_actions.filter(done_on__isnull=True).count() >= 2
    assert not ransomware.recovery_actions.filter(
        done_on__isnull=True, due_on__lt=timezone.localdate()).exists()


def test_reports_are_drafted_from_the_assessment(demo):
    for assessment in BreachAssessment.objects.filter(reportable=True):
        reports = assessment.incident.reports.filter(recipient=Recipient.PPC)
        assert reports.get(kind=Kind.PRELIMINARY).due_on == assessment.preliminary_due
        assert reports.get(kind=Kind.FINAL).due_on == assessment.final_due
        for report in reports:
            assert report.summary.startswith(assessment.incident.title)
            assert report.persons == f"{assessment.persons_affected:,}"
        drafted = assessment.incident.entries.filter(kind=IncidentEntry.Kind.REPORT,
                                                     at=assessment.assessed_at)
        assert drafted.count() == 2


def test_the_demo_company_s_particulars_are_filled_in(demo):
    from mamori.incidents import reports
    from mamori.incidents.models import IncidentSettings

    settings = IncidentSettings.current()
    assert settings.missing_company_fields() == []
    assert settings.company_name == "株式会社みなとカード"
    assert reports.company_missing() == []


def test_conformance_passes_and_fails_where_intended(demo):
    escalated = checks.overdue_incidents_escalated()
    assert escalated.status == PASS and escalated.value == 100.0
    assert checks.closed_incidents_have_lessons().status == PASS
    on_time = checks.reports_on_time()
    late = incident(RANSOMWARE_TITLE).reports.get(kind=Kind.PRELIMINARY)
    assert on_time.status == FAIL and on_time.failing_count == 1
    assert [f.url for f in on_time.failing_for(SYSTEM).objects] == [late.get_absolute_url()]


def test_idempotent_and_the_change_log_verifies(demo):
    before = counts()
    assert [step(DEFAULT_SEED) for step in STEPS] == [0, 0, 0, 0]
    assert counts() == before
    verdict = changelog.verify()
    assert verdict.ok, verdict.problem
    for model in ("incidents.incident", "incidents.incidententry",
                  "incidents.breachassessment", "incidents.regulatoryreport",
                  "incidents.recoveryaction"):
        entry = ChangeLogEntry.objects.filter(model=model).first()
        assert (entry.actor_name, entry.source) == ("command:demo", "command"), model


def test_the_status_lines_name_the_ciso(demo):
    ciso = Appointment.objects.current().get(role=Appointment.Role.CISO).person
    lines = IncidentEntry.objects.filter(kind=IncidentEntry.Kind.STATUS)
    assert lines.exists() and not lines.exclude(author=ciso).exists()


def test_nothing_without_the_demo_organisation(org):
    assert load_incident_demo(DEFAULT_SEED) == 0
    assert not Incident.objects.exists()
