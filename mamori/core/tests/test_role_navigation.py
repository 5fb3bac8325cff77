"""The navigation is shaped by role (issue 16 #15): staff get a short menu of what the policy
asks of them, an information manager their own registers first, and every entry shown opens."""

import re

import pytest

pytestmark = pytest.mark.django_db


def menu(client) -> list[str]:
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    nav = re.search(r'<nav class="navbar.*?</nav>', page, re.S).group(0)
    return re.findall(r'href="(/[^"#]*)"', nav)


def test_staff_get_a_short_menu_of_their_part(org):
    client = org.client("staff")
    links = menu(client)
    assert links[0] == "/me/"
    for expected in ("/incidents/new/", "/policies/documents/", "/policies/acknowledgements/"):
        assert expected in links
    for absent in ("/risks/methodology/", "/web/profiles/", "/org/appointments/",
                   "/changelog/", "/dashboard/"):
        assert absent not in links
    assert len(links) <= 10
    assert "planned" not in client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_information_manager_sees_their_registers_first(org):
    links = menu(org.client("manager"))
    assert links.index("/assets/register/") < links.index("/policies/documents/")
    assert links.index("/incidents/") < links.index("/org/departments/")


@pytest.mark.parametrize("role", ["staff", "it_staff", "manager", "auditor", "ciso", "admin"])
def test_every_entry_shown_opens(org, role):
    client = org.client(role)
    for link in menu(client):
        assert client.get(link, follow=True).status_code == 200, (role, link)


def test_auditors_and_the_ciso_keep_every_register(org):
    for role in ("auditor", "ciso"):
        links = menu(org.client(role))
        assert "/changelog/" in links and "/controls/evidence/" in links
