"""Mapping requirements to controls: logged as updates of the requirement, shown on both
pages, and counted in the coverage."""

import pytest
from django.urls import reverse

from mamori.controls import coverage
from mamori.controls.tests.test_control_models import (
    make_control,
    make_framework,
    make_requirement,
)
from mamori.core.testing import api_client, log_entries

pytestmark = pytest.mark.django_db
API = "/api/controls/requirements/"


def form(requirement, **changes):
    data = {"framework": requirement.framework_id, "ref": requirement.ref,
            "sort_key": requirement.sort_key, "title_ja": requirement.title_ja,
            "theme": requirement.theme, "applicable": "true", "justification": "",
            "controls": []}
    data.update(changes)
    return data


def test_mapping_in_the_form_is_logged_and_shown_on_the_control(org):
    framework = make_framework("fw")
    requirement = make_requirement(framework, "5.1")
    control = make_control(org.sales, "C-1", status="implemented")
    response = org.client("ciso").post(
        reverse("controls:requirement_update", args=[requirement.pk]),
        form(requirement, controls=[control.pk]))
    assert response.status_code == 302, response.context["form"].errors
    # one edit, one entry: the mapping is among its changes
    assert ("controls", [], [control.pk]) in log_entries(requirement, "update").get().changes()
    page = org.client("staff").get(reverse("controls:control_detail", args=[control.pk]))
    requirements = page.context["related_lists"][0][1]
    assert [r.ref for r in requirements] == ["5.1"]
    detail = org.client("staff").get(reverse("controls:requirement_detail",
                                             args=[requirement.pk]))
    assert [c.code for c in detail.context["related_lists"][0][1]] == ["C-1"]
    assert coverage.framework_coverage(framework).implemented == 1


def test_mapping_through_the_api_is_logged(org):
    requirement = make_requirement(make_framework("fw"), "5.1", applicable=True)
    first, second = make_control(org.sales, "C-1"), make_control(org.it, "C-2")
    client = api_client(org.users["ciso"])
    path = f"{API}{requirement.pk}/"
    response = client.patch(path, {"controls": [first.pk, second.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["controls"]) == sorted([first.pk, second.pk])
    assert client.patch(path, {"controls": [second.pk]}, format="json").status_code == 200
    history = [e["after"] for e in client.get(f"{path}history/").json()]
    assert history[-2:] == [{"controls": sorted([first.pk, second.pk])},
                            {"controls": [second.pk]}]


def test_the_manager_cannot_map_requirements(org):
    """Mapping is the CISO's decision for the SoA, even to the manager's own controls."""
    requirement = make_requirement(make_framework("fw"), "5.1")
    control = make_control(org.sales, "C-1")
    client = org.client("manager")
    response = client.post(reverse("controls:requirement_update", args=[requirement.pk]),
                           form(requirement, controls=[control.pk]))
    assert response.status_code == 404
    api = api_client(org.users["manager"]).patch(f"{API}{requirement.pk}/",
                                                 {"controls": [control.pk]}, format="json")
    assert api.status_code == 404
    assert not requirement.controls.exists()
