"""Handling an incident: the breach assessment and the reports it drafts (UI, API, model),
the lifecycle moving forward only with its timeline, the response targets per severity, the
incident number, and the notification enqueued when staff report an incident."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from django_tasks_db.models import DBTaskResult

from mamori.core.testing import api_client, log_entries
from mamori.incidents import workflow
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    IncidentEntry,
    RegulatoryReport,
    ResponseTarget,
)

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
# 00:30 on 1 April 2026 in Tokyo (15:30 on 31 March in UTC): day 1 is 1 April
AWARE = datetime.datetime(2026, 4, 1, 0, 30, tzinfo=TOKYO)
HOUR = datetime.timedelta(hours=1)
Kind = IncidentEntry.Kind
Status = Incident.Status


def make_incident(org, department=None, *, title="顧客名簿の誤送信", aware_at=AWARE,
                  **fields) -> Incident:
    fields.setdefault("noticed_at", aware_at or AWARE)
    return Incident.objects.create(title=title, department=department or org.sales,
                                   aware_at=aware_at, **fields)


def entries(incident, kind=None):
    found = IncidentEntry.objects.filter(incident=incident)
    return found.filter(kind=kind) if kind else found


def label(model, name, language="ja") -> str:
    with override(language):
        return str(model._meta.get_field(name).verbose_name)


def reports_of(incident) -> dict:
    return {r.kind: r for r in RegulatoryReport.objects.filter(incident=incident)}


def assessment_form(incident, **answers) -> dict:
    data = {"incident": incident.pk, "persons_affected": "", "data_items": "",
            "person_notice": BreachAssessment.Notice.PENDING, "person_notice_on": ""}
    for name, value in answers.items():
        data[name] = "on" if value is True else value
    return data


# --- the assessment ----------------------------------------------------------------------


def test_saving_an_assessment_stores_the_outcome(org):
    incident = make_incident(org)
    assessment = BreachAssessment(incident=incident, personal_data=True, sensitive=True,
                                  persons_affected=1500)
    assessment.save()
    assessment.refresh_from_db()
    assert assessment.rule.code == "appi-2024"
    assert (assessment.reportable, assessment.exempt) == (True, False)
    assert assessment.grounds == "1,4" and assessment.grounds_list == [1, 4]
    assert assessment.preliminary_target == datetime.date(2026, 4, 3)
    assert assessment.preliminary_due == datetime.date(2026, 4, 5)
    assert assessment.final_due == datetime.date(2026, 4, 30)

    assessment.encrypted = True
    assessment.save()
    assessment.refresh_from_db()
    # Advanced encryption takes away every ground; what would have applied is kept apart.
    assert (assessment.reportable, assessment.exempt, assessment.grounds_list) == (
        False, True, [])
    assert assessment.grounds_if_unencrypted_list == [1, 4]
    assert assessment.preliminary_target is assessment.preliminary_due is None
    assert assessment.final_due is None


def test_the_form_assesses_and_drafts_one_preliminary_and_one_final_report(org):
    incident = make_incident(org, description="営業課の担当者が顧客名簿を社外に誤送信した。")
    client = org.client("manager")
    response = client.post(reverse("incidents:breachassessment_create"), assessment_form(
        incident, personal_data=True, sensitive=True, persons_affected="1200",
        data_items="氏名、住所、病歴"))
    assert response.status_code == 302, response.context["form"].errors
    assessment = BreachAssessment.objects.get(incident=incident)
    assert response.url == assessment.get_absolute_url()
    assert assessment.assessed_by == org.people["manager"]
    assert (assessment.reportable, assessment.grounds_list) == (True, [1, 4])
    assert log_entries(assessment, "create").get().source == "ui"

    page = client.get(assessment.get_absolute_url())
    assert page.context["object"].reportable
    outcome = page.content.decode()
    assert 'data-testid="breach-outcome"' in outcome
    for day in ("2026-04-03", "2026-04-05", "2026-04-30"):
        assert day in outcome

    reports = reports_of(incident)
    assert set(reports) == {RegulatoryReport.Kind.PRELIMINARY, RegulatoryReport.Kind.FINAL}
    assert RegulatoryReport.objects.filter(incident=incident).count() == 2
    preliminary, final = reports["preliminary"], reports["final"]
    assert {preliminary.recipient, final.recipient} == {RegulatoryReport.Recipient.PPC}
    assert preliminary.due_on == assessment.preliminary_due == datetime.date(2026, 4, 5)
    assert final.due_on == assessment.final_due == datetime.date(2026, 4, 30)
    for report in (preliminary, final):
        assert report.summary.splitlines()[0] == incident.title
        assert "営業課の担当者が顧客名簿を社外に誤送信した。" in report.summary
        assert "事態を知った日時: 2026-04-01 00:30" in report.summary  # Tokyo time
        assert report.data_items == "氏名、住所、病歴"
        assert report.persons == "1,200"
        assert report.legal_basis
        assert report.submitted_on is None

    # the timeline: the outcome (in Japanese, then English) and the two drafts
    assessed = entries(incident, Kind.ASSESSMENT).get()
    assert assessed.author == org.people["manager"]
    japanese, english = assessed.text.splitlines()
    assert "速報は 2026-04-05 まで、確報は 2026-04-30 まで" in japanese
    assert "preliminary report by 2026-04-05, final report by 2026-04-30" in english
    drafted = entries(incident, Kind.REPORT)
    assert drafted.count() == 2
    assert {e.author for e in drafted} == {org.people["manager"]}
    assert any("2026-04-05" in e.text for e in drafted)
    assert any("2026-04-30" in e.text for e in drafted)


def test_the_api_returns_the_outcome_and_drafts_the_reports(org):
    incident = make_incident(org)
    client = api_client(org.users["manager"])
    response = client.post("/api/incidents/assessments/", {
        "incident": incident.pk, "personal_data": True, "financial_damage": True,
        "wrongful_purpose": True, "persons_affected": 20}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reportable"] is True and body["exempt"] is False
    assert body["grounds"] == [2, 3]
    assert body["preliminary_target"] == "2026-04-03"
    assert body["preliminary_due"] == "2026-04-05"
    assert body["final_due"] == "2026-05-30"  # ground 3: day 60
    assert body["assessed_by"] == org.people["manager"].pk
    reports = reports_of(incident)
    assert {k: r.due_on.isoformat() for k, r in reports.items()} == {
        "preliminary": "2026-04-05", "final": "2026-05-30"}
    assert entries(incident, Kind.ASSESSMENT).count() == 1
    assert entries(incident, Kind.REPORT).count() == 2

    fetched = client.get(f"/api/incidents/assessments/{body['id']}/").json()
    assert fetched["grounds"] == [2, 3]


def test_a_breach_that_is_not_reportable_drafts_nothing(org):
    incident = make_incident(org)
    response = api_client(org.users["manager"]).post("/api/incidents/assessments/", {
        "incident": incident.pk, "personal_data": True, "persons_affected": 1000},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reportable"], body["grounds"], body["preliminary_target"],
            body["final_due"]) == (False, [], None, None)
    assert not RegulatoryReport.objects.filter(incident=incident).exists()
    assert entries(incident, Kind.ASSESSMENT).count() == 1
    with override("en"):
        assert "Not reportable" in entries(incident, Kind.ASSESSMENT).get().text


INVALID_ANSWERS = [
    # web skimming counts only with a wrongful purpose
    ({"personal_data": True, "being_acquired": True}, "being_acquired"),
    # sensitive personal information is personal data
    ({"sensitive": True}, "sensitive"),
    ({"financial_damage": True}, "financial_damage"),
    # a notice given has a date
    ({"personal_data": True, "sensitive": True,
      "person_notice": BreachAssessment.Notice.INDIVIDUAL}, "person_notice_on"),
    ({"personal_data": True, "sensitive": True,
      "person_notice": BreachAssessment.Notice.PUBLIC}, "person_notice_on"),
]


@pytest.mark.parametrize(("answers", "field"), INVALID_ANSWERS)
def test_clean_names_the_field_in_error(org, answers, field):
    assessment = BreachAssessment(incident=make_incident(org), **answers)
    with pytest.raises(ValidationError) as caught:
        assessment.full_clean()
    assert field in caught.value.message_dict


@pytest.mark.parametrize(("answers", "field"), INVALID_ANSWERS)
def test_form_and_api_refuse_inconsistent_answers(org, answers, field):
    incident = make_incident(org)
    response = org.client("manager").post(reverse("incidents:breachassessment_create"),
                                          assessment_form(incident, **answers))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    api = api_client(org.users["manager"]).post("/api/incidents/assessments/",
                                                {"incident": incident.pk, **answers},
                                                format="json")
    assert api.status_code == 400
    assert field in api.json()
    assert not BreachAssessment.objects.filter(incident=incident).exists()
    assert not RegulatoryReport.objects.exists()


def test_a_notice_with_its_date_is_accepted(org):
    assessment = BreachAssessment(incident=make_incident(org), personal_data=True,
                                  sensitive=True, person_notice=BreachAssessment.Notice.PUBLIC,
                                  person_notice_on=datetime.date(2026, 4, 2))
    assessment.full_clean()


def test_reassessment_moves_the_due_dates_of_reports_not_yet_submitted(org):
    incident = make_incident(org)
    ciso = org.users["ciso"]
    assessment = workflow.save_assessment(
        BreachAssessment(incident=incident, personal_data=True, sensitive=True), ciso)
    preliminary = reports_of(incident)["preliminary"]
    preliminary.submitted_on = datetime.date(2026, 4, 3)
    preliminary.save()

    # it turns out the sales office knew two days earlier, and the data was stolen
    incident.aware_at = datetime.datetime(2026, 3, 30, 18, 0, tzinfo=TOKYO)
    incident.save()
    response = org.client("ciso").post(
        reverse("incidents:breachassessment_update", args=[assessment.pk]),
        assessment_form(incident, personal_data=True, sensitive=True, wrongful_purpose=True))
    assert response.status_code == 302, response.context["form"].errors
    assessment.refresh_from_db()
    assert assessment.grounds_list == [1, 3]
    assert assessment.preliminary_due == datetime.date(2026, 4, 3)
    assert assessment.final_due == datetime.date(2026, 5, 28)  # day 60 from 30 March

    reports = reports_of(incident)
    assert RegulatoryReport.objects.filter(incident=incident).count() == 2  # none added
    assert reports["preliminary"].due_on == datetime.date(2026, 4, 5)  # submitted: kept
    assert reports["final"].due_on == datetime.date(2026, 5, 28)  # moved
    # moved twice: when the awareness moved (at once), and when the answers changed
    assert log_entries(reports["final"], "update").count() == 2
    # the outcome twice (assessment, re-assessment), what moved twice (awareness, answers)
    assert entries(incident, Kind.ASSESSMENT).count() == 4
    assert entries(incident, Kind.REPORT).count() == 2  # drafted once each


def test_reassessing_with_the_same_outcome_changes_no_report(org):
    incident = make_incident(org)
    ciso = org.users["ciso"]
    assessment = workflow.save_assessment(
        BreachAssessment(incident=incident, personal_data=True, financial_damage=True), ciso)
    assessment.data_items = "クレジットカード番号"
    workflow.save_assessment(assessment, ciso)
    for report in reports_of(incident).values():
        assert not log_entries(report, "update").exists()


def test_only_handlers_assess(org):
    incident = make_incident(org, department=org.it)
    with pytest.raises(PermissionDenied):
        workflow.save_assessment(
            BreachAssessment(incident=incident, personal_data=True, sensitive=True),
            org.users["manager"])
    assert not BreachAssessment.objects.filter(incident=incident).exists()
    assert not RegulatoryReport.objects.exists()
    assert not entries(incident).exists()


# --- the lifecycle -------------------------------------------------------------------------


def test_moving_forward_stamps_every_stage_reached(org):
    incident = make_incident(org)
    triaged = AWARE + 2 * HOUR
    workflow.move_to(incident, Status.TRIAGED, org.users["manager"], at=triaged)
    recovered = AWARE + 30 * HOUR
    workflow.move_to(incident, Status.RECOVERED, org.users["manager"], note="バックアップから復旧",
                     at=recovered)
    incident.refresh_from_db()
    assert incident.status == Status.RECOVERED
    assert incident.triaged_at == triaged  # kept from its own step
    assert incident.contained_at == incident.recovered_at == recovered  # skipped: stamped
    assert incident.closed_at is None
    assert incident.time_to_contain == incident.time_to_recover == 30 * HOUR

    steps = list(entries(incident, Kind.STATUS).order_by("at"))
    assert [e.at for e in steps] == [triaged, recovered]
    assert {e.author for e in steps} == {org.people["manager"]}
    with override("ja"):
        reported, done = Status.REPORTED.label, Status.RECOVERED.label
        assert steps[0].text.startswith(f"{reported} → {Status.TRIAGED.label}")
        assert steps[1].text.splitlines() == [f"{Status.TRIAGED.label} → {done}",
                                              "バックアップから復旧"]


@pytest.mark.parametrize("back_to", [Status.REPORTED, Status.TRIAGED, Status.CONTAINED])
def test_an_incident_moves_forward_only(org, back_to):
    incident = make_incident(org)
    workflow.move_to(incident, Status.CONTAINED, org.users["ciso"], at=AWARE + HOUR)
    with pytest.raises(ValidationError) as caught:
        workflow.move_to(incident, back_to, org.users["ciso"], at=AWARE + 2 * HOUR)
    assert "status" in caught.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.CONTAINED
    assert entries(incident, Kind.STATUS).count() == 1


def test_a_step_cannot_be_dated_before_awareness(org):
    incident = make_incident(org)
    with pytest.raises(ValidationError):
        workflow.move_to(incident, Status.TRIAGED, org.users["ciso"], at=AWARE - HOUR)
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED and incident.triaged_at is None


@pytest.mark.parametrize(("root_cause", "lessons", "missing"), [
    ("", "", ["root_cause", "lessons_learned"]),
    ("メール宛先の自動補完", "  ", ["lessons_learned"]),
    ("", "送信前の確認を徹底する", ["root_cause"]),
])
def test_closing_asks_for_the_root_cause_and_lessons_learned(org, root_cause, lessons, missing):
    incident = make_incident(org, root_cause=root_cause, lessons_learned=lessons)
    with override("ja"), pytest.raises(ValidationError) as caught:
        workflow.move_to(incident, Status.CLOSED, org.users["ciso"], at=AWARE + HOUR)
    message = " ".join(caught.value.message_dict["status"])
    for name in ("root_cause", "lessons_learned"):
        assert (label(Incident, name) in message) == (name in missing)
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED and incident.closed_at is None


def test_closing_with_what_was_learned(org):
    incident = make_incident(org, root_cause="メール宛先の自動補完",
                             lessons_learned="送信前の確認を徹底する")
    workflow.move_to(incident, Status.CLOSED, org.users["ciso"], at=AWARE + 5 * HOUR)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    stamps = [incident.triaged_at, incident.contained_at, incident.recovered_at,
              incident.closed_at]
    assert stamps == [AWARE + 5 * HOUR] * 4


def test_moving_in_the_ui(org):
    incident = make_incident(org)
    client = org.client("manager")
    url = reverse("incidents:incident_move", args=[incident.pk])
    response = client.post(url, {"status": Status.CLOSED, "note": ""})
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert label(Incident, "root_cause") in shown and label(Incident, "lessons_learned") in shown
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED

    response = client.post(url, {"status": Status.CONTAINED, "note": "端末をネットワークから隔離"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CONTAINED
    assert incident.triaged_at == incident.contained_at is not None
    step = entries(incident, Kind.STATUS).get()
    assert step.author == org.people["manager"]
    assert step.text.endswith("端末をネットワークから隔離")
    assert log_entries(incident, "update").get().source == "ui"

    response = client.post(url, {"status": Status.TRIAGED, "note": ""})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CONTAINED


def test_a_reporter_who_does_not_handle_it_cannot_move_it(org):
    incident = make_incident(org, department=org.sales_east, reported_by=org.people["staff"])
    client = org.client("staff")
    assert client.get(incident.get_absolute_url()).status_code == 200
    response = client.post(reverse("incidents:incident_move", args=[incident.pk]),
                           {"status": Status.TRIAGED})
    assert response.status_code == 403
    other = make_incident(org, department=org.it)
    response = org.client("manager").post(reverse("incidents:incident_move", args=[other.pk]),
                                          {"status": Status.TRIAGED})
    assert response.status_code == 404
    for obj in (incident, other):
        obj.refresh_from_db()
        assert obj.status == Status.REPORTED


def test_moving_through_the_api(org):
    incident = make_incident(org)
    client = api_client(org.users["manager"])
    url = f"/api/incidents/incidents/{incident.pk}/move/"
    refused = client.post(url, {"status": "closed"}, format="json")
    assert refused.status_code == 400
    detail = " ".join(refused.json()["status"])
    assert label(Incident, "root_cause") in detail and label(Incident, "lessons_learned") in detail

    moved = client.post(url, {"status": "contained", "note": "隔離した"}, format="json")
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert body["status"] == "contained"
    assert body["triaged_at"] and body["triaged_at"] == body["contained_at"]
    assert body["recovered_at"] is None
    assert entries(incident, Kind.STATUS).get().text.endswith("隔離した")

    back = client.post(url, {"status": "triaged"}, format="json")
    assert back.status_code == 400 and "status" in back.json()
    # the status is not writable otherwise
    client.patch(f"/api/incidents/incidents/{incident.pk}/", {"status": "closed"},
                 format="json")
    incident.refresh_from_db()
    assert incident.status == Status.CONTAINED


# --- response targets ------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "contain", "recover"), [
    ("critical", 4, 24), ("high", 24, 72), ("medium", 72, 168), ("low", 168, 720)])
def test_response_due_from_the_target_for_the_severity(org, severity, contain, recover):
    incident = make_incident(org, severity=severity)
    assert incident.contain_due_at == AWARE + contain * HOUR
    assert incident.recover_due_at == AWARE + recover * HOUR
    noticed = AWARE + 3 * HOUR
    by_notice = make_incident(org, severity=severity, aware_at=None, noticed_at=noticed)
    assert by_notice.awareness == noticed
    assert by_notice.recover_due_at == noticed + recover * HOUR


def test_changing_the_severity_recomputes_the_targets(org):
    incident = make_incident(org, severity="low")
    incident.severity = "critical"
    incident.save()
    incident.refresh_from_db()
    assert (incident.contain_due_at, incident.recover_due_at) == (AWARE + 4 * HOUR,
                                                                  AWARE + 24 * HOUR)
    # through the handler's form too
    response = org.client("manager").get(reverse("incidents:incident_update",
                                                 args=[incident.pk]))
    data = {k: ("" if v is None else v) for k, v in response.context["form"].initial.items()}
    data.update(severity="high", threats=[], assets=[], risks=[], controls=[],
                aware_at="2026-04-01T00:30", noticed_at="2026-04-01T00:30", occurred_at="",
                assignee="", personal_data_suspected="")
    response = org.client("manager").post(
        reverse("incidents:incident_update", args=[incident.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    incident.refresh_from_db()
    assert incident.recover_due_at == AWARE + 72 * HOUR


def test_a_changed_target_applies_when_the_incident_is_next_saved(org):
    ResponseTarget.objects.filter(severity="medium").update(contain_within_hours=48)
    incident = make_incident(org, severity="medium")
    assert incident.contain_due_at == AWARE + 48 * HOUR


def test_the_time_to_contain_counts_from_the_noticed_time_without_awareness(org):
    noticed = AWARE + 6 * HOUR
    incident = make_incident(org, aware_at=None, noticed_at=noticed)
    assert incident.time_to_contain is None and incident.time_to_recover is None
    workflow.move_to(incident, Status.CONTAINED, org.users["ciso"], at=noticed + 90 * HOUR)
    assert incident.time_to_contain == 90 * HOUR


# --- the number ----------------------------------------------------------------------------


def test_incidents_are_numbered_per_year(org):
    year = timezone.localdate().year
    first, second = make_incident(org), make_incident(org, title="USBメモリの紛失")
    assert (first.code, second.code) == (f"INC-{year}-0001", f"INC-{year}-0002")
    kept = make_incident(org, code="INC-2019-0042")
    assert kept.code == "INC-2019-0042"
    assert make_incident(org).code == f"INC-{year}-0003"


# --- reporting an incident ---------------------------------------------------------------


def test_staff_report_enqueues_the_notification_in_its_own_transaction(
        org, django_capture_on_commit_callbacks):
    """The task row is written with the report, before the commit and with no hook left to
    run after it: a crash between the commit and an on_commit hook cannot lose it."""
    client = org.client("staff")
    assert client.get(reverse("incidents:incident_create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("incidents:incident_create"), {
            "title": "不審なメールの添付ファイルを開いた", "description": "",
            "occurred_at": "", "noticed_at": "2026-04-01T09:15",
            "department": org.sales_east.pk, "data_affected": "",
            "personal_data_suspected": "on"})
        assert response.status_code == 302
        task = DBTaskResult.objects.get()  # already there, in the report's transaction
    incident = Incident.objects.get(title="不審なメールの添付ファイルを開いた")
    assert incident.reported_by == org.people["staff"]
    assert incident.status == Status.REPORTED and incident.personal_data_suspected
    for callback in callbacks:  # what is left for after the commit (the log's anchor)
        callback()
    assert DBTaskResult.objects.count() == 1  # enqueues nothing more: nothing to lose
    assert task.task_path == "mamori.incidents.tasks.notify_new_incident"
    assert task.args_kwargs["args"] == [incident.pk]


def test_a_report_rolled_back_leaves_no_notification_task(org):
    from django.db import transaction

    from mamori.incidents.forms import IncidentReportForm

    class Crash(Exception):
        pass

    form = IncidentReportForm(data={
        "title": "取り消される報告", "noticed_at": "2026-04-01T09:15",
        "department": org.sales_east.pk}, user=org.users["staff"])
    assert form.is_valid(), form.errors
    with pytest.raises(Crash), transaction.atomic():
        form.save()
        assert DBTaskResult.objects.count() == 1
        raise Crash
    assert not Incident.objects.filter(title="取り消される報告").exists()
    assert not DBTaskResult.objects.exists()


def test_a_report_through_the_api_enqueues_the_notification_too(
        org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client(org.users["staff"]).post("/api/incidents/incidents/", {
            "title": "ノートPCの盗難", "department": org.sales_east.pk,
            "noticed_at": "2026-04-01T09:15:00+09:00"}, format="json")
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get(pk=response.json()["id"])
    assert incident.reported_by == org.people["staff"]
    for callback in callbacks:  # what is left for after the commit (the log's anchor)
        callback()
    task = DBTaskResult.objects.get()
    assert task.task_path == "mamori.incidents.tasks.notify_new_incident"
    assert task.args_kwargs["args"] == [incident.pk]


def test_spaces_alone_are_no_root_cause(org):
    """A row imported with blank-looking text counts as missing for the Art 5 check."""
    from mamori.incidents.conformance import closed_incidents_have_lessons
    from mamori.incidents.tests.factories import make_incident

    incident = make_incident(org.sales, "古い記録", status="closed",
                             root_cause="   ", lessons_learned=" \n ")
    incident.refresh_from_db()
    assert (incident.root_cause, incident.lessons_learned) == ("", "")
    result = closed_incidents_have_lessons()
    assert result.status == "fail"


def test_numbers_count_on_past_9999_and_ignore_other_codes(org):
    from django.utils import timezone

    from mamori.incidents.tests.factories import make_incident

    year = timezone.localdate().year
    make_incident(org.sales, "手入力", code=f"INC-{year}-X")
    make_incident(org.sales, "古い", code=f"INC-{year}-9999")
    assert make_incident(org.sales, "次").code == f"INC-{year}-10000"
    assert make_incident(org.sales, "その次").code == f"INC-{year}-10001"
