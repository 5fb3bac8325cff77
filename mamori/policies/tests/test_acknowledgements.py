"""Acknowledgements: each person for themselves, once per version, only the published version,
only within its audience; evidence that is never changed, seen by role."""

import hashlib

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from mamori.core.models import ChangeLogEntry, User
from mamori.core.testing import api_client, log_entries
from mamori.org.models import Person
from mamori.policies import workflow
from mamori.policies.models import Acknowledgement, PolicyVersion
from mamori.policies.tests.conftest import (
    error_messages,
    make_draft,
    published_document,
    release,
)

pytestmark = pytest.mark.django_db


def ack_url(version):
    return reverse("policies:acknowledge", args=[version.pk])


def api_ack_url(version):
    return f"/api/policies/versions/{version.pk}/acknowledge/"


def test_staff_acknowledge_for_themselves_with_evidence(org, published):
    _document, version = published
    client = org.client("staff")
    client.get("/me/")  # a session with a key
    session_key = client.session.session_key
    response = client.post(ack_url(version), {"person": org.people["manager"].pk},
                           HTTP_USER_AGENT="Mozilla/5.0 (Test)", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    ack = Acknowledgement.objects.get()
    assert ack.person == org.people["staff"]  # never someone else, whatever was posted
    assert ack.version == version
    assert ack.content_hash == version.content_hash
    assert ack.session == hashlib.sha256(session_key.encode()).hexdigest()
    assert session_key not in ack.session
    assert ack.ip_address == "192.0.2.7"
    assert ack.user_agent == "Mozilla/5.0 (Test)"
    entry = log_entries(ack, "create").get()
    assert entry.actor_name == "staff" and entry.source == "ui"


def test_api_acknowledgement_is_for_the_caller_and_once(org, published):
    _document, version = published
    client = api_client(org.users["staff"])
    response = client.post(api_ack_url(version), {"person": org.people["ciso"].pk},
                           format="json", HTTP_USER_AGENT="mamori-cli/1.0")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"] == org.people["staff"].pk
    assert body["content_hash"] == version.content_hash
    assert body["user_agent"] == "mamori-cli/1.0"
    log_count = ChangeLogEntry.objects.count()
    again = client.post(api_ack_url(version), format="json")
    assert again.status_code == 400
    assert Acknowledgement.objects.count() == 1
    assert ChangeLogEntry.objects.count() == log_count


def test_second_acknowledgement_in_the_ui_is_refused(org, published):
    _document, version = published
    client = org.client("staff")
    client.post(ack_url(version))
    log_count = ChangeLogEntry.objects.count()
    response = client.post(ack_url(version), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert any("already" in m for m in error_messages(response))
    assert Acknowledgement.objects.count() == 1
    assert ChangeLogEntry.objects.count() == log_count


@pytest.mark.parametrize("status", ["draft", "in_review", "approved", "superseded"])
def test_only_the_published_version_can_be_acknowledged(org, published, status):
    document, _version = published
    other = make_draft(document, status=status)
    # The manager owns the document and sees its versions in every state: refused anyway.
    response = org.client("manager").post(ack_url(other), follow=True,
                                          HTTP_ACCEPT_LANGUAGE="en")
    assert any("published version" in m for m in error_messages(response))
    assert api_client(org.users["manager"]).post(api_ack_url(other)).status_code == 400
    # Staff see released versions only: a superseded one is refused, the others are hidden.
    staff = api_client(org.users["staff"]).post(api_ack_url(other))
    assert staff.status_code == (400 if status == "superseded" else 404)
    assert not Acknowledgement.objects.exists()


def test_audience_by_category(org):
    _document, version = published_document(org)
    PolicyVersion.objects.filter(pk=version.pk).update(
        audience="categories", audience_categories=["executive_officer"])
    assert api_client(org.users["staff"]).post(api_ack_url(version)).status_code == 400
    response = org.client("staff").post(ack_url(version), follow=True,
                                        HTTP_ACCEPT_LANGUAGE="en")
    assert any("audience" in m for m in error_messages(response))
    assert api_client(org.users["ciso"]).post(api_ack_url(version)).status_code == 201
    assert list(Acknowledgement.objects.values_list("person__user__username", flat=True)) == [
        "ciso"]


def test_audience_by_department_includes_sub_departments(org):
    _document, version = published_document(org)
    PolicyVersion.objects.filter(pk=version.pk).update(audience="departments")
    version.audience_departments.set([org.sales])
    assert api_client(org.users["staff"]).post(api_ack_url(version)).status_code == 201
    assert api_client(org.users["manager"]).post(api_ack_url(version)).status_code == 201
    assert api_client(org.users["it_staff"]).post(api_ack_url(version)).status_code == 400
    assert api_client(org.users["ciso"]).post(api_ack_url(version)).status_code == 400
    assert Acknowledgement.objects.count() == 2


def test_contractor_staff_and_leavers_are_never_in_scope(org, published):
    _document, version = published
    for username, category, status in (("contractor", "contractor", "active"),
                                       ("leaver", "employee", "left")):
        user = User.objects.create_user(username, password="x-pw-123456789")
        Person.objects.create(employee_no=f"C-{username}", name=username, category=category,
                              status=status, department=org.sales_east, user=user)
        response = api_client(user).post(api_ack_url(version))
        # A leaver's account is deactivated with their record, so they are not even let in.
        expected = 401 if status == "left" else 400
        assert response.status_code == expected, username
    assert not Acknowledgement.objects.exists()


def test_a_user_without_a_person_record_cannot_acknowledge(org, published):
    _document, version = published
    assert api_client(org.users["admin"]).post(api_ack_url(version)).status_code == 400
    assert not Acknowledgement.objects.exists()


def test_acknowledgements_cannot_be_changed_or_deleted(org, published):
    _document, version = published
    api_client(org.users["staff"]).post(api_ack_url(version))
    ack = Acknowledgement.objects.get()
    ack.user_agent = "forged"
    with pytest.raises(ValidationError):
        ack.save()
    with pytest.raises(ValidationError):
        ack.delete()
    for name in ("update", "delete", "create", "bulk_delete", "import"):
        with pytest.raises(NoReverseMatch):
            reverse(f"policies:acknowledgement_{name}", args=[ack.pk] if name in (
                "update", "delete") else [])
    for user in ("staff", "admin", "ciso"):
        client = org.client(user)
        assert client.post(f"/policies/acknowledgements/{ack.pk}/edit/").status_code == 404
        assert client.post(f"/policies/acknowledgements/{ack.pk}/delete/").status_code == 404
        api = api_client(org.users[user])
        path = f"/api/policies/acknowledgements/{ack.pk}/"
        assert api.patch(path, {"user_agent": "x"}, format="json").status_code == 405
        assert api.put(path, {"user_agent": "x"}, format="json").status_code == 405
        assert api.delete(path).status_code == 405
        assert api.post("/api/policies/acknowledgements/", {"version": version.pk},
                        format="json").status_code == 405
    detail = org.client("staff").get(reverse("policies:acknowledgement_detail", args=[ack.pk]))
    assert detail.context["can_change"] is False and detail.context["can_delete"] is False
    ack.refresh_from_db()
    assert ack.user_agent == "" and Acknowledgement.objects.count() == 1


def test_admin_site_has_no_change_or_delete(org, published):
    _document, version = published
    api_client(org.users["staff"]).post(api_ack_url(version))
    ack = Acknowledgement.objects.get()
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root", password="x-root-pw-1")
    model_admin = admin_site._registry[Acknowledgement]
    assert model_admin.has_change_permission(request, ack) is False
    assert model_admin.has_delete_permission(request, ack) is False
    client = org.client("admin")
    client.post(f"/admin/policies/acknowledgement/{ack.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/policies/acknowledgement/{ack.pk}/change/", {"user_agent": "x"})
    assert Acknowledgement.objects.filter(pk=ack.pk, user_agent="").exists()


def test_who_sees_which_acknowledgements(org, published):
    _document, version = published
    for username in ("staff", "it_staff", "manager", "ciso"):
        assert api_client(org.users[username]).post(api_ack_url(version)).status_code == 201
    people = {u: org.people[u].pk for u in ("staff", "it_staff", "manager", "ciso")}
    expected = {
        "auditor": set(people.values()),
        "ciso": set(people.values()),
        "admin": set(people.values()),
        "manager": {people["manager"], people["staff"]},  # Sales and Sales East
        "staff": {people["staff"]},
        "it_staff": {people["it_staff"]},
    }
    for username, persons in expected.items():
        response = api_client(org.users[username]).get("/api/policies/acknowledgements/")
        assert {row["person"] for row in response.json()["results"]} == persons, username
        page = org.client(username).get(reverse("policies:acknowledgement_list"))
        assert page.status_code == 200 and page.context["can_bulk_delete"] is False
        assert {obj.person_id for obj, _cells in page.context["rows"]} == persons, username
    it_ack = Acknowledgement.objects.get(person=org.people["it_staff"])
    detail = reverse("policies:acknowledgement_detail", args=[it_ack.pk])
    assert org.client("manager").get(detail).status_code == 404
    assert org.client("staff").get(detail).status_code == 404
    assert org.client("auditor").get(detail).status_code == 200


def test_the_hash_of_a_released_version_stays_what_was_acknowledged(org, published):
    document, first = published
    api_client(org.users["staff"]).post(api_ack_url(first))
    ack = Acknowledgement.objects.get()
    document.title_en = "Renamed rules"
    document.save()
    second = workflow.new_draft(org.users["manager"], document, is_material=False)
    release(second, org.users["ciso"])
    first.refresh_from_db()
    assert first.status == "superseded"
    assert first.content_hash == ack.content_hash  # saved again, not recomputed
    assert second.content_hash == second.compute_hash() != first.content_hash


def test_a_document_with_acknowledgements_cannot_be_deleted(org, published):
    document, version = published
    api_client(org.users["staff"]).post(api_ack_url(version))
    client = org.client("ciso")
    response = client.post(reverse("policies:policydocument_delete", args=[document.pk]))
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    api = api_client(org.users["ciso"]).delete(f"/api/policies/documents/{document.pk}/")
    assert api.status_code in (400, 409)
    assert Acknowledgement.objects.filter(version=version).exists()


def test_admin_site_edits_and_deletes_drafts_only(org, published):
    document, version = published
    draft = make_draft(document)
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root", password="x-root-pw-1")
    model_admin = admin_site._registry[PolicyVersion]
    assert model_admin.has_change_permission(request, draft)
    assert model_admin.has_delete_permission(request, draft)
    for status in ("in_review", "approved", "published", "superseded"):
        version.status = status
        assert not model_admin.has_change_permission(request, version), status
        assert not model_admin.has_delete_permission(request, version), status
    with pytest.raises(PermissionDenied):
        model_admin.delete_queryset(request, PolicyVersion.objects.all())
    assert PolicyVersion.objects.count() == 2


@pytest.mark.parametrize("target", ["https://example.org/phish", "//example.org/phish",
                                    "javascript:alert(1)"])
def test_acknowledging_returns_only_to_pages_of_this_site(org, published, target):
    """Found by `make security`: `next` was followed wherever it pointed (an open redirect)."""
    _document, version = published
    response = org.client("staff").post(ack_url(version), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()


def test_acknowledging_returns_to_the_page_the_button_was_on(org, published):
    _document, version = published
    response = org.client("staff").post(ack_url(version), {"next": "/me/"})
    assert response["Location"] == "/me/"
