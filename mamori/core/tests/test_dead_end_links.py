"""No link a user would be refused, and the triage panel for who triages (issue 16 #3, #21)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mamori.incidents.tests.factories import make_incident
from mamori.org.models import Person
from mamori.policies.tests.conftest import published_document

HREF = re.compile(r'href="(/[^"]*)"')
SKIPPED = ("/accounts/logout/", "/i18n/", "/static/")


def test_the_managers_dashboard_counts_an_out_of_scope_failing_object_without_linking_it(org):
    outside = Person.objects.create(employee_no="Z2", name="未分類 システム", category="",
                                    department=org.it)
    failing = "/dashboard/org.art2.person_classified/?part=failing"
    for page in ("/dashboard/", failing):
        assert outside.get_absolute_url() not in org.client("manager").get(page).content.decode()
    html = org.client("manager").get(failing).content.decode()
    assert 'data-testid="failing-outside-scope"' in html
    assert outside.get_absolute_url() in org.client("ciso").get(failing).content.decode()


def test_staff_see_no_coverage_link_and_the_ciso_does(org):
    document, _version = published_document(org)
    url = document.get_absolute_url()
    assert 'data-testid="coverage-link"' not in org.client("staff").get(url).content.decode()
    assert 'data-testid="coverage-link"' in org.client("ciso").get(url).content.decode()


def test_the_triage_panel_shows_a_new_incident_to_the_ciso_not_to_staff(org):
    incident = make_incident(org.sales, "Laptop left on a train")
    for page in ("/dashboard/", "/me/"):
        html = org.client("ciso").get(page).content.decode()
        assert 'data-testid="awaiting-triage"' in html
        assert incident.get_absolute_url() in html
    assert 'data-testid="awaiting-triage"' not in org.client("staff").get("/me/").content.decode()


def test_the_triage_panel_costs_the_same_queries_for_one_or_five_incidents(org):
    client = org.client("ciso")
    make_incident(org.sales, "first")
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as one:
        client.get("/dashboard/")
    for n in range(4):
        make_incident(org.sales, f"more {n}")
    with CaptureQueriesContext(connection) as five:
        html = client.get("/dashboard/").content.decode()
    assert html.count('data-testid="triage-incident"') == 5
    assert len(five) == len(one)


@pytest.mark.parametrize("role", ["staff", "manager", "auditor", "ciso"])
def test_every_internal_link_shown_opens(org, role):
    document, _version = published_document(org)
    make_incident(org.sales, "Misdirected email")
    client = org.client(role)
    hrefs = set()
    for page in ("/dashboard/", "/me/", document.get_absolute_url()):
        response = client.get(page, follow=True)
        hrefs |= set(HREF.findall(response.content.decode()))
    followed = [h.replace("&amp;", "&") for h in sorted(hrefs)
                if not h.startswith(SKIPPED) and "export=" not in h]
    refused = [(h, code) for h in followed if (code := client.get(h).status_code) >= 400]
    assert followed and refused == []


def test_a_manager_sees_only_their_departments_incidents_awaiting_triage(org):
    theirs = make_incident(org.sales_east, "USB stick lost")
    elsewhere = make_incident(org.it, "Server room door left open")
    html = org.client("manager").get("/me/").content.decode()
    assert theirs.get_absolute_url() in html
    assert elsewhere.get_absolute_url() not in html
