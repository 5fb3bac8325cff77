"""My page puts first what a member of staff does first (report an incident) and marks a
policy whose acknowledgement is overdue (issue 16 #15, #18)."""

import datetime

import pytest
from django.utils import timezone

from mamori.policies.models import PolicyVersion
from mamori.policies.tests.conftest import published_document

pytestmark = pytest.mark.django_db


def test_everyone_may_report_an_incident_from_my_page(org):
    for role in ("staff", "it_staff", "manager", "ciso"):
        client = org.client(role)
        page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="ja")
        actions = page.context["actions"]
        assert "/incidents/new/" in [url for _label, url in actions], role
        assert b'data-testid="my-action"' in page.content
        for _label, url in actions:
            assert client.get(url).status_code == 200, (role, url)


def test_an_overdue_acknowledgement_is_marked(org):
    _document, version = published_document(org)
    client = org.client("staff")
    assert b'data-testid="overdue"' not in client.get("/me/").content
    PolicyVersion.objects.filter(pk=version.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=400))
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="overdue"' in page and "overdue" in page


def test_the_coverage_link_only_for_who_may_open_it(org):
    """Issue 16 #3: staff were shown 確認状況 and refused it."""
    document, _version = published_document(org)
    for role, shown in (("staff", False), ("ciso", True), ("manager", True)):
        client = org.client(role)
        page = client.get(document.get_absolute_url()).content.decode()
        assert ('data-testid="coverage-link"' in page) is shown, role
        answer = client.get(f"/policies/documents/{document.pk}/coverage/").status_code
        assert (answer == 200) is shown, (role, answer)
