"""Dates are refused outside 1900–2999 by every form and API serializer (core.dates).

Found by the schema tests: an incident noticed on 9999-12-28 could not be saved (its
recovery due moment, a week later, overflowed: a 500 on PATCH and PUT), and one noticed on
0001-01-01 was answered with the offset +09:18:59 (Tokyo's local mean time), which is no
RFC 3339 `date-time`.
"""

import pytest

from mamori.core.testing import api_client
from mamori.incidents.models import BreachAssessment, Incident


@pytest.fixture
def incident(org):
    return Incident.objects.create(title="誤送信", department=org.sales)


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["9999-12-28T00:00:00Z", "0001-01-01T00:00:00Z",
                                    "1899-12-31T12:00:00+09:00", "3000-01-01T00:00:00+09:00"])
def test_the_api_refuses_implausible_moments(org, incident, moment):
    client = api_client(org.users["admin"])
    path = f"/api/incidents/incidents/{incident.pk}/"
    response = client.patch(path, {"noticed_at": moment}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"noticed_at"}
    current = client.get(path).json()
    response = client.put(path, {**current, "occurred_at": moment}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"occurred_at"}


@pytest.mark.django_db
def test_forms_refuse_implausible_dates(org, incident):
    response = org.client("admin").post(f"/incidents/{incident.pk}/edit/", {
        "title": incident.title, "noticed_at": "9999-12-28T00:00", "department": org.sales.pk,
        "severity": "medium"})
    assert response.status_code == 400
    assert "noticed_at" in response.context["form"].errors
    incident.refresh_from_db()
    assert incident.noticed_at.year < 3000


@pytest.mark.django_db
def test_plausible_dates_at_the_edges_are_taken(org, incident):
    client = api_client(org.users["admin"])
    path = f"/api/incidents/incidents/{incident.pk}/"
    response = client.patch(path, {"noticed_at": "1900-01-01T00:00:00+09:00"}, format="json")
    assert response.status_code == 200, response.content
    # An incident is not noticed in the future (issue 13): the latest edge on a moment that
    # may lie ahead, the time a breach assessment is dated.
    assessment = BreachAssessment.objects.create(
        incident=Incident.objects.create(title="紛失", department=org.sales))
    response = client.patch(f"/api/incidents/assessments/{assessment.pk}/",
                            {"assessed_at": "2999-12-24T00:00:00+09:00"}, format="json")
    assert response.status_code == 200, response.content
