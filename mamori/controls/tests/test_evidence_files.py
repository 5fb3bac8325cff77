"""Evidence files: uploaded on the page under a random name with their hash, size and
original name recorded; only allowed types; downloaded as an attachment, only by those who
may see the evidence."""

import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mamori.controls.models import EVIDENCE_MAX_BYTES, Evidence
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import log_entries

pytestmark = pytest.mark.django_db
CONTENT = b"%PDF-1.4\n% audit log export\n" + bytes(range(256)) * 8


@pytest.fixture
def control(org):
    return make_control(org.sales, "C-LOG", status="implemented")


def upload(org, control, name, content=CONTENT, username="manager", **fields):
    data = {"control": control.pk, "kind": "file", "title": "アクセスログ", "url": "",
            "note": "", "collected_on": "2025-04-30", "expires_on": "",
            "collected_by": "", "file": SimpleUploadedFile(name, content, "application/pdf"),
            **fields}
    return org.client(username).post(reverse("controls:evidence_create"), data)


def stored_files(root: Path):
    return [p for p in root.rglob("*") if p.is_file()]


def download(org, username, evidence):
    return org.client(username).get(reverse("controls:evidence_download", args=[evidence.pk]))


def test_upload_is_stored_under_a_random_name_with_hash_size_and_name(org, media, control):
    response = upload(org, control, "アクセスログ 2025-04.pdf")
    assert response.status_code == 302, response.context and response.context["form"].errors
    evidence = Evidence.objects.get()
    assert evidence.file_name == "アクセスログ 2025-04.pdf"
    assert evidence.file_size == len(CONTENT)
    assert evidence.file_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", evidence.file.name)
    [path] = stored_files(media)
    assert path.read_bytes() == CONTENT
    assert path.relative_to(media).as_posix() == evidence.file.name
    entry = log_entries(evidence, "create").get()
    assert entry.after["file_sha256"] == evidence.file_sha256
    assert entry.after["file_name"] == "アクセスログ 2025-04.pdf"


def test_two_uploads_of_the_same_name_do_not_collide(org, media, control):
    assert upload(org, control, "report.pdf").status_code == 302
    assert upload(org, control, "report.pdf", content=b"second").status_code == 302
    first, second = Evidence.objects.order_by("pk")
    assert first.file.name != second.file.name
    assert len(stored_files(media)) == 2


