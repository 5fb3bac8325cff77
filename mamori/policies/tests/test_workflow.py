"""A version's life: draft → in review → approved → published → superseded, who may take each
step, what a step in the wrong state does (nothing), and the change log of every step."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mamori.core.models import ChangeLogEntry
from mamori.core.testing import api_client, log_entries
from mamori.policies import coverage, workflow
from mamori.policies.models import Acknowledgement, PolicySection, PolicyVersion
from mamori.policies.tests.conftest import error_messages, make_document, make_draft, release

pytestmark = pytest.mark.django_db
Status = PolicyVersion.Status


def statuses_logged(version):
    return [(e.before["status"], e.after["status"])
            for e in log_entries(version, "update").order_by("seq")
            if "status" in (e.before or {}) and e.before["status"] != e.after["status"]]


def step_url(version, step):
    return reverse("policies:step", args=[version.pk, step])


def acknowledge(version, person):
    return Acknowledgement.objects.create(person=person, version=version,
                                          content_hash=version.content_hash)


def test_draft_to_published_with_logged_steps(org, sales_doc):
    draft = make_draft(sales_doc)
    manager, ciso = org.users["manager"], org.users["ciso"]
    workflow.submit(manager, draft)
    assert draft.status == Status.IN_REVIEW and draft.submitted_at
    workflow.approve(ciso, draft)
    assert (draft.status, draft.approved_by) == (Status.APPROVED, ciso) and draft.approved_at
    workflow.publish(manager, draft)  # the owner publishes what was approved
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at
    assert statuses_logged(draft) == [("draft", "in_review"), ("in_review", "approved"),
                                      ("approved", "published")]
    sales_doc.refresh_from_db()
    assert sales_doc.current_version() == draft
    assert sales_doc.next_review_date == workflow.add_months(timezone.localdate(), 12)
    assert log_entries(sales_doc, "update").filter(after__next_review_date__isnull=False)
    sections = list(PolicySection.objects.filter(document=sales_doc).order_by("position"))
    assert [(s.key, s.title_ja, s.title_en) for s in sections] == [
        ("art-1", "第1条（目的）", "Article 1 (Purpose)"),
        ("art-2", "第2条（範囲）", "Article 2 (Scope)")]
    assert sections[0].get_absolute_url().endswith(f"/versions/{draft.pk}/#art-1")
    assert all(log_entries(s, "create").exists() for s in sections)


def test_who_may_approve(org, sales_doc):
    draft = make_draft(sales_doc)
    workflow.submit(org.users["manager"], draft)
    for username in ("manager", "staff", "auditor", "it_staff"):
        with pytest.raises(PermissionDenied):
            workflow.approve(org.users[username], draft)
    response = org.client("manager").post(step_url(draft, "approve"))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW and draft.approved_by is None
    workflow.approve(org.users["admin"], draft)  # administrators may
    assert draft.status == Status.APPROVED

    named = make_document(org.sales, code="named-approver", approver=org.people["manager"])
    other = make_draft(named)
    workflow.submit(org.users["manager"], other)
    assert not workflow.can_approve(org.users["staff"], other)
    workflow.approve(org.users["manager"], other)  # the named approver
    assert other.approved_by == org.users["manager"]


def test_steps_in_the_ui_and_the_api(org, sales_doc):
    draft = make_draft(sales_doc)
    manager = org.client("manager")
    response = manager.post(step_url(draft, "submit"), follow=True)
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert [s.name for s in response.context["steps"]] == ["return"]
    ciso = org.client("ciso")
    page = ciso.get(draft.get_absolute_url())
    assert {s.name for s in page.context["steps"]} == {"approve", "return"}
    ciso.post(step_url(draft, "approve"))
    api = api_client(org.users["ciso"])
    response = api.post(f"/api/policies/versions/{draft.pk}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    entry = log_entries(draft, "update").order_by("-seq").first()
    assert entry.source == "api" and entry.after["status"] == "published"
    first = log_entries(draft, "update").order_by("seq").first()
    assert (first.source, first.actor_name) == ("ui", "manager")
    assert ciso.post(step_url(draft, "unknown-step")).status_code == 404


@pytest.mark.parametrize(("status", "step"), [
    ("draft", "approve"), ("draft", "publish"), ("draft", "return"),
    ("in_review", "submit"), ("in_review", "publish"),
    ("approved", "approve"), ("approved", "submit"),
    ("published", "submit"), ("published", "approve"), ("published", "publish"),
    ("superseded", "return"),
])
def test_a_step_in_the_wrong_state_changes_nothing(org, sales_doc, status, step):
    version = make_draft(sales_doc, status=status)
    client, api = org.client("ciso"), api_client(org.users["ciso"])
    log_count = ChangeLogEntry.objects.count()
    with pytest.raises(ValidationError):
        workflow.STEPS[step].function(org.users["ciso"], version)
    response = client.post(step_url(version, step), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert any("not possible" in m for m in error_messages(response))
    assert api.post(f"/api/policies/versions/{version.pk}/{step}/").status_code == 400
    version.refresh_from_db()
    assert version.status == status and version.approved_by is None
    assert ChangeLogEntry.objects.count() == log_count


def test_return_to_draft_clears_the_approval(org, sales_doc):
    draft = make_draft(sales_doc)
    workflow.submit(org.users["manager"], draft)
    workflow.approve(org.users["ciso"], draft)
    workflow.return_to_draft(org.users["manager"], draft)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by, draft.approved_at) == (Status.DRAFT, None, None)
    assert statuses_logged(draft)[-1] == ("approved", "draft")
    with pytest.raises(PermissionDenied):
        workflow.submit(org.users["staff"], draft)


def test_publishing_supersedes_the_previous_version(org, published):
    document, first = published
    second = workflow.new_draft(org.users["manager"], document, is_material=True,
                                change_summary="new article")
    assert second.number == 2 and second.status == Status.DRAFT
    release(second, org.users["ciso"])
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert statuses_logged(first)[-1] == ("published", "superseded")
    assert list(document.versions.filter(status=Status.PUBLISHED)) == [second]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_draft(document, status=Status.PUBLISHED)  # the database keeps it to one


def test_new_draft_copies_the_text_and_audience_in_one_entry(org, published):
    document, first = published
    PolicyVersion.objects.filter(pk=first.pk).update(audience="departments")
    first.audience_departments.set([org.sales, org.it])
    entry = log_entries(first, "update").order_by("-seq").first()
    assert entry.before == {"audience_departments": []}
    assert entry.after == {"audience_departments": sorted([org.sales.pk, org.it.pk])}
    draft = workflow.new_draft(org.users["ciso"], document, is_material=False)
    assert (draft.body_ja, draft.body_en, draft.audience) == (
        first.body_ja, first.body_en, "departments")
    assert set(draft.audience_departments.all()) == {org.sales, org.it}
    assert draft.is_material is False
    # the draft and its audience are one change: one create entry, with the departments
    [created] = log_entries(draft)
    assert created.action == "create"
    assert created.after["audience_departments"] == sorted([org.sales.pk, org.it.pk])
    draft.audience_departments.remove(org.it)
    last = log_entries(draft, "update").order_by("-seq").first()
    assert last.after == {"audience_departments": [org.sales.pk]}


def test_only_one_version_in_preparation(org, published):
    document, _first = published
    workflow.new_draft(org.users["manager"], document, is_material=True)
    with pytest.raises(ValidationError):
        workflow.new_draft(org.users["manager"], document, is_material=True)
    client = org.client("manager")
    response = client.post(reverse("policies:new_draft", args=[document.pk]),
                           {"is_material": "material"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert any("in preparation" in m for m in error_messages(response))
    assert document.versions.count() == 2
    staff = org.client("staff").post(reverse("policies:new_draft", args=[document.pk]),
                                     {"is_material": "editorial"})
    assert staff.status_code == 403
    it_doc = make_document(org.it, code="it-rules")
    with pytest.raises(PermissionDenied):
        workflow.new_draft(org.users["manager"], it_doc, is_material=True)


def test_new_version_in_the_ui_opens_the_draft(org, published):
    document, _first = published
    response = org.client("manager").post(reverse("policies:new_draft", args=[document.pk]),
                                          {"is_material": "editorial",
                                           "change_summary": "typo"})
    draft = document.versions.get(number=2)
    assert response.url == reverse("policies:policyversion_update", args=[draft.pk])
    assert (draft.is_material, draft.change_summary) == (False, "typo")


def test_material_change_asks_again_editorial_does_not(org, published):
    document, first = published
    staff, manager = org.people["staff"], org.people["manager"]
    acknowledge(first, staff)
    assert coverage.coverage(document).acknowledged == 1

    editorial = workflow.new_draft(org.users["manager"], document, is_material=False)
    editorial.body_ja += "\n誤字を修正。\n"
    editorial.save()
    release(editorial, org.users["ciso"])
    assert document.acknowledgement_baseline() == first
    cov = coverage.coverage(document)
    assert (cov.version, cov.acknowledged) == (editorial, 1)
    assert staff not in coverage.pending_people(document)
    assert coverage.documents_to_acknowledge(staff) == []
    assert coverage.documents_to_acknowledge(manager) == [editorial]

    material = workflow.new_draft(org.users["manager"], document, is_material=True)
    release(material, org.users["ciso"])
    assert document.acknowledgement_baseline() == material
    cov = coverage.coverage(document)
    assert (cov.acknowledged, cov.percent) == (0, 0.0) and cov.total == 5
    assert staff in coverage.pending_people(document)
    assert coverage.documents_to_acknowledge(staff) == [material]
    response = api_client(org.users["staff"]).post(
        f"/api/policies/versions/{material.pk}/acknowledge/")
    assert response.status_code == 201
    assert coverage.coverage(document).acknowledged == 1


def test_a_draft_cannot_be_edited_once_submitted(org, sales_doc):
    draft = make_draft(sales_doc)
    workflow.submit(org.users["manager"], draft)
    form_data = {"document": sales_doc.pk, "is_material": "on", "change_summary": "late",
                 "body_ja": "変更", "body_en": "", "audience": "all"}
    response = org.client("ciso").post(
        reverse("policies:policyversion_update", args=[draft.pk]), form_data)
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.body_ja != "変更"


def test_due_date_follows_the_acknowledgement_days(org, published):
    document, version = published
    published_at = timezone.now() - datetime.timedelta(days=3)
    PolicyVersion.objects.filter(pk=version.pk).update(published_at=published_at)
    version.refresh_from_db()
    assert version.due_date == timezone.localtime(published_at).date() + datetime.timedelta(
        days=document.acknowledgement_days)
    assert make_draft(document).due_date is None


def test_a_second_version_in_preparation_is_refused_from_the_form_and_the_api(org, published):
    document, _first = published
    workflow.new_draft(org.users["manager"], document, is_material=True)
    data = {"document": document.pk, "is_material": True, "body_ja": "別案", "body_en": "",
            "audience": "all", "audience_categories": [], "audience_departments": []}
    response = org.client("manager").post(reverse("policies:policyversion_create"),
                                          {**data, "is_material": "on"})
    assert response.status_code == 400 and "document" in response.context["form"].errors
    api = api_client(org.users["ciso"]).post("/api/policies/versions/", data, format="json")
    assert api.status_code == 400 and "document" in api.json()
    assert document.versions.count() == 2


def test_only_the_ciso_or_an_administrator_names_the_approver(org, sales_doc):
    url = reverse("policies:policydocument_update", args=[sales_doc.pk])
    data = {"code": sales_doc.code, "kind": sales_doc.kind, "title_ja": sales_doc.title_ja,
            "title_en": sales_doc.title_en, "owner_department": org.sales.pk,
            "approver": org.people["manager"].pk, "review_interval_months": 12,
            "next_review_date": "", "acknowledgement_days": 14, "is_active": "on"}
    assert org.client("manager").post(url, data).status_code == 302  # the rest is saved
    sales_doc.refresh_from_db()
    assert sales_doc.approver is None
    api = api_client(org.users["manager"]).patch(
        f"/api/policies/documents/{sales_doc.pk}/", {"approver": org.people["manager"].pk},
        format="json")
    assert api.status_code == 400 and "approver" in api.json()
    sales_doc.refresh_from_db()
    assert sales_doc.approver is None
    draft = make_draft(sales_doc)
    workflow.submit(org.users["manager"], draft)
    with pytest.raises(PermissionDenied):
        workflow.approve(org.users["manager"], draft)
    assert org.client("ciso").post(url, data).status_code == 302
    sales_doc.refresh_from_db()
    assert sales_doc.approver == org.people["manager"]


def test_api_new_version_editorial(org, published):
    document, _first = published
    response = api_client(org.users["manager"]).post(
        f"/api/policies/documents/{document.pk}/new-version/",
        {"is_material": False, "change_summary": "typo"}, format="json")
    assert response.status_code == 201
    assert (response.json()["is_material"], response.json()["number"]) == (False, 2)
    again = api_client(org.users["manager"]).post(
        f"/api/policies/documents/{document.pk}/new-version/", {}, format="json")
    assert again.status_code == 400
    staff = api_client(org.users["staff"]).post(
        f"/api/policies/documents/{document.pk}/new-version/", {}, format="json")
    assert staff.status_code == 403


def test_api_refusals_of_a_step_match_the_documented_error(org, published):
    """Found by the schema test: a refused step answered {"detail": [..]}, a list where the
    schema documents a string."""
    document, first = published
    client = api_client(org.users["ciso"])
    response = client.post(f"/api/policies/versions/{first.pk}/submit/", format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    client.post(f"/api/policies/documents/{document.pk}/new-version/", {}, format="json")
    again = client.post(f"/api/policies/documents/{document.pk}/new-version/", {},
                        format="json")
    assert again.status_code == 400 and isinstance(again.json()["detail"], str)


def test_api_new_version_takes_only_its_documented_body(org, published):
    """The body was read without validation: `"is_material": "no"` made a material version
    (bool("no")), a 600-character summary was cut silently, and a list as the body failed
    with a server error."""
    document, _first = published
    client = api_client(org.users["manager"])
    url = f"/api/policies/documents/{document.pk}/new-version/"
    for body in ({"is_material": "maybe"}, {"change_summary": "x" * 501}, [1, 2]):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not document.versions.filter(number=2).exists()
    response = client.post(url, {"is_material": "false"}, format="json")
    assert response.status_code == 201 and response.json()["is_material"] is False
