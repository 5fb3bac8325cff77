"""Working papers: the audit team attaches files to its checklist items, kept with their
SHA-256 in the change log; those who read the audit download them; nobody changes them once
the audit is closed."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mamori.audits.models import Audit, WorkingPaper
from mamori.audits.tests.test_audit_models import make_audit, make_item
from mamori.core.testing import log_entries

pytestmark = pytest.mark.django_db
CONTENT = "面談記録：退職者アカウントの削除手順について\n".encode() * 50


@pytest.fixture
def item(org):
    audit = make_audit(departments=[org.sales], lead=org.people["auditor"])
    return make_item(audit)


def upload(client, item, name="面談記録.txt", content=CONTENT):
    return client.post(reverse("audits:workingpaper_create"), {
        "item": item.pk, "title": "面談記録", "file": SimpleUploadedFile(name, content)})


def test_the_team_attaches_a_paper_kept_with_its_hash(org, item, media):
    page = org.client("auditor").get(item.get_absolute_url())
    assert page.context["can_add_paper"] is True
    response = upload(org.client("auditor"), item)
    assert response.status_code == 302, response.context and response.context["form"].errors
    paper = WorkingPaper.objects.get()
    assert paper.file_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert paper.file_name == "面談記録.txt" and paper.file_size == len(CONTENT)
    entry = log_entries(paper, "create").get()
    assert entry.after["file_sha256"] == paper.file_sha256 and entry.actor_name == "auditor"
    # The audited department's manager reads it; a member of staff does not.
    download = reverse("audits:workingpaper_download", args=[paper.pk])
    response = org.client("manager").get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert org.client("staff").get(download).status_code == 404
    assert org.client("manager").get(item.get_absolute_url()).context["can_add_paper"] is False
    assert upload(org.client("manager"), item).status_code == 403


def test_a_paper_of_a_refused_type_is_refused(org, item, media):
    response = upload(org.client("auditor"), item, name="run.exe", content=b"MZ")
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not WorkingPaper.objects.exists()


def test_nobody_changes_the_papers_of_a_closed_audit(org, item, media):
    assert upload(org.client("auditor"), item).status_code == 302
    paper = WorkingPaper.objects.get()
    Audit.objects.filter(pk=item.audit_id).update(status="closed")
    for user in ("auditor", "ciso"):
        client = org.client(user)
        assert client.post(reverse("audits:workingpaper_delete",
                                   args=[paper.pk])).status_code == 404
        assert upload(client, item).status_code in (400, 403)
        assert client.get(paper.get_absolute_url()).status_code == 200
    assert WorkingPaper.objects.count() == 1
