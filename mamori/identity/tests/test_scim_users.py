"""SCIM provisioning of people, through the real URL and views (RFC 7644)."""

import json

import pytest

from mamori.core.models import ChangeLogEntry, User
from mamori.identity.models import ScimClient, ScimIdentity
from mamori.identity.scim import protocol as p
from mamori.org.models import Appointment, Person

pytestmark = pytest.mark.django_db


class Scim:
    """A SCIM client speaking to /scim/v2/ with its bearer token."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def call(self, method, path, body=None, token=None, **headers):
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token or self.token}")
        data = json.dumps(body) if body is not None else None
        response = getattr(self.client, method)(
            f"/scim/v2/{path}", data=data, content_type=p.MEDIA_TYPE, **headers)
        response.json_body = json.loads(response.content) if response.content else None
        return response


@pytest.fixture
def scim(client):
    _scim_client, token = ScimClient.issue("entra")
    return Scim(client, token)


def user(user_name="taro.yamada@example.jp", number="E1001", **extra):
    body = {
        "schemas": [p.USER, p.ENTERPRISE], "userName": user_name, "externalId": "ext-1",
        "name": {"familyName": "山田", "givenName": "太郎"},
        "emails": [{"value": "taro@example.jp", "type": "work", "primary": True}],
        "userType": "employee", "active": True,
        p.ENTERPRISE: {"employeeNumber": number, "department": "D100"},
    }
    body.update(extra)
    return body


def test_creating_a_user_adds_a_person_with_a_login_account(org, scim):
    response = scim.call("post", "Users", user())
    assert response.status_code == 201, response.json_body
    body = response.json_body
    assert response["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    person = Person.objects.get(employee_no="E1001")
    assert (person.name, person.email, person.category, person.department) == (
        "山田 太郎", "taro@example.jp", "employee", org.sales)
    assert person.user.username == "taro.yamada@example.jp"
    assert not person.user.has_usable_password()
    assert person.user.system_role == User.SystemRole.STAFF
    assert body["userName"] == "taro.yamada@example.jp"
    assert body[p.ENTERPRISE] == {"employeeNumber": "E1001", "department": "D100"}
    assert body["name"] == {"familyName": "山田", "givenName": "太郎"}
    assert scim.call("get", f"Users/{body['id']}").json_body == body


def test_every_change_is_in_the_log_as_the_scim_client(org, scim):
    scim.call("post", "Users", user())
    entries = ChangeLogEntry.objects.filter(actor_name="scim:entra")
    assert {e.model for e in entries} >= {"org.person", "core.user", "identity.scimidentity"}
    assert {e.source for e in entries} == {"scim"}


def test_a_bad_or_revoked_token_gets_401_and_changes_nothing(org, scim):
    assert scim.call("post", "Users", user(), token="scim_wrong").status_code == 401
    ScimClient.objects.update(revoked_at="2026-01-01T00:00:00Z")
    response = scim.call("get", "Users")
    assert response.status_code == 401
    assert response.json_body["schemas"] == [p.ERROR]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ScimIdentity.objects.exists()


@pytest.mark.parametrize(("change", "attribute"), [
    ({"userName": ""}, "userName"),
    ({"emails": [{"value": "not-an-address", "primary": True}]}, "emails.value"),
    ({"userType": "wizard"}, "userType"),
    ({p.ENTERPRISE: {"employeeNumber": "E1001", "department": "NOWHERE"}},
     f"{p.ENTERPRISE}:department"),
    ({"active": "maybe"}, "active"),
])
def test_bad_input_is_refused_naming_the_attribute_and_nothing_is_written(
        org, scim, change, attribute):
    people = Person.objects.count()
    log = ChangeLogEntry.objects.count()
    response = scim.call("post", "Users", user(**change))
    assert response.status_code == 400
    assert response.json_body["scimType"] == "invalidValue"
    assert attribute in response.json_body["detail"]
    assert Person.objects.count() == people
    assert ChangeLogEntry.objects.count() == log


def test_a_malformed_body_gets_invalid_syntax(org, scim):
    response = scim.client.post("/scim/v2/Users", data="{not json",
                                content_type=p.MEDIA_TYPE,
                                HTTP_AUTHORIZATION=f"Bearer {scim.token}")
    assert response.status_code == 400
    assert json.loads(response.content)["scimType"] == "invalidSyntax"


def test_the_same_user_name_twice_is_a_uniqueness_conflict(org, scim):
    assert scim.call("post", "Users", user()).status_code == 201
    response = scim.call("post", "Users", user(user_name="TARO.YAMADA@example.jp",
                                                number="E1002"))
    assert response.status_code == 409
    assert response.json_body["scimType"] == "uniqueness"


def test_a_user_with_a_staff_number_in_the_register_is_linked_to_that_person(org, scim):
    response = scim.call("post", "Users", user(user_name="staff@example.jp", number="P003"))
    assert response.status_code == 201
    staff = Person.objects.get(employee_no="P003")
    assert staff.scim_identity.scim_id.hex == response.json_body["id"].replace("-", "")
    assert Person.objects.filter(employee_no="P003").count() == 1
    # A second identity for the same person is refused.
    again = scim.call("post", "Users", user(user_name="other@example.jp", number="P003"))
    assert again.status_code == 409


def test_deactivating_records_a_leaver_ending_posts_and_closing_the_login(org, scim):
    created = scim.call("post", "Users", user(user_name="manager@example.jp", number="P002"))
    manager = Person.objects.get(employee_no="P002")
    assert Appointment.objects.current().filter(person=manager).exists()
    response = scim.call("patch", f"Users/{created.json_body['id']}", {
        "schemas": [p.PATCH], "Operations": [{"op": "Replace", "value": {"active": "False"}}]})
    assert response.status_code == 200, response.json_body
    assert response.json_body["active"] is False
    manager.refresh_from_db()
    assert manager.status == Person.Status.LEFT and manager.left_on is not None
    assert not manager.user.is_active
    # The last day of their post is the day they left (end dates are inclusive).
    assert [a.end_date for a in manager.appointments.all()] == [manager.left_on]
    # Back again: active, the login open.
    scim.call("patch", f"Users/{created.json_body['id']}", {
        "schemas": [p.PATCH], "Operations": [{"op": "replace", "path": "active",
                                              "value": True}]})
    manager.refresh_from_db()
    assert manager.status == Person.Status.ACTIVE and manager.user.is_active


def test_delete_ends_the_link_but_never_the_person(org, scim):
    created = scim.call("post", "Users", user()).json_body
    assert scim.call("delete", f"Users/{created['id']}").status_code == 204
    assert scim.call("get", f"Users/{created['id']}").status_code == 404
    person = Person.objects.get(employee_no="E1001")
    assert person.status == Person.Status.LEFT and not person.user.is_active


def test_patch_paths_as_identity_providers_send_them(org, scim):
    created = scim.call("post", "Users", user()).json_body
    response = scim.call("patch", f"Users/{created['id']}", {"schemas": [p.PATCH], "Operations": [
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "t.yamada@example.jp"},
        {"op": "replace", "path": f"{p.ENTERPRISE}:department", "value": "D200"},
        {"op": "add", "path": "name.givenName", "value": "太一"},
        {"op": "replace", "path": "userType", "value": "派遣労働者"},
    ]})
    assert response.status_code == 200, response.json_body
    person = Person.objects.get(employee_no="E1001")
    assert (person.email, person.department, person.name, person.category) == (
        "t.yamada@example.jp", org.it, "山田 太一", "dispatched")
    assert person.user.email == "t.yamada@example.jp"


def test_a_patch_that_fails_half_way_changes_nothing(org, scim):
    created = scim.call("post", "Users", user()).json_body
    response = scim.call("patch", f"Users/{created['id']}", {"schemas": [p.PATCH], "Operations": [
        {"op": "replace", "path": "displayName", "value": "新しい名前"},
        {"op": "replace", "path": "userType", "value": "wizard"},
    ]})
    assert response.status_code == 400
    assert Person.objects.get(employee_no="E1001").name == "山田 太郎"


def test_filters_find_users_as_identity_providers_look_them_up(org, scim):
    scim.call("post", "Users", user())
    scim.call("post", "Users", user(user_name="hanako@example.jp", number="E1002",
                                    externalId="ext-2"))
    found = scim.call("get", 'Users?filter=userName eq "TARO.yamada@example.jp"').json_body
    assert [r["userName"] for r in found["Resources"]] == ["taro.yamada@example.jp"]
    found = scim.call("get", 'Users?filter=externalId eq "ext-2"').json_body
    assert found["totalResults"] == 1
    everyone = scim.call("get", "Users?startIndex=2&count=1").json_body
    assert (everyone["totalResults"], everyone["startIndex"], everyone["itemsPerPage"]) == (
        2, 2, 1)
    refused = scim.call("get", 'Users?filter=title eq "x"')
    assert refused.status_code == 400 and refused.json_body["scimType"] == "invalidFilter"


def test_a_client_sees_only_the_people_it_provisioned(org, scim):
    created = scim.call("post", "Users", user()).json_body
    _other, other_token = ScimClient.issue("okta")
    assert scim.call("get", f"Users/{created['id']}", token=other_token).status_code == 404
    assert scim.call("get", "Users", token=other_token).json_body["totalResults"] == 0


def test_unknown_paths_and_methods_answer_in_scim_errors(org, scim):
    missing = scim.call("get", "Nothing/here")
    assert missing.status_code == 404 and missing.json_body["schemas"] == [p.ERROR]
    refused = scim.call("post", "ServiceProviderConfig", {})
    assert refused.status_code == 405 and refused.json_body["schemas"] == [p.ERROR]
