"""A breach-reporting rule that assessments applied is frozen (issue 13, item 2): the API, the
forms, the admin and a plain save all refuse to change its date or its numbers, naming the
rule. A change of the law is a new rule with its effective date: adding it (or setting a
rule's date) derives again, in the same transaction, every assessment it now governs — or, when
their reports were already submitted, flags them for the CISO instead of changing them."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.core.testing import api_client, log_entries
from mamori.incidents import breach, workflow
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentEntry,
    RegulatoryReport,
)
from mamori.incidents.todo import overdue_items

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
Kind = RegulatoryReport.Kind
RULES = "/api/incidents/rules/"


def assessed(org, aware, **answers) -> BreachAssessment:
    incident = Incident.objects.create(title="顧客名簿の誤送信", department=org.sales,
                                       noticed_at=aware, aware_at=aware)
    answers = {"personal_data": True, "sensitive": True, **answers}
    return workflow.save_assessment(BreachAssessment(incident=incident, **answers),
                                    org.users["ciso"])


def in_use(org) -> BreachRule:
    assessed(org, datetime.datetime(2026, 4, 1, 10, tzinfo=TOKYO))
    return BreachRule.objects.get(code="appi-2024")


def rule_data(rule, **changes) -> dict:
    data = {name: getattr(rule, name) for name in (
        "code", "name_ja", "name_en", "preliminary_target_days", "preliminary_due_days",
        "final_days", "final_days_wrongful", "person_threshold", "awareness_day_is_day_one",
        "acquisition_counts_as_wrongful", "legal_basis")}
    data["effective_from"] = rule.effective_from.isoformat()
    return {**data, **changes}


def form_data(data: dict) -> dict:
    return {k: ("on" if v is True else "" if v in (False, None) else v) for k, v in data.items()
            if v is not False}


# --- frozen ------------------------------------------------------------------------------------


def test_the_api_refuses_to_change_a_rule_in_use_naming_it(org, english):
    rule = in_use(org)
    api = api_client(org.users["ciso"])
    for field, value in (("person_threshold", 100), ("effective_from", "2024-05-01"),
                         ("acquisition_counts_as_wrongful", False)):
        response = api.patch(f"{RULES}{rule.pk}/", {field: value}, format="json",
                             HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (field, response.json())
        message = response.json()[field][0]
        assert "appi-2024" in message and "new rule" in message
    rule.refresh_from_db()
    assert (rule.person_threshold, rule.effective_from) == (1000, datetime.date(2024, 4, 1))
    assert not log_entries(rule, "update").exists()
    # Its names and legal basis are not what outcomes were derived from: they are corrected.
    response = api.patch(f"{RULES}{rule.pk}/", {"name_en": "APPI as amended in 2024"},
                         format="json")
    assert response.status_code == 200, response.json()
    assert log_entries(rule, "update").count() == 1


def test_a_plain_save_and_the_model_check_refuse_it_too(org, english):
    rule = in_use(org)
    rule.final_days = 25
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "appi-2024" in caught.value.message_dict["final_days"][0]
    with pytest.raises(ValidationError):
        rule.save()
    assert BreachRule.objects.get(pk=rule.pk).final_days == 30
    # A rule no assessment applied changes as before.
    unused = BreachRule.objects.get(code="appi-2022")
    unused.final_days = 25
    unused.full_clean()
    unused.save()
    assert BreachRule.objects.get(pk=unused.pk).final_days == 25


def test_the_admin_refuses_it(org, english):
    rule = in_use(org)
    org.users["admin"].is_staff = org.users["admin"].is_superuser = True  # the admin site's
    org.users["admin"].save()
    client = org.client("admin")
    url = reverse("admin:incidents_breachrule_change", args=[rule.pk])
    form = client.get(url).context["adminform"].form
    assert not set(BreachRule.FROZEN_FIELDS) & set(form.fields)  # shown read-only
    response = client.post(url, form_data(rule_data(rule, final_days=25, name_en="Amended")))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.final_days, rule.name_en) == (30, "Amended")
    # Were the field offered, the model would still refuse it, naming the rule.
    rule.final_days = 25
    with pytest.raises(ValidationError, match="appi-2024"):
        rule.full_clean()


def test_the_pages_offer_no_change_that_would_be_refused(org, english):
    rule = in_use(org)
    client = org.client("ciso")
    page = client.get(rule.get_absolute_url())
    assert page.context["in_use"] and not page.context["can_delete"]
    html = page.content.decode()
    assert 'data-testid="rule-frozen"' in html
    assert reverse("incidents:breachrule_delete", args=[rule.pk]) not in html
    form = client.get(reverse("incidents:breachrule_update", args=[rule.pk])).context["form"]
    assert all(form.fields[name].disabled for name in BreachRule.FROZEN_FIELDS)
    assert not form.fields["name_en"].disabled
    # A posted number is not taken (the field is shown, not offered); the names are.
    response = client.post(reverse("incidents:breachrule_update", args=[rule.pk]),
                           form_data(rule_data(rule, final_days=25, name_en="Amended")))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.final_days, rule.name_en) == (30, "Amended")
    unused = BreachRule.objects.get(code="appi-2022")
    page = client.get(unused.get_absolute_url())
    assert not page.context["in_use"] and page.context["can_delete"]
    form = client.get(reverse("incidents:breachrule_update", args=[unused.pk])).context["form"]
    assert not any(form.fields[name].disabled for name in BreachRule.FROZEN_FIELDS)


def test_a_file_import_cannot_change_a_rule_in_use(org):
    rule = in_use(org)
    client = org.client("ciso")
    header = ",".join(rule_data(rule))
    row = ",".join(str(v) for v in rule_data(rule, final_days=25).values())
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("rules.csv", f"{header}\n{row}\n".encode(), "text/csv")
    response = client.post(reverse("incidents:breachrule_import"), {"file": upload})
    assert response.status_code == 400
    errors = str(response.context["result"].errors)
    assert "appi-2024" in errors and "final_days" in errors
    assert BreachRule.objects.get(pk=rule.pk).final_days == 30


# --- a new rule takes effect ---------------------------------------------------------------


def test_a_new_rule_derives_the_assessments_it_governs_again(org, english):
    before = assessed(org, datetime.datetime(2026, 12, 31, 23, 0, tzinfo=TOKYO))
    after = assessed(org, datetime.datetime(2027, 2, 10, 8, tzinfo=TOKYO))
    assert after.rule.code == "appi-2024" and after.final_due == datetime.date(2027, 3, 11)
    api = api_client(org.users["ciso"])
    response = api.post(RULES, {
        "code": "test-2027", "name_ja": "試験用の改正", "name_en": "Test amendment",
        "effective_from": "2027-01-01", "final_days": 20}, format="json")
    assert response.status_code == 201, response.json()
    after.refresh_from_db()
    assert after.rule.code == "test-2027"
    assert after.final_due == datetime.date(2027, 3, 1)  # day 20 from 10 February
    assert after.incident.reports.get(kind=Kind.FINAL).due_on == datetime.date(2027, 3, 1)
    entry = IncidentEntry.objects.filter(incident=after.incident,
                                         text__contains="test-2027").get()
    assert "Test amendment" in entry.text.splitlines()[1]
    assert "2027-03-11 → 2027-03-01" in entry.text
    before.refresh_from_db()
    assert before.rule.code == "appi-2024" and before.final_due == datetime.date(2027, 1, 29)
    assert not IncidentEntry.objects.filter(incident=before.incident,
                                            text__contains="test-2027").exists()


def test_setting_a_rules_date_applies_it_from_that_date(org):
    later = BreachRule.objects.create(code="test-2030", name_ja="将来の改正",
                                      effective_from=datetime.date(2030, 1, 1), final_days=20)
    assessment = assessed(org, datetime.datetime(2027, 2, 10, 8, tzinfo=TOKYO))
    assert assessment.rule.code == "appi-2024"
    later.effective_from = datetime.date(2027, 1, 1)
    later.full_clean()
    later.save()
    assessment.refresh_from_db()
    assert assessment.rule == later and assessment.final_due == datetime.date(2027, 3, 1)


def test_submitted_reports_are_flagged_for_the_ciso_not_changed(org, english):
    assessment = assessed(org, datetime.datetime(2027, 2, 10, 8, tzinfo=TOKYO))
    preliminary = assessment.incident.reports.get(kind=Kind.PRELIMINARY)
    preliminary.submitted_on = datetime.date(2027, 2, 12)
    preliminary.save()
    stored = (assessment.rule_id, assessment.final_due)
    new = BreachRule.objects.create(code="test-2027", name_ja="試験用の改正",
                                    effective_from=datetime.date(2027, 1, 1), final_days=20)
    assessment.refresh_from_db()
    assert (assessment.rule_id, assessment.final_due) == stored
    assert assessment.rule_superseded_by == new
    entry = log_entries(assessment, "update").get()
    assert (entry.before["rule_superseded_by_id"], entry.after["rule_superseded_by_id"]) == (
        None, new.pk)
    entry = IncidentEntry.objects.filter(incident=assessment.incident,
                                         text__contains="test-2027").get()
    assert "To review" in entry.text
    # The CISO sees it on the dashboard's to-do list and on the pages of the incident.
    panel = overdue_items(org.users["ciso"])
    assert list(panel["to_review"]) == [assessment]
    client = org.client("ciso")
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="assessment-to-review"' in dashboard
    for url in (assessment.get_absolute_url(), assessment.incident.get_absolute_url()):
        assert 'data-testid="rule-superseded"' in client.get(url).content.decode()
    # Saving the assessment again applies the new rule; nothing is left to review.
    workflow.save_assessment(BreachAssessment.objects.get(pk=assessment.pk), org.users["ciso"])
    assessment.refresh_from_db()
    assert assessment.rule == new and assessment.rule_superseded_by is None
    assert assessment.final_due == datetime.date(2027, 3, 1)
    assert list(overdue_items(org.users["ciso"])["to_review"]) == []
    # The submitted report keeps the date it was measured against.
    preliminary.refresh_from_db()
    assert preliminary.due_on == datetime.date(2027, 2, 14)


def test_a_new_rule_and_its_effects_are_one_transaction(org, monkeypatch):
    assessment = assessed(org, datetime.datetime(2027, 2, 10, 8, tzinfo=TOKYO))

    def fail(*args, **kwargs):
        raise RuntimeError("the re-derivation failed")

    monkeypatch.setattr(BreachAssessment, "rederive", fail)
    with pytest.raises(RuntimeError):
        BreachRule.objects.create(code="test-2027", name_ja="試験用の改正",
                                  effective_from=datetime.date(2027, 1, 1), final_days=20)
    assert not BreachRule.objects.filter(code="test-2027").exists()
    assessment.refresh_from_db()
    assert assessment.rule.code == "appi-2024"


def test_a_flag_goes_when_the_rule_no_longer_governs_the_breach(org):
    assessment = assessed(org, datetime.datetime(2027, 2, 10, 8, tzinfo=TOKYO))
    assessment.incident.reports.filter(kind=Kind.PRELIMINARY).update(
        submitted_on=datetime.date(2027, 2, 12))
    new = BreachRule.objects.create(code="test-2027", name_ja="試験用の改正",
                                    effective_from=datetime.date(2027, 1, 1), final_days=20)
    assert BreachAssessment.objects.get(pk=assessment.pk).rule_superseded_by == new
    new.effective_from = datetime.date(2028, 1, 1)  # not in use: its date can still move
    new.save()
    assessment.refresh_from_db()
    assert assessment.rule_superseded_by is None and assessment.rule.code == "appi-2024"


# --- any sequence of new rules and edits gives the outcome of a fresh assessment -------------

moments = st.datetimes(min_value=datetime.datetime(2022, 4, 1),
                       max_value=datetime.datetime(2026, 11, 30), timezones=st.just(TOKYO))
answer_sets = st.fixed_dictionaries({
    "sensitive": st.booleans(), "financial_damage": st.booleans(),
    "wrongful_purpose": st.just(True), "being_acquired": st.booleans(),
    "held_data_also_affected": st.booleans(), "encrypted": st.booleans(),
    "persons_affected": st.none() | st.integers(min_value=0, max_value=3000)})
new_rules = st.fixed_dictionaries({
    "effective_from": st.dates(min_value=datetime.date(2022, 4, 2),
                               max_value=datetime.date(2026, 11, 30)),
    "final_days": st.integers(min_value=10, max_value=60),
    "person_threshold": st.integers(min_value=100, max_value=2000),
    "acquisition_counts_as_wrongful": st.booleans()})
steps = st.lists(st.one_of(st.tuples(st.just("aware"), moments),
                           st.tuples(st.just("answers"), answer_sets),
                           st.tuples(st.just("rule"), new_rules)), min_size=1, max_size=6)


def consistent(answers: dict) -> dict:
    held = answers["being_acquired"] and answers["held_data_also_affected"]
    return {**answers, "held_data_also_affected": held}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments, first=answer_sets, edits=steps)
def test_new_rules_and_edits_give_the_outcome_of_a_fresh_assessment(org, start, first, edits):
    with transaction.atomic():
        assessment = assessed(org, start, **consistent(first))
        incident = assessment.incident
        for number, (kind, value) in enumerate(edits):
            if kind == "aware":
                incident.aware_at = incident.noticed_at = value
                incident.save()
            elif kind == "answers":
                assessment.refresh_from_db()
                for name, answer in consistent(value).items():
                    setattr(assessment, name, answer)
                workflow.save_assessment(assessment, org.users["ciso"])
            elif not BreachRule.objects.filter(effective_from=value["effective_from"]).exists():
                BreachRule.objects.create(code=f"test-{number}", name_ja=f"改正{number}",
                                          **value)
        assessment.refresh_from_db()
        incident.refresh_from_db()
        rule = BreachRule.in_force_on(breach.awareness_date(incident.awareness))
        fresh = breach.assess(assessment.answers(), incident.awareness, rule)
        assert assessment.rule == rule and assessment.rule_superseded_by is None
        assert (assessment.reportable, assessment.grounds_list,
                assessment.grounds_if_unencrypted_list, assessment.final_due) == (
            fresh.reportable, list(fresh.grounds), list(fresh.grounds_if_unencrypted),
            fresh.final_due)
        if fresh.reportable:
            assert {r.kind: r.due_on for r in incident.reports.all()} == {
                Kind.PRELIMINARY: fresh.preliminary_due, Kind.FINAL: fresh.final_due}
        transaction.set_rollback(True)
