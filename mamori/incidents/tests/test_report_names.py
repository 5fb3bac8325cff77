"""Issue 13 items 6 and 7: the assessment's dates named for what they are (the day-3
`preliminary_target` and the real deadline `preliminary_due`) in the model, the API and its
schema, the UI and the change log; the "how the deadlines are counted" panel saying the rule
actually applied, with this incident's dates; and the report drafts carrying the Art 7 items that
apply, when the breach occurred, and the reporting company's particulars (incident settings)."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils.translation import gettext, override

from mamori.core import reconcile
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import api_client, log_entries
from mamori.incidents import counting, reports, workflow
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentSettings,
    RegulatoryReport,
)

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
AWARE = datetime.datetime(2026, 4, 1, 0, 30, tzinfo=TOKYO)  # day 1 is 1 April
OCCURRED = datetime.datetime(2026, 3, 28, 22, 10, tzinfo=TOKYO)
ASSESSMENTS_API = "/api/incidents/assessments/"
SETTINGS_API = "/api/incidents/settings/"
COMPANY = {"company_name": "株式会社まもり", "company_address": "東京都千代田区丸の内1-1-1",
           "company_representative": "代表取締役 山田太郎", "contact_name": "佐藤花子",
           "contact_department": "情報セキュリティ室", "contact_phone": "03-1234-5678",
           "contact_email": "security@example.jp"}


def make_incident(org, **fields) -> Incident:
    fields.setdefault("aware_at", AWARE)
    fields.setdefault("noticed_at", fields["aware_at"])
    fields.setdefault("title", "顧客情報の漏えい")
    return Incident.objects.create(department=org.sales, **fields)


def assess(org, incident, **answers) -> BreachAssessment:
    answers = {"personal_data": True, **answers}
    return workflow.save_assessment(BreachAssessment(incident=incident, **answers),
                                    org.users["ciso"])


def day_zero_rule() -> BreachRule:
    """A rule (from 2026) under which the day of awareness is day 0."""
    return BreachRule.objects.create(
        code="day-zero", name_ja="知った日を0日目とする規則", name_en="Day of awareness is day 0",
        effective_from=datetime.date(2026, 1, 1), awareness_day_is_day_one=False)


def english_page(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


# --- item 6: the names -------------------------------------------------------------------


def test_the_target_and_the_deadline_are_named_for_what_they_are(org, english):
    assessment = assess(org, make_incident(org), sensitive=True)
    assessment.refresh_from_db()
    assert assessment.preliminary_target == datetime.date(2026, 4, 3)  # day 3: the target
    assert assessment.preliminary_due == datetime.date(2026, 4, 5)  # day 5: late after it
    assert not hasattr(assessment, "preliminary_warning")
    field = BreachAssessment._meta.get_field
    assert str(field("preliminary_target").verbose_name) == \
        "preliminary report: target (about 3 days)"
    assert str(field("preliminary_due").verbose_name) == "preliminary report due"
    rule = BreachRule._meta.get_field
    assert str(rule("preliminary_due_days").verbose_name) == \
        "preliminary report due within (days)"
    assert not any(f.name == "preliminary_warning_days" for f in BreachRule._meta.fields)
    # the PPC's preliminary report is due on the real deadline, not on the target
    preliminary = assessment.incident.reports.get(kind=RegulatoryReport.Kind.PRELIMINARY)
    assert preliminary.due_on == assessment.preliminary_due


def test_the_api_says_target_and_due(org):
    incident = make_incident(org)
    client = api_client(org.users["ciso"])
    body = client.post(ASSESSMENTS_API, {"incident": incident.pk, "personal_data": True,
                                         "sensitive": True}, format="json").json()
    assert (body["preliminary_target"], body["preliminary_due"]) == ("2026-04-03", "2026-04-05")
    assert "preliminary_warning" not in body
    # read-only, as before: a client cannot move the deadline
    response = client.patch(f"{ASSESSMENTS_API}{body['id']}/",
                            {"preliminary_due": "2026-05-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["preliminary_due"] == "2026-04-05"
    rule = client.get("/api/incidents/rules/").json()["results"][0]
    assert "preliminary_due_days" in rule and "preliminary_warning_days" not in rule


def test_the_openapi_schema_names_them_too():
    from mamori.core.tests.test_api_schema import openapi_document

    with override("en"):
        components = openapi_document()["components"]["schemas"]
    assessment = components["BreachAssessment"]["properties"]
    assert assessment["preliminary_target"]["readOnly"] is True
    assert assessment["preliminary_due"]["readOnly"] is True
    assert "preliminary_warning" not in assessment
    assert assessment["preliminary_due"]["title"] == "Preliminary report due"
    rule = components["BreachRule"]["properties"]
    assert "preliminary_due_days" in rule and "preliminary_warning_days" not in rule


def test_the_incident_page_shows_the_target_and_the_deadline_under_their_names(org):
    incident = make_incident(org)
    assess(org, incident, sensitive=True)
    page = org.client("ciso").get(incident.get_absolute_url()).content.decode()
    assert '<span data-testid="preliminary-target">2026-04-03</span>' in page
    assert '<span data-testid="preliminary-due">2026-04-05</span>' in page
    # the grounds named in words beside their numbers, on the incident and on the assessment
    for url in (incident.get_absolute_url(), incident.assessment.get_absolute_url()):
        html = english_page(org.client("ciso"), url).content.decode()
        assert "1 <span data-testid=\"grounds-named\">(Art. 7 item 1 (sensitive personal " \
               "information))</span>" in html


def test_the_migration_logs_the_dates_under_their_new_names(org):
    """Entries written before the rename hold the target under `preliminary_due`: the migration
    appends one entry per dated assessment, so the log folds to what the rows hold."""
    migration = __import__("mamori.incidents.migrations.0004_report_names",
                           fromlist=["log_renamed_dates"])
    assessment = assess(org, make_incident(org), sensitive=True)
    undated = assess(org, make_incident(org, title="暗号化済み"), sensitive=True, encrypted=True)
    # the log as the old names wrote it (preliminary_due was the target), written last
    from mamori.core.changelog import record

    record("update", assessment, None, {"preliminary_due": "2026-04-03",
                                        "preliminary_warning": "2026-04-05"})
    differs = [d for d in reconcile.reconcile_model(BreachAssessment)
               if d.kind == reconcile.DIFFERS]
    assert [(d.object_id, d.fields) for d in differs] == [(str(assessment.pk),
                                                           ["preliminary_due"])]

    class Editor:
        class connection:
            alias = "default"

    before = ChangeLogEntry.objects.count()
    migration.log_renamed_dates(global_apps, Editor())
    assert ChangeLogEntry.objects.count() == before + 1  # the undated one needs none
    renamed = log_entries(assessment).order_by("-seq").first()
    assert (renamed.action, renamed.source, renamed.actor_name) == (
        "update", "command", "command:migrate")
    assert renamed.after == {"preliminary_target": "2026-04-03",
                             "preliminary_due": "2026-04-05"}
    assert renamed.before == {"preliminary_due": "2026-04-03",
                              "preliminary_warning": "2026-04-05"}
    assert not log_entries(undated).filter(source="command").exists()
    assert [d for d in reconcile.reconcile_model(BreachAssessment)
            if d.kind == reconcile.DIFFERS] == []
    from mamori.core.changelog import verify

    assert verify().ok


# --- item 6: how the days are counted -----------------------------------------------------


def test_the_panel_counts_with_the_rule_applied_day_one(org, english):
    incident = make_incident(org)
    assessment = assess(org, incident, wrongful_purpose=True)
    panel = counting.for_assessment(assessment)
    text = " ".join(panel["paragraphs"])
    assert panel["rule"].code == "appi-2024"
    assert "in force from 2024-04-01" in text
    assert "the day of awareness is day 1" in text
    assert "target day 3" in text and "due by day 5" in text
    assert "by day 30, or by day 60" in text
    # the worked example is this incident's: aware on 1 April, ground 3 (60 days)
    assert ("the company became aware on 2026-04-01, so day 1 is 2026-04-01; the preliminary "
            "report's target (day 3) is 2026-04-03, it is due on 2026-04-05 (day 5), and the "
            "final report is due on 2026-05-30 (day 60") in text


def test_the_panel_counts_with_the_rule_applied_day_zero(org, english):
    rule = day_zero_rule()
    incident = make_incident(org)
    assessment = assess(org, incident, sensitive=True)
    assert assessment.rule == rule
    assert (assessment.preliminary_target, assessment.preliminary_due, assessment.final_due) == (
        datetime.date(2026, 4, 4), datetime.date(2026, 4, 6), datetime.date(2026, 5, 1))
    text = " ".join(counting.for_assessment(assessment)["paragraphs"])
    assert "the day of awareness is day 0: counting begins on the next day" in text
    assert "day 1" not in text.split("day 0")[0]  # not the day-1 sentence
    assert ("aware on 2026-04-01, so day 1 is 2026-04-02; the preliminary report's target "
            "(day 3) is 2026-04-04, it is due on 2026-04-06 (day 5), and the final report is "
            "due on 2026-05-01 (day 30") in text


def test_the_assessment_page_shows_the_panel_of_its_rule(org):
    day_zero_rule()
    incident = make_incident(org)
    assessment = assess(org, incident, sensitive=True)
    page = english_page(org.client("manager"), assessment.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="counting-rule"' in html
    assert "day of awareness is day 0" in html
    assert "2026-04-02" in html and "2026-05-01" in html
    assert "awareness on 1 April puts the 30th day on 30 April" not in html  # no fixed example


def test_a_rule_s_page_explains_that_rule(org, english):
    rule = day_zero_rule()
    html = english_page(org.client("auditor"), rule.get_absolute_url()).content.decode()
    assert "day of awareness is day 0" in html
    assert "For example, awareness on 2026-01-01 makes 2026-01-02 day 1" in html
    listing = english_page(org.client("auditor"), reverse("incidents:breachrule_list"))
    assert listing.context["counting"]["rule"] == rule  # the rule in force today
    text = " ".join(counting.for_rule(BreachRule.objects.get(code="appi-2022"))["paragraphs"])
    assert "day of awareness is day 1" in text
    assert "awareness on 2022-04-01 makes 2022-04-01 day 1" in text


def test_the_panel_in_japanese_and_english(org):
    assessment = assess(org, make_incident(org), sensitive=True)
    for language in ("ja", "en"):
        with override(language):
            paragraphs = counting.for_assessment(assessment)["paragraphs"]
            assert paragraphs[1].startswith(gettext(
                "Under the rule applied (%(rule)s, in force from %(since)s) the day of "
                "awareness is day 1, whatever the hour (guideline 3-5-3-4).").split("%(")[0])
            assert "2024-04-01" in paragraphs[1]
            assert "2026-04-05" in paragraphs[-1]


# --- item 7: what the report drafts carry --------------------------------------------------


@pytest.fixture
def final_report(org) -> RegulatoryReport:
    incident = make_incident(org, occurred_at=OCCURRED)
    assess(org, incident, wrongful_purpose=True, persons_affected=1234)
    return incident.reports.get(kind=RegulatoryReport.Kind.FINAL)


def fill_company():
    settings = IncidentSettings.current()
    for name, value in COMPANY.items():
        setattr(settings, name, value)
    settings.save()


def xlsx_rows(org, report) -> dict:
    response = org.client("manager").get(
        reverse("incidents:regulatoryreport_export", args=[report.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return {label: value for label, value in sheet.iter_rows(values_only=True) if label}


def ja(text) -> str:
    with override("ja"):
        return str(gettext(text))


def test_the_art_7_items_are_named_in_words(org, english):
    assert reports.ground_names([3]) == ["Art. 7 item 3 (wrongful purpose)"]
    assert reports.ground_names([1, 2, 4]) == [
        "Art. 7 item 1 (sensitive personal information)",
        "Art. 7 item 2 (possible financial damage)",
        "Art. 7 item 4 (more than 1,000 persons)"]
    incident = make_incident(org)
    assert reports.grounds_text(incident) == "Not assessed yet."
    assess(org, incident, wrongful_purpose=True, persons_affected=1234)
    assert reports.grounds_text(incident) == (
        "Art. 7 item 3 (wrongful purpose), Art. 7 item 4 (more than 1,000 persons)")
    encrypted = make_incident(org, title="暗号化済み")
    assess(org, encrypted, sensitive=True, encrypted=True)
    assert reports.grounds_text(encrypted).startswith("None: ")


def test_the_document_carries_grounds_occurrence_and_company(org, final_report):
    fill_company()
    rows = xlsx_rows(org, final_report)
    with override("ja"):
        grounds_label = gettext("cases of enforcement rules Art 7 that apply")
        expected = reports.grounds_text(final_report.incident)
        occurred_label = gettext("breach occurred at")
        aware_label = str(Incident._meta.get_field("aware_at").verbose_name)
        company = {str(IncidentSettings._meta.get_field(name).verbose_name): value
                   for name, value in COMPANY.items()}
    assert rows[grounds_label] == expected
    assert rows[occurred_label] == "2026-03-28 22:10"
    assert rows[aware_label] == "2026-04-01 00:30"
    labels = list(rows)
    assert labels.index(occurred_label) + 1 == labels.index(aware_label)  # side by side
    for label, value in company.items():
        assert rows[label] == value
    assert ja("reporting company: not entered") not in rows


def test_an_unknown_occurrence_says_so(org, final_report):
    Incident.objects.filter(pk=final_report.incident_id).update(occurred_at=None)
    final_report = RegulatoryReport.objects.get(pk=final_report.pk)
    with override("ja"):
        assert dict(reports.particulars(final_report))[gettext("breach occurred at")] == \
            gettext("unknown (not recorded)")


def test_the_summary_drafts_when_it_occurred(org, final_report):
    assert "発生日時: 2026-03-28 22:10" in final_report.summary or \
        ja("Occurred: %(at)s") % {"at": "2026-03-28 22:10"} in final_report.summary


def test_missing_company_particulars_are_named_in_the_document(org, final_report, english):
    settings = IncidentSettings.current()
    settings.company_name = "株式会社まもり"
    settings.save()
    assert reports.company_missing() == [
        "reporting company: address", "reporting company: representative",
        "contact person: name", "contact person: department", "contact person: phone",
        "contact person: e-mail"]
    assert "incident settings page" in reports.missing_text(reports.company_missing())
    rows = xlsx_rows(org, final_report)
    note = rows[ja("reporting company: not entered")]
    with override("ja"):
        assert str(IncidentSettings._meta.get_field("company_address").verbose_name) in note
        assert str(IncidentSettings._meta.get_field("company_name").verbose_name) not in note


@pytest.mark.parametrize(("username", "link"), [
    ("ciso", True), ("admin", True), ("manager", False), ("auditor", False)])
def test_the_report_page_says_what_is_missing_and_links_only_for_who_may_fill_it(
        org, final_report, username, link):
    page = english_page(org.client(username), final_report.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="company-missing"' in html
    assert "contact person: e-mail" in html
    settings_url = reverse("incidents:incidentsettings_update",
                           args=[IncidentSettings.current().pk])
    assert (settings_url in html) is link
    assert ('data-testid="company-settings-link"' in html) is link
    if not link:
        assert "The CISO or an administrator fills them in" in html
        assert org.client(username).get(settings_url).status_code == 404
    fill_company()
    html = english_page(org.client(username), final_report.get_absolute_url()).content.decode()
    assert 'data-testid="company-missing"' not in html
    assert COMPANY["contact_email"] in html and "Art. 7 item 3 (wrongful purpose)" in html
    assert "2026-03-28 22:10" in html


@pytest.mark.slow  # WeasyPrint lays out the page with the CJK font: a few seconds
def test_the_pdf_carries_the_company(org, final_report):
    from pypdf import PdfReader

    fill_company()
    response = org.client("ciso").get(
        reverse("incidents:regulatoryreport_export", args=[final_report.pk, "pdf"]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    for value in COMPANY.values():
        assert "".join(value.split()) in compact, value
    assert "2026-03-2822:10" in compact


# --- item 7: the company's particulars are settings ---------------------------------------


def test_the_ciso_fills_in_the_company_and_it_is_logged(org):
    row = IncidentSettings.current()
    response = org.client("ciso").post(
        reverse("incidents:incidentsettings_update", args=[row.pk]),
        {"team_email": "", "reminder_days": 1, **COMPANY})
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert {name: getattr(row, name) for name in COMPANY} == COMPANY
    entry = log_entries(row, "update").get()
    assert (entry.actor_name, entry.source) == ("ciso", "ui")
    assert {name for name, _b, _a in entry.changes()} == set(COMPANY)
    page = org.client("staff").get(row.get_absolute_url())
    assert [value for label, value in page.context["field_rows"]
            if value == COMPANY["company_name"]]


def test_an_administrator_fills_in_the_company_through_the_api(org):
    row = IncidentSettings.current()
    response = api_client(org.users["admin"]).patch(f"{SETTINGS_API}{row.pk}/", {
        "contact_email": "security@example.jp", "contact_phone": "03-1234-5678"},
        format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["contact_email"] == "security@example.jp"
    assert log_entries(row, "update").get().source == "api"


@pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
def test_others_cannot_change_the_company(org, username):
    row = IncidentSettings.current()
    client = org.client(username)
    url = reverse("incidents:incidentsettings_update", args=[row.pk])
    assert client.post(url, {"reminder_days": 1, **COMPANY}).status_code == 404
    api = api_client(org.users[username])
    assert api.patch(f"{SETTINGS_API}{row.pk}/", {"company_name": "x"},
                     format="json").status_code in (403, 404)
    row.refresh_from_db()
    assert row.company_name == "" and not log_entries(row).exists()


def test_an_invalid_contact_address_is_refused(org):
    row = IncidentSettings.current()
    api = api_client(org.users["ciso"]).patch(f"{SETTINGS_API}{row.pk}/",
                                              {"contact_email": "not an address"}, format="json")
    assert api.status_code == 400 and "contact_email" in api.json()
    assert not log_entries(row).exists()


def test_occurrence_after_awareness_is_refused(org, english):
    from django.core.exceptions import ValidationError

    incident = Incident(title="x", department=org.sales, noticed_at=AWARE, aware_at=AWARE,
                        occurred_at=AWARE + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as raised:
        incident.full_clean()
    assert set(raised.value.message_dict) >= {"aware_at"}
