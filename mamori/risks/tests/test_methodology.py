"""The single row of risk methodology (core.scope.SettingsScope): everyone reads it, the CISO
and administrators change it, nobody adds or deletes one; a matrix smaller than existing
ratings is refused."""

import pytest
from django.urls import NoReverseMatch, reverse

from mamori.core.testing import api_client, log_entries
from mamori.risks.models import RiskBand, RiskMethodology
from mamori.risks.tests.test_risk_models import make_risk

pytestmark = pytest.mark.django_db
API = "/api/risks/methodology/"


def methodology():
    return RiskMethodology.objects.get()


def update_url(row):
    return reverse("risks:riskmethodology_update", args=[row.pk])


def data(**changes):
    return {"size": 3, "appetite": 3, "acceptance_months": 12, **changes}


def test_installed_defaults():
    row = methodology()
    assert (row.size, row.appetite, row.acceptance_months) == (3, 3, 12)
    assert list(RiskBand.objects.values_list("min_score", flat=True)) == [1, 3, 6]


def test_the_list_redirects_to_the_one_row(org):
    response = org.client("staff").get(reverse("risks:riskmethodology_list"))
    assert response.status_code == 302
    assert response["Location"] == methodology().get_absolute_url()


@pytest.mark.parametrize("username", ["staff", "it_staff", "manager", "auditor"])
def test_everyone_reads_the_methodology_and_its_bands(org, username):
    row = methodology()
    response = org.client(username).get(row.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_change"] is False and response.context["can_delete"] is False
    [(_label, bands)] = response.context["related_lists"]
    assert [b.min_score for b in bands] == [1, 3, 6]
    api = api_client(org.users[username]).get(API)
    assert [r["id"] for r in api.json()["results"]] == [row.pk]


@pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
def test_others_cannot_change_the_methodology(org, username):
    row = methodology()
    client = org.client(username)
    assert client.get(update_url(row)).status_code == 404
    assert client.post(update_url(row), data(size=5)).status_code == 404
    api = api_client(org.users[username])
    assert api.patch(f"{API}{row.pk}/", {"size": 5}, format="json").status_code in (403, 404)
    assert methodology().size == 3
    assert not log_entries(row).exists()


def test_nobody_adds_or_deletes_a_methodology(org):
    for action in ("create", "delete", "import", "bulk_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"risks:riskmethodology_{action}", args=[1] if action == "delete" else [])
    row = methodology()
    for username in ("ciso", "admin"):
        api = api_client(org.users[username])
        assert api.post(API, data(), format="json").status_code == 405
        assert api.delete(f"{API}{row.pk}/").status_code == 405
    assert RiskMethodology.objects.count() == 1


def test_ciso_changes_the_methodology_and_it_is_logged(org):
    row = methodology()
    response = org.client("ciso").post(update_url(row),
                                       data(size=5, appetite=8, acceptance_months=6))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.size, row.appetite, row.acceptance_months) == (5, 8, 6)
    entry = log_entries(row, "update").get()
    assert (entry.actor_name, entry.source) == ("ciso", "ui")
    assert {name for name, _b, _a in entry.changes()} == {"size", "appetite",
                                                          "acceptance_months"}


def test_admin_changes_the_methodology_through_the_api(org):
    row = methodology()
    response = api_client(org.users["admin"]).patch(f"{API}{row.pk}/", {"appetite": 4},
                                                    format="json")
    assert response.status_code == 200, response.json()
    assert log_entries(row, "update").get().source == "api"


def test_a_smaller_matrix_than_the_ratings_is_refused(org):
    row = methodology()
    row.size = 5
    row.save()
    make_risk(org.sales, "R-1", likelihood=2, impact=2)
    make_risk(org.it, "R-2", likelihood=4, impact=1)
    make_risk(org.it, "R-3", likelihood=1, impact=1, residual_likelihood=1, residual_impact=5)
    response = org.client("ciso").post(update_url(row), data(size=3))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["size"] and "2" in errors["size"][0]  # two risks in the way
    api = api_client(org.users["ciso"]).patch(f"{API}{row.pk}/", {"size": 3}, format="json")
    assert api.status_code == 400 and "size" in api.json()
    assert methodology().size == 5
    assert log_entries(row, "update").count() == 1  # only the change to 5 above


def test_an_appetite_beyond_the_matrix_is_refused(org):
    row = methodology()
    response = org.client("ciso").post(update_url(row), data(appetite=10))
    assert response.status_code == 400 and "appetite" in response.context["form"].errors
    api = api_client(org.users["ciso"]).patch(f"{API}{row.pk}/", {"appetite": 10},
                                              format="json")
    assert api.status_code == 400 and "appetite" in api.json()
    response = org.client("ciso").post(update_url(row), data(size=5, appetite=10))
    assert response.status_code == 302


def test_the_matrix_size_is_one_of_the_offered_sizes(org):
    row = methodology()
    response = org.client("ciso").post(update_url(row), data(size=4))
    assert response.status_code == 400 and "size" in response.context["form"].errors
