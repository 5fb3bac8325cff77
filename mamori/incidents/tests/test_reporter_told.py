"""A reporter is told who decides whether a breach must be reported to the PPC, not asked to
assess it; those who may assess (the CISO, the department's information manager) are asked
(issue 16 item 11)."""

import pytest
from django.urls import reverse

from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db

ASK = "assess whether the breach must be reported"
TOLD = "decide whether it must be reported to the Personal Information Protection Commission"


def shown(org, user, incident) -> str:
    response = org.client(user).get(
        reverse("incidents:incident_detail", args=[incident.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_reporter_is_told_not_asked(org):
    client = org.client("staff")
    response = client.post(reverse("incidents:incident_create"), {
        "title": "顧客名簿の誤送信", "description": "", "occurred_at": "",
        "noticed_at": "2026-04-01T09:00", "department": org.sales.pk, "assets": [],
        "data_affected": "顧客名簿", "personal_data_suspected": "on"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="assess-pending"' in html and TOLD in html
    assert 'data-testid="assess-needed"' not in html and ASK not in html


@pytest.mark.parametrize("user", ["ciso", "manager"])
def test_those_who_assess_are_asked(org, user):
    incident = make_incident(org.sales, "誤送信", personal_data_suspected=True,
                             reported_by=org.people["staff"])
    html = shown(org, user, incident)
    assert 'data-testid="assess-needed"' in html and ASK in html
    assert TOLD not in html


def test_the_auditor_reading_it_is_not_asked(org):
    incident = make_incident(org.sales, "誤送信", personal_data_suspected=True)
    html = shown(org, "auditor", incident)
    assert ASK not in html and TOLD in html


def test_nothing_said_without_personal_information(org):
    incident = make_incident(org.sales, "誤送信", reported_by=org.people["staff"])
    html = shown(org, "staff", incident)
    assert ASK not in html and TOLD not in html


def test_in_japanese_too(org):
    """Japanese by default (passes once the translations are merged)."""
    incident = make_incident(org.sales, "誤送信", personal_data_suspected=True,
                             reported_by=org.people["staff"])
    html = org.client("staff").get(
        reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert "個人情報保護委員会への報告が必要かどうかはそちらで判断します" in html
    assert "評価してください" not in html
