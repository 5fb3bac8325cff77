"""Values of the wrong JSON type are refused, naming the field, as the schema promises (found by
`make security`: schemathesis had numbers accepted as codes and names, and a TLS profile's
definition had no type in the schema)."""

import pytest

from mamori.core.testing import api_client
from mamori.org.models import Department
from mamori.websec.models import TlsProfile


@pytest.mark.django_db
@pytest.mark.parametrize("body, field", [
    ({"code": 0, "name_ja": "数字のコード"}, "code"),
    ({"code": "D901", "name_ja": "英語名が数字", "name_en": 0}, "name_en"),
    ({"code": "D902", "name_ja": ["一覧"]}, "name_ja"),
])
def test_a_number_or_list_for_text_is_refused_naming_the_field(org, body, field):
    response = api_client(org.users["admin"]).post("/api/org/departments/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Department.objects.filter(name_ja=body["name_ja"]).exists()


@pytest.mark.django_db
def test_text_and_null_where_allowed_are_still_accepted(org):
    response = api_client(org.users["admin"]).post(
        "/api/org/departments/", {"code": "D903", "name_ja": "文字列", "name_en": "Text",
                                  "parent": None}, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("definition", [None, [], "intermediate", 3])
def test_a_profile_definition_must_be_an_object(org, definition):
    profile = TlsProfile.objects.get(code="intermediate")
    before = profile.definition
    response = api_client(org.users["admin"]).patch(
        f"/api/websec/profiles/{profile.pk}/", {"definition": definition}, format="json")
    assert response.status_code == 400
    assert "definition" in response.json()
    profile.refresh_from_db()
    assert profile.definition == before


@pytest.mark.django_db
def test_the_schema_says_a_definition_is_an_object(org):
    schema = api_client(org.users["admin"]).get("/api/schema/?format=json").json()
    for name in ("TlsProfileRequest", "PatchedTlsProfileRequest"):
        definition = schema["components"]["schemas"][name]["properties"]["definition"]
        assert definition["type"] == "object"


@pytest.mark.django_db
@pytest.mark.parametrize("body, field", [
    ({"in_soa": 0}, "in_soa"),
    ({"in_soa": "true"}, "in_soa"),
])
def test_a_boolean_must_be_true_or_false(org, body, field):
    from mamori.controls.models import Framework

    framework = Framework.objects.create(code="test-fw", name_ja="試験用の枠組み")
    response = api_client(org.users["admin"]).patch(
        f"/api/controls/frameworks/{framework.pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_a_whole_number_must_be_a_number(org):
    from mamori.incidents.models import ResponseTarget

    target = ResponseTarget.objects.first()
    response = api_client(org.users["admin"]).patch(
        f"/api/incidents/response-targets/{target.pk}/", {"contain_within_hours": "5"},
        format="json")
    assert response.status_code == 400
    assert "contain_within_hours" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("links", [{}, {"1": 2}, "1", 1])
def test_links_to_many_must_be_a_list(org, links):
    """DRF takes any iterable for a list of links, an object's keys included: schemathesis had
    an audit created with `"team": {}`. The schema says a list, and so does the API."""
    body = {"title": "監査", "kind": "pci_dss", "planned_start": "2026-07-01",
            "planned_end": "2026-07-02", "team": links}
    response = api_client(org.users["admin"]).post("/api/audits/audits/", body, format="json")
    assert response.status_code == 400 and "team" in response.json()
    body["team"] = []
    assert api_client(org.users["admin"]).post("/api/audits/audits/", body,
                                               format="json").status_code == 201