def test_download_returns_the_bytes_as_an_attachment_under_the_original_name(
        org, media, control):
    upload(org, control, "firewall-rules.pdf")
    evidence = Evidence.objects.get()
    response = download(org, "manager", evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Type"] == "application/octet-stream"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="firewall-rules.pdf"' in disposition


def test_download_of_a_japanese_file_name(org, media, control):
    upload(org, control, "監査ログ.pdf")
    response = download(org, "manager", Evidence.objects.get())
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # RFC 5987: the UTF-8 name, percent-encoded
    assert "filename*=utf-8''%E7%9B%A3%E6%9F%BB%E3%83%AD%E3%82%B0.pdf" in disposition


@pytest.mark.parametrize("name", ["report.html", "setup.exe", "script.JS", "page.htm",
                                  "noextension"])
def test_a_disallowed_type_is_refused(org, media, control, name):
    response = upload(org, control, name)
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused(org, media, control, monkeypatch):
    monkeypatch.setattr("mamori.controls.models.EVIDENCE_MAX_BYTES", 1000)
    response = upload(org, control, "big.pdf", content=b"x" * 1001)
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not Evidence.objects.exists()
    assert EVIDENCE_MAX_BYTES == 25 * 1024 * 1024


def test_a_file_kind_without_a_file_is_refused(org, media, control):
    data = {"control": control.pk, "kind": "file", "title": "x", "collected_on": "2025-04-30"}
    response = org.client("manager").post(reverse("controls:evidence_create"), data)
    assert response.status_code == 400 and "file" in response.context["form"].errors


def test_who_may_download(org, media, control):
    upload(org, control, "report.pdf")
    evidence = Evidence.objects.get()
    assert download(org, "it_staff", evidence).status_code == 404
    assert download(org, "staff", evidence).status_code == 404  # evidence is not for staff
    for username in ("auditor", "ciso", "admin", "manager"):
        response = download(org, username, evidence)
        assert response.status_code == 200, username
        assert b"".join(response.streaming_content) == CONTENT


def test_download_of_evidence_without_a_file_or_a_missing_file_is_404(org, media, control):
    note = Evidence.objects.create(control=control, kind="note", title="n", note="checked")
    assert download(org, "manager", note).status_code == 404
    upload(org, control, "report.pdf")
    evidence = Evidence.objects.filter(kind="file").get()
    (media / evidence.file.name).unlink()
    assert download(org, "manager", evidence).status_code == 404


def test_the_detail_page_shows_the_recorded_file_facts(org, media, control):
    upload(org, control, "report.pdf")
    evidence = Evidence.objects.get()
    response = org.client("auditor").get(reverse("controls:evidence_detail",
                                                 args=[evidence.pk]))
    assert response.status_code == 200
    assert evidence.file_sha256.encode() in response.content
    assert reverse("controls:evidence_download", args=[evidence.pk]).encode() in response.content


def test_the_create_form_is_multipart(org, media, control):
    response = org.client("manager").get(reverse("controls:evidence_create"))
    assert b'enctype="multipart/form-data"' in response.content


def test_deleting_evidence_removes_its_file_after_commit(org, media, control,
                                                         django_capture_on_commit_callbacks):
    upload(org, control, "log.pdf")
    evidence = Evidence.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = org.client("manager").post(
            reverse("controls:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert stored_files(media) == []
    deletion = log_entries(evidence, "delete").get()
    assert deletion.before["file_sha256"] == hashlib.sha256(CONTENT).hexdigest()


def test_replacing_the_file_removes_the_old_one(org, media, control,
                                                django_capture_on_commit_callbacks):
    upload(org, control, "old.pdf")
    evidence = Evidence.objects.get()
    data = {"control": control.pk, "kind": "file", "title": "新しいログ", "url": "",
            "note": "", "collected_on": "2025-05-31", "expires_on": "", "collected_by": "",
            "file": SimpleUploadedFile("new.pdf", b"%PDF-1.4 new", "application/pdf")}
    with django_capture_on_commit_callbacks(execute=True):
        response = org.client("manager").post(
            reverse("controls:evidence_update", args=[evidence.pk]), data)
    assert response.status_code == 302
    [path] = stored_files(media)
    assert path.read_bytes() == b"%PDF-1.4 new"
    evidence.refresh_from_db()
    assert evidence.file_name == "new.pdf"


def test_the_edit_form_names_the_file_without_linking_its_storage(org, media, control):
    """Django's file widget linked the storage address, which is not served: a 404."""
    upload(org, control, "監査ログ.pdf")
    evidence = Evidence.objects.get()
    page = org.client("manager").get(
        reverse("controls:evidence_update", args=[evidence.pk])).content.decode()
    assert "監査ログ.pdf" in page
    assert evidence.file.name not in page and evidence.file.url not in page


def test_a_related_record_the_reader_may_not_open_is_named_not_linked(org):
    """The owner of a Sales control, kept by someone in IT, seen by a Sales member of staff."""
    owned = make_control(org.sales, "C-OWNED", status="implemented",
                         owner=org.people["it_staff"])
    url = reverse("controls:control_detail", args=[owned.pk])
    it_person = org.people["it_staff"].get_absolute_url()
    staff_page = org.client("staff").get(url).content.decode()
    assert str(org.people["it_staff"]) in staff_page and it_person not in staff_page
    assert it_person in org.client("ciso").get(url).content.decode()
