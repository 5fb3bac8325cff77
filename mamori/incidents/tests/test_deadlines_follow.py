"""The report deadlines follow the facts (issue 13, item 1): a change of the awareness time or
of the answers derives the assessment's outcome again at once, in the same transaction, moves
the due dates of the PPC reports not yet submitted, and says in the timeline what moved and why.
Whatever the sequence of edits, the dates are those of an assessment made from scratch."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.core.testing import api_client
from mamori.incidents import breach, workflow
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentEntry,
    RegulatoryReport,
)

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
AWARE = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=TOKYO)
Kind = RegulatoryReport.Kind


def assessed(org, aware=AWARE, user="manager", **answers) -> BreachAssessment:
    incident = Incident.objects.create(title="顧客名簿の誤送信", department=org.sales,
                                       noticed_at=aware, aware_at=aware)
    answers = {"personal_data": True, "sensitive": True, **answers}
    return workflow.save_assessment(BreachAssessment(incident=incident, **answers),
                                    org.users[user])


def dues(incident) -> dict:
    return {r.kind: r.due_on for r in RegulatoryReport.objects.filter(incident=incident)}


def deadline_entries(incident):
    return IncidentEntry.objects.filter(incident=incident, kind=IncidentEntry.Kind.ASSESSMENT,
                                        text__contains="Deadlines derived again")


def test_moving_awareness_earlier_through_the_api_moves_the_drafted_reports(org):
    assessment = assessed(org)
    incident = assessment.incident
    assert dues(incident) == {Kind.PRELIMINARY: datetime.date(2026, 4, 5),
                              Kind.FINAL: datetime.date(2026, 4, 30)}
    response = api_client(org.users["manager"]).patch(
        f"/api/incidents/incidents/{incident.pk}/",
        {"aware_at": "2026-03-20T09:00:00+09:00", "noticed_at": "2026-03-20T09:00:00+09:00"},
        format="json")
    assert response.status_code == 200, response.json()
    assessment.refresh_from_db()
    assert (assessment.preliminary_target, assessment.preliminary_due, assessment.final_due) \
        == (datetime.date(2026, 3, 22), datetime.date(2026, 3, 24), datetime.date(2026, 4, 18))
    assert dues(incident) == {Kind.PRELIMINARY: datetime.date(2026, 3, 24),
                              Kind.FINAL: datetime.date(2026, 4, 18)}
    entry = deadline_entries(incident).get()
    assert entry.author == org.people["manager"]
    japanese, english = entry.text.splitlines()
    assert "2026-03-20 09:00" in english and "2026-04-30 → 2026-04-18" in english
    assert "2026-03-20 09:00" in japanese


def test_moving_awareness_in_the_form_moves_them_too(org):
    assessment = assessed(org)
    incident = assessment.incident
    client = org.client("ciso")
    data = {"title": incident.title, "description": "", "occurred_at": "",
            "noticed_at": "2026-04-03T08:00", "aware_at": "2026-04-03T08:00",
            "department": org.sales.pk, "severity": incident.severity, "assignee": "",
            "data_affected": "", "root_cause": "", "lessons_learned": ""}
    response = client.post(reverse("incidents:incident_update", args=[incident.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert dues(incident) == {Kind.PRELIMINARY: datetime.date(2026, 4, 7),
                              Kind.FINAL: datetime.date(2026, 5, 2)}
    assert deadline_entries(incident).count() == 1


def test_a_submitted_report_keeps_its_date(org):
    assessment = assessed(org)
    incident = assessment.incident
    preliminary = incident.reports.get(kind=Kind.PRELIMINARY)
    preliminary.submitted_on = datetime.date(2026, 4, 2)
    preliminary.save()
    incident.aware_at = incident.noticed_at = datetime.datetime(2026, 4, 2, 9, tzinfo=TOKYO)
    incident.save()
    assert dues(incident) == {Kind.PRELIMINARY: datetime.date(2026, 4, 5),
                              Kind.FINAL: datetime.date(2026, 5, 1)}


def test_changing_the_answers_moves_the_reports_whoever_saves_them(org):
    assessment = assessed(org)
    incident = assessment.incident
    assessment.wrongful_purpose = True
    assessment.save()  # a plain save (admin, shell), not through the workflow
    assert dues(incident)[Kind.FINAL] == datetime.date(2026, 5, 30)  # ground 3: day 60
    with override("en"):
        assert "the answers changed" in deadline_entries(incident).get().text


def test_an_unchanged_outcome_writes_nothing(org):
    assessment = assessed(org)
    incident = assessment.incident
    incident.title = "顧客名簿の誤送信（訂正）"
    incident.save()
    incident.noticed_at = incident.aware_at = AWARE + datetime.timedelta(hours=3)  # same day
    incident.save()
    assert not deadline_entries(incident).exists()


def test_the_reports_move_with_the_awareness_or_not_at_all(org):
    assessment = assessed(org)
    incident = assessment.incident
    before = dues(incident)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        incident.aware_at = incident.noticed_at = datetime.datetime(2026, 3, 1, tzinfo=TOKYO)
        incident.save()
        assert dues(incident) != before
        raise Boom
    assert dues(incident) == before
    assert not deadline_entries(incident).exists()


def test_awareness_moved_across_an_amendment_changes_the_rule_and_the_grounds(org):
    skimming = assessed(org, aware=datetime.datetime(2024, 4, 10, 9, tzinfo=TOKYO),
                        sensitive=False, wrongful_purpose=True, being_acquired=True)
    incident = skimming.incident
    assert skimming.reportable and skimming.rule.code == "appi-2024"
    incident.aware_at = incident.noticed_at = datetime.datetime(2024, 3, 25, tzinfo=TOKYO)
    incident.save()
    skimming.refresh_from_db()
    assert skimming.rule.code == "appi-2022" and not skimming.reportable
    with override("en"):
        assert "No longer reportable" in deadline_entries(incident).get().text


# --- any sequence of edits gives the dates of an assessment made from scratch ----------------

moments = st.datetimes(min_value=datetime.datetime(2023, 1, 1),
                       max_value=datetime.datetime(2026, 11, 30), timezones=st.just(TOKYO))
answer_sets = st.fixed_dictionaries({
    "sensitive": st.booleans(), "financial_damage": st.booleans(),
    "wrongful_purpose": st.booleans(), "encrypted": st.booleans(),
    "persons_affected": st.none() | st.integers(min_value=0, max_value=3000)})
edits = st.lists(st.one_of(st.tuples(st.just("aware"), moments),
                           st.tuples(st.just("answers"), answer_sets)), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments, first=answer_sets, steps=edits)
def test_any_sequence_of_edits_gives_the_dates_of_a_fresh_assessment(org, start, first, steps):
    with transaction.atomic():
        assessment = assessed(org, aware=start, **first)
        incident = assessment.incident
        for kind, value in steps:
            if kind == "aware":
                incident.aware_at = incident.noticed_at = value
                incident.save()
            else:
                assessment.refresh_from_db()
                for name, answer in value.items():
                    setattr(assessment, name, answer)
                workflow.save_assessment(assessment, org.users["manager"])
        assessment.refresh_from_db()
        incident.refresh_from_db()
        aware_on = breach.awareness_date(incident.awareness)
        rule = BreachRule.in_force_on(aware_on)
        fresh = breach.assess(assessment.answers(), incident.awareness, rule)
        assert assessment.rule == rule
        assert (assessment.reportable, assessment.grounds_list, assessment.preliminary_target,
                assessment.preliminary_due, assessment.final_due) == (
            fresh.reportable, list(fresh.grounds), fresh.preliminary_target,
            fresh.preliminary_due, fresh.final_due)
        if fresh.reportable:
            assert dues(incident) == {Kind.PRELIMINARY: fresh.preliminary_due,
                                      Kind.FINAL: fresh.final_due}
        transaction.set_rollback(True)
