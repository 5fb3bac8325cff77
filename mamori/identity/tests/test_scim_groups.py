"""SCIM Groups and the roles a group may give (MAMORI_GROUP_ROLES)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from mamori.core.models import ChangeLogEntry, User
from mamori.identity.models import ScimClient, ScimMembership
from mamori.identity.scim import protocol as p
from mamori.identity.tests.test_scim_users import Scim, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scim(client, settings):
    settings.MAMORI_GROUP_ROLES = {"Mamori Auditors": "auditor"}
    _scim_client, token = ScimClient.issue("entra")
    return Scim(client, token)


def group(name, *member_ids):
    return {"schemas": [p.GROUP], "displayName": name,
            "members": [{"value": member} for member in member_ids]}


def account(user_name):
    return User.objects.get(username=user_name)


def test_a_mapped_group_gives_its_members_the_auditor_role_and_takes_it_back(org, scim):
    taro = scim.call("post", "Users", user()).json_body["id"]
    created = scim.call("post", "Groups", group("mamori auditors", taro))
    assert created.status_code == 201, created.json_body
    assert account("taro.yamada@example.jp").system_role == User.SystemRole.AUDITOR
    assert created.json_body["members"][0]["value"] == taro
    removed = scim.call("patch", f"Groups/{created.json_body['id']}", {
        "schemas": [p.PATCH], "Operations": [
            {"op": "remove", "path": f'members[value eq "{taro}"]'}]})
    assert removed.status_code == 200, removed.json_body
    assert account("taro.yamada@example.jp").system_role == User.SystemRole.STAFF
    assert ChangeLogEntry.objects.filter(model="identity.scimmembership", action="delete",
                                         actor_name="scim:entra").exists()


def test_members_added_as_entra_sends_them(org, scim):
    taro = scim.call("post", "Users", user()).json_body["id"]
    hanako = scim.call("post", "Users", user("hanako@example.jp", "E1002")).json_body["id"]
    made = scim.call("post", "Groups", group("Mamori Auditors")).json_body
    response = scim.call("patch", f"Groups/{made['id']}", {"schemas": [p.PATCH], "Operations": [
        {"op": "Add", "path": "members", "value": [{"value": taro}, {"value": hanako}]}]})
    assert response.status_code == 200, response.json_body
    assert ScimMembership.objects.count() == 2
    assert account("hanako@example.jp").system_role == User.SystemRole.AUDITOR
    # Deleting the group takes the role away.
    assert scim.call("delete", f"Groups/{made['id']}").status_code == 204
    assert account("hanako@example.jp").system_role == User.SystemRole.STAFF


def test_no_group_makes_or_unmakes_an_administrator(org, scim):
    created = scim.call("post", "Users", user("admin@example.jp", "E1003")).json_body["id"]
    account("admin@example.jp").__class__.objects.filter(username="admin@example.jp").update(
        system_role=User.SystemRole.ADMIN)
    scim.call("post", "Groups", group("Mamori Auditors", created))
    assert account("admin@example.jp").system_role == User.SystemRole.ADMIN


def test_a_setting_that_would_give_the_administrator_role_fails_the_checks(settings):
    settings.MAMORI_GROUP_ROLES = {"IT admins": "admin"}
    with pytest.raises(SystemCheckError, match="IT admins"):
        call_command("check")


def test_a_member_who_is_not_a_user_of_this_client_is_refused(org, scim):
    response = scim.call("post", "Groups", group("Mamori Auditors",
                                                 "6f1c1c5e-0000-4000-8000-000000000000"))
    assert response.status_code == 400
    assert "members.value" in response.json_body["detail"]
    assert not ScimMembership.objects.exists()


def test_groups_are_found_by_name(org, scim):
    scim.call("post", "Groups", group("Mamori Auditors"))
    found = scim.call("get", 'Groups?filter=displayName eq "mamori auditors"').json_body
    assert found["totalResults"] == 1


def test_deleting_a_user_ends_their_memberships_and_the_role(org, scim):
    taro = scim.call("post", "Users", user()).json_body["id"]
    scim.call("post", "Groups", group("Mamori Auditors", taro))
    assert scim.call("delete", f"Users/{taro}").status_code == 204
    assert account("taro.yamada@example.jp").system_role == User.SystemRole.STAFF
    assert ChangeLogEntry.objects.filter(model="identity.scimmembership",
                                         action="delete").count() == 1
