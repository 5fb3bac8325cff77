"""My page lists what a person still has to read and acknowledge."""

import pytest
from django.urls import reverse

from mamori.core.models import User
from mamori.org.models import Person
from mamori.policies.models import PolicyVersion
from mamori.policies.tests.conftest import make_draft, published_document

pytestmark = pytest.mark.django_db


def panel(response):
    content = response.content.decode()
    assert 'data-testid="to-acknowledge"' in content
    return content


def test_staff_see_the_document_then_acknowledge_it(org, published):
    document, version = published
    client = org.client("staff")
    content = panel(client.get("/me/"))
    assert f'data-testid="read-{document.code}"' in content
    assert version.get_absolute_url() in content
    page = client.get(version.get_absolute_url())
    assert page.context["must_acknowledge"] is True
    assert 'data-testid="acknowledge"' in page.content.decode()

    response = client.post(reverse("policies:acknowledge", args=[version.pk]),
                           {"next": "/me/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    content = panel(response)
    assert f'data-testid="read-{document.code}"' not in content
    assert str(version) in content  # listed as acknowledged
    page = client.get(version.get_absolute_url())
    assert page.context["must_acknowledge"] is False
    assert 'data-testid="acknowledge"' not in page.content.decode()


def test_only_documents_whose_audience_includes_the_person(org):
    sales_doc, sales_v = published_document(org, code="sales-rules")
    PolicyVersion.objects.filter(pk=sales_v.pk).update(audience="departments")
    sales_v.audience_departments.set([org.sales])
    everyone_doc, _v = published_document(org, owner=org.it, code="it-rules")
    staff = panel(org.client("staff").get("/me/"))
    assert 'data-testid="read-sales-rules"' in staff and 'data-testid="read-it-rules"' in staff
    it_staff = panel(org.client("it_staff").get("/me/"))
    assert 'data-testid="read-sales-rules"' not in it_staff
    assert 'data-testid="read-it-rules"' in it_staff
    assert sales_doc != everyone_doc


def test_contractor_staff_have_nothing_to_acknowledge(org, published):
    user = User.objects.create_user("contractor", password="x-pw-123456789")
    Person.objects.create(employee_no="C001", name="委託 一郎", category="contractor",
                          department=org.sales, user=user)
    client = org.client("staff")
    client.force_login(user)
    response = client.get("/me/")
    assert response.status_code == 200
    content = panel(response)
    assert 'data-testid="read-' not in content


def test_a_draft_is_not_listed(org, sales_doc):
    make_draft(sales_doc)
    assert 'data-testid="read-' not in panel(org.client("staff").get("/me/"))


def test_an_account_without_a_person_has_no_panel(org, published):
    response = org.client("admin").get("/me/")
    assert response.status_code == 200
    assert 'data-testid="to-acknowledge"' not in response.content.decode()
