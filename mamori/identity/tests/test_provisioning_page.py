"""The provisioning page, as each role sees it, in both languages."""

import pytest
from django.urls import reverse

from mamori.core.models import ChangeLogEntry
from mamori.identity.models import ScimClient

pytestmark = pytest.mark.django_db
PAGE = reverse("identity:provisioning")


def test_an_administrator_issues_a_token_shown_once_and_revokes_it(org):
    client = org.client("admin")
    page = client.post(PAGE, {"name": "entra"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    token = page.split('data-testid="new-token">')[1].split("<")[0]
    scim_client = ScimClient.objects.get(name="entra")
    assert ScimClient.authenticated(token) == scim_client
    assert token not in client.get(PAGE).content.decode()
    assert ChangeLogEntry.objects.filter(model="identity.scimclient", action="create").exists()
    client.post(PAGE, {"revoke": scim_client.pk})
    assert ScimClient.authenticated(token) is None


def test_a_second_client_of_the_same_name_is_refused_naming_the_field(org):
    ScimClient.issue("entra")
    response = org.client("admin").post(PAGE, {"name": "entra"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "A SCIM client of this name exists already."]
    assert ScimClient.objects.count() == 1


def test_the_ciso_sees_the_clients_but_no_form_or_button(org):
    ScimClient.issue("entra")
    client = org.client("ciso")
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "entra" in page and "プロビジョニング" in page
    assert "<form method=\"post\" class=\"card\">" not in page and 'name="revoke"' not in page
    assert client.post(PAGE, {"name": "okta"}).status_code == 403
    assert not ScimClient.objects.filter(name="okta").exists()


@pytest.mark.parametrize("role", ["manager", "staff", "auditor", "it_staff"])
def test_everyone_else_is_refused_and_shown_no_link(org, role):
    client = org.client(role)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "x"}).status_code == 403
    assert PAGE not in client.get(reverse("core:my_page")).content.decode()
    assert not ScimClient.objects.exists()


@pytest.mark.parametrize("role", ["admin", "ciso"])
def test_the_link_is_shown_to_those_who_may_open_it(org, role):
    assert PAGE in org.client(role).get(reverse("core:dashboard")).content.decode()
