"""The approver and reviewer choices of the policy forms are the people the user may see: an
information manager is not shown the whole company's staff list, nor the name of an approver
outside their view, and saving a document leaves that approver as it is."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from mamori.core.forms import NOT_VISIBLE

pytestmark = pytest.mark.django_db

# People outside the manager's view (Sales and below): the CISO and the auditor (head
# office), it_staff (IT).
HIDDEN_FROM_MANAGER = ("テスト ciso", "Test ciso", "テスト it_staff", "Test it_staff",
                       "テスト auditor", "Test auditor")


def names_shown(page: str) -> list[str]:
    return [name for name in HIDDEN_FROM_MANAGER if name in page]


def visible_to_manager(org):
    return {org.people["manager"], org.people["staff"]}


def test_manager_document_form_offers_only_people_they_may_see_as_approver(org, sales_doc):
    client = org.client("manager")
    for url in (reverse("policies:policydocument_create"),
                reverse("policies:policydocument_update", args=[sales_doc.pk])):
        response = client.get(url)
        assert set(response.context["form"].fields["approver"].queryset) <= visible_to_manager(
            org)
        assert names_shown(response.content.decode()) == []


def test_manager_review_form_offers_only_people_they_may_see_as_reviewer(org, sales_doc):
    response = org.client("manager").get(reverse("policies:policyreview_create"))
    assert set(response.context["form"].fields["reviewer"].queryset) == visible_to_manager(org)
    assert names_shown(response.content.decode()) == []


def test_an_approver_the_manager_may_not_see_is_kept_and_not_named(org, sales_doc):
    sales_doc.approver = org.people["ciso"]
    sales_doc.save()
    client = org.client("manager")
    url = reverse("policies:policydocument_update", args=[sales_doc.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        assert escape(str(NOT_VISIBLE)) in page
    assert names_shown(page) == []
    data = {"code": sales_doc.code, "kind": sales_doc.kind, "title_ja": "新しい題名",
            "title_en": sales_doc.title_en, "owner_department": org.sales.pk,
            "review_interval_months": 12, "next_review_date": "", "acknowledgement_days": 14,
            "is_active": "on"}
    assert client.post(url, data).status_code == 302
    sales_doc.refresh_from_db()
    assert (sales_doc.title_ja, sales_doc.approver) == ("新しい題名", org.people["ciso"])
