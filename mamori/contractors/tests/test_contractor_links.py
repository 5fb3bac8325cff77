"""Incidents and audits name the contractors they concern (Art 9): set on the incident's or
the audit's own form and API, listed on the contractor's page only for those who may open
them."""

import pytest
from django.urls import reverse

from mamori.audits.models import Audit
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.core.testing import api_client, log_entries
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db


def test_the_handler_names_the_contractor_on_the_incident(org):
    contractor = make_contractor(org.sales, "K-1")
    incident = make_incident(org.sales, "委託先での書類紛失")
    response = api_client(org.users["manager"]).patch(
        f"/api/incidents/incidents/{incident.pk}/", {"contractors": [contractor.pk]},
        format="json")
    assert response.status_code == 200, response.content
    assert list(incident.contractors.all()) == [contractor]
    assert log_entries(incident, "update").exists() or log_entries(incident, "link").exists()
    page = org.client("manager").get(contractor.get_absolute_url())
    assert list(page.context["incidents"]) == [incident]


def test_the_contractor_page_lists_only_incidents_the_reader_may_open(org):
    contractor = make_contractor(org.sales, "K-1")
    hidden = make_incident(org.it, "IT部門の事象")
    hidden.contractors.add(contractor)
    page = org.client("manager").get(contractor.get_absolute_url())
    assert list(page.context["incidents"]) == []
    assert "IT部門の事象" not in page.content.decode()
    assert list(org.client("ciso").get(contractor.get_absolute_url()).context[
        "incidents"]) == [hidden]


def test_an_incident_cannot_name_a_contractor_the_user_does_not_see(org):
    outside = make_contractor(org.it, "K-IT")
    incident = make_incident(org.sales, "営業部の事象")
    response = api_client(org.users["manager"]).patch(
        f"/api/incidents/incidents/{incident.pk}/", {"contractors": [outside.pk]},
        format="json")
    assert response.status_code == 400
    assert "contractors" in response.json()
    assert not incident.contractors.exists()


def test_the_audit_names_the_contractor_and_its_page_lists_the_audit(org):
    contractor = make_contractor(org.sales, "K-1")
    response = org.client("ciso").post(reverse("audits:audit_create"), {
        "code": "", "title": "委託先の実地監査", "kind": "contractor", "programme": "",
        "auditing_body": "内部監査室", "criteria": "委託契約", "contractors": [contractor.pk],
        "planned_start": "2026-12-10", "planned_end": "2026-12-11", "summary": "",
        "conclusion": "", "follow_up_of": "", "independence_justification": ""})
    assert response.status_code == 302, response.context and response.context["form"].errors
    audit = Audit.objects.get(title="委託先の実地監査")
    assert list(audit.contractors.all()) == [contractor]
    page = org.client("ciso").get(contractor.get_absolute_url())
    assert list(page.context["audits"]) == [audit]
    # The information manager keeps the contractor but sees only audits of their departments.
    page = org.client("manager").get(contractor.get_absolute_url())
    assert list(page.context["audits"]) == []
