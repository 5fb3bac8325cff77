"""Awareness times that cannot be right (issue 13, item 5): a moment of awareness (or of
noticing) in the future is refused; an awareness recorded more than a day after the incident
was noticed — the company is aware as soon as any part of it is — needs a reason, which the
incident page and the report drafts show."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.core.testing import api_client
from mamori.incidents import reports, workflow
from mamori.incidents.models import LATE_AWARENESS, BreachAssessment, Incident, RegulatoryReport

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
NOTICED = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO)
INCIDENTS = "/api/incidents/incidents/"
REASON = "委託先からの連絡が経営企画部で止まり、情報セキュリティ統括部に届いたのは3日後だった。"


def incident(org, **fields) -> Incident:
    return Incident.objects.create(title="顧客名簿の誤送信", department=org.sales,
                                   noticed_at=NOTICED, **fields)


def form_data(obj, **changes) -> dict:
    data = {"title": obj.title, "description": "", "occurred_at": "",
            "noticed_at": obj.noticed_at.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M"),
            "aware_at": "", "late_awareness_reason": "", "department": obj.department_id,
            "severity": obj.severity, "assignee": "", "data_affected": "", "root_cause": "",
            "lessons_learned": ""}
    return {**data, **changes}


def test_an_awareness_in_the_future_is_refused(org, english):
    obj = incident(org)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    obj.aware_at = tomorrow
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert caught.value.message_dict["aware_at"] == [
        "The time the company became aware cannot be in the future."]
    api = api_client(org.users["ciso"])
    response = api.patch(f"{INCIDENTS}{obj.pk}/", {"aware_at": tomorrow.isoformat()},
                         format="json")
    assert response.status_code == 400 and "aware_at" in response.json()
    response = api.patch(f"{INCIDENTS}{obj.pk}/", {"noticed_at": tomorrow.isoformat()},
                         format="json")
    assert response.status_code == 400 and "noticed_at" in response.json()
    response = org.client("ciso").post(
        reverse("incidents:incident_update", args=[obj.pk]),
        form_data(obj, aware_at=tomorrow.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 400 and "aware_at" in response.context["form"].errors
    obj.refresh_from_db()
    assert obj.aware_at is None
    # "Now" from a browser whose clock runs a little ahead is not the future.
    obj.noticed_at = obj.aware_at = timezone.now() + datetime.timedelta(minutes=2)
    obj.full_clean()


@settings(max_examples=40, deadline=None)
@given(st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=30)))
def test_an_awareness_over_a_day_after_noticing_needs_a_reason(later):
    obj = Incident(title="x", noticed_at=NOTICED, aware_at=NOTICED + later)
    late = later > LATE_AWARENESS
    assert obj.awareness_late is late
    try:
        obj.clean()
    except ValidationError as error:
        assert late and set(error.message_dict) == {"late_awareness_reason"}
    else:
        assert not late
    obj.late_awareness_reason = "  " + REASON + " "
    obj.clean()
    assert obj.late_awareness_reason == REASON


def test_the_reason_is_asked_in_the_form_and_the_api(org, english):
    obj = incident(org)
    three_days = (NOTICED + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client = org.client("ciso")
    url = reverse("incidents:incident_update", args=[obj.pk])
    response = client.post(url, form_data(obj, aware_at=three_days), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "more than a day" in response.context["form"].errors["late_awareness_reason"][0]
    response = api_client(org.users["ciso"]).patch(
        f"{INCIDENTS}{obj.pk}/", {"aware_at": "2026-04-04T09:00:00+09:00"}, format="json")
    assert response.status_code == 400 and "late_awareness_reason" in response.json()
    response = client.post(url, form_data(obj, aware_at=three_days,
                                          late_awareness_reason=REASON))
    assert response.status_code == 302, response.context["form"].errors
    obj.refresh_from_db()
    assert obj.late_awareness_reason == REASON
    assert REASON in client.get(obj.get_absolute_url()).content.decode()


def test_the_reports_show_the_reason(org):
    obj = incident(org, aware_at=NOTICED + datetime.timedelta(days=3),
                   late_awareness_reason=REASON)
    workflow.save_assessment(BreachAssessment(incident=obj, personal_data=True, sensitive=True),
                             org.users["ciso"])
    report = obj.reports.get(kind=RegulatoryReport.Kind.PRELIMINARY)
    rows = dict(reports.particulars(report))
    assert REASON in rows.values()
    assert "2026-04-01 09:00" in rows.values()  # the time it was noticed, beside it
    assert REASON in reports.pdf_html(report)
    page = org.client("ciso").get(report.get_absolute_url()).content.decode()
    assert 'data-testid="late-awareness"' in page and REASON in page
    # Without a late awareness, the drafts carry no such rows.
    on_time = incident(org)
    workflow.save_assessment(BreachAssessment(incident=on_time, personal_data=True,
                                              sensitive=True), org.users["ciso"])
    other = on_time.reports.get(kind=RegulatoryReport.Kind.PRELIMINARY)
    assert len(reports.particulars(other)) == len(reports.particulars(report)) - 2


def test_an_incident_recorded_before_the_question_stays_editable(org, english):
    """An incident stored with a late awareness and no reason (recorded before the reason was
    asked for) can still be edited without touching its times; new times need the reason."""
    obj = incident(org)
    Incident.objects.filter(pk=obj.pk).update(aware_at=NOTICED + datetime.timedelta(days=3))
    obj.refresh_from_db()
    obj.title = "顧客名簿の誤送信（続報）"
    obj.full_clean()
    obj.save()

    obj.aware_at = NOTICED + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert "late_awareness_reason" in caught.value.message_dict
