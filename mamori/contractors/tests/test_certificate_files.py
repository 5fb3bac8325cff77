"""Certificates keep their file by the evidence rules (random stored name, SHA-256, type and
size limits, served as an attachment to those who may see the certificate), whether staff
attach it or the contractor sends it through the portal; the portal shows a contractor only
what was sent through its own screening's links, and a link sends a bounded number."""

import datetime
import hashlib
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mamori.contractors import portal_views, workflow
from mamori.contractors.models import Certificate, Screening, ScreeningRequirement
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.contractors.tests.test_portal import issue_through_page, portal_url
from mamori.core.testing import log_entries

pytestmark = pytest.mark.django_db
CONTENT = b"%PDF-1.4\n% ISMS certificate\n" + bytes(range(256)) * 4
LATER = (timezone.localdate() + datetime.timedelta(days=700)).isoformat()


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()


def pdf(name="ISMS認証書.pdf", content=CONTENT):
    return SimpleUploadedFile(name, content, "application/pdf")


def staff_upload(org, contractor, file, username="manager"):
    return org.client(username).post(reverse("contractors:certificate_create"), {
        "contractor": contractor.pk, "kind": "iso27001", "number": "IS 1", "issuer": "",
        "issued_on": "", "expires_on": LATER, "relied_on": "on", "note": "", "file": file})


def test_staff_attach_the_file_with_its_hash(org, media):
    contractor = make_contractor(org.sales, "K-1")
    response = staff_upload(org, contractor, pdf())
    assert response.status_code == 302, response.context and response.context["form"].errors
    certificate = Certificate.objects.get()
    assert certificate.file_name == "ISMS認証書.pdf"
    assert certificate.file_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert re.fullmatch(r"contractors/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", certificate.file.name)
    assert certificate.submitted_through is None
    assert log_entries(certificate, "create").get().after["file_sha256"] == \
        certificate.file_sha256


def test_a_file_of_another_type_is_refused_by_name(org, media):
    contractor = make_contractor(org.sales, "K-1")
    response = staff_upload(org, contractor, pdf("setup.exe", b"MZ"))
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not Certificate.objects.exists()


def test_the_file_is_downloaded_as_an_attachment_only_by_those_who_see_it(org, media):
    certificate = Certificate(contractor=make_contractor(org.it, "K-IT"), kind="pmark",
                              expires_on=timezone.localdate() + datetime.timedelta(days=90))
    certificate.file = pdf()
    certificate.save()
    url = reverse("contractors:certificate_download", args=[certificate.pk])
    response = org.client("ciso").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == CONTENT
    # The Sales information manager does not see IT's contractor, nor its file.
    assert org.client("manager").get(url).status_code == 404
    assert Client().get(url).status_code in (302, 401, 403)


# -- through the portal ------------------------------------------------------------------------

@pytest.fixture
def screening(org):
    ScreeningRequirement.objects.exclude(code="access-control").delete()
    return Screening.objects.create(contractor=make_contractor(org.sales, "K-1"))


def portal_upload(token, file, **fields):
    data = {"certificate-kind": "pmark", "certificate-number": "10824321(04)",
            "certificate-issuer": "JIPDEC", "certificate-issued_on": "",
            "certificate-expires_on": LATER, "certificate-file": file, **fields}
    return Client().post(portal_url(token), data)


def test_the_contractor_sends_a_certificate_through_its_link(org, media, screening):
    token = issue_through_page(org, screening)
    response = portal_upload(token, pdf("pmark.pdf"))
    assert response.status_code == 200
    assert 'data-testid="portal-uploaded"' in response.content.decode()
    certificate = Certificate.objects.get()
    assert certificate.contractor == screening.contractor
    assert certificate.submitted_through.screening == screening
    # Relied on only once someone in the company has checked it.
    assert certificate.relied_on is False
    assert certificate.file_sha256 == hashlib.sha256(CONTENT).hexdigest()
    entry = log_entries(certificate, "create").get()
    assert entry.source == "portal" and entry.actor_name.startswith("portal:")
    page = Client().get(portal_url(token)).content.decode()
    assert page.count('data-testid="sent-certificate"') == 1 and "pmark.pdf" in page
    # The company's page says it came from the contractor and waits for a check.
    detail = org.client("manager").get(certificate.get_absolute_url()).content.decode()
    assert "data-testid=\"download\"" in detail


@pytest.mark.parametrize("fields, name, field", [
    ({}, "tool.exe", "file"),
    ({"certificate-expires_on": "2020-01-01"}, "pmark.pdf", "expires_on"),
    ({"certificate-kind": "nonsense"}, "pmark.pdf", "kind"),
])
def test_a_bad_upload_is_refused_and_named(org, media, screening, fields, name, field):
    token = issue_through_page(org, screening)
    response = portal_upload(token, pdf(name), **fields)
    assert response.status_code == 400
    assert field in response.context["upload"].errors
    assert not Certificate.objects.exists()


def test_a_file_is_required(org, media, screening):
    token = issue_through_page(org, screening)
    response = portal_upload(token, "")
    assert response.status_code == 400 and "file" in response.context["upload"].errors


def test_the_portal_shows_only_what_its_own_screening_received(org, media, screening):
    other = Screening.objects.create(contractor=make_contractor(org.it, "K-OTHER"))
    other_token = issue_through_page(org, other, user="ciso")
    assert portal_upload(other_token, pdf("other-secret.pdf")).status_code == 200
    Certificate.objects.create(contractor=screening.contractor, kind="iso27001",
                               number="STAFF-ONLY", expires_on=LATER, note="内部メモ")
    token = issue_through_page(org, screening)
    page = Client().get(portal_url(token)).content.decode()
    assert "other-secret.pdf" not in page and "STAFF-ONLY" not in page and "内部メモ" not in page
    assert 'data-testid="sent-certificate"' not in page


def test_a_link_sends_a_bounded_number(org, media, screening, monkeypatch):
    monkeypatch.setattr(portal_views, "MAX_UPLOADS_PER_LINK", 2)
    token = issue_through_page(org, screening)
    assert portal_upload(token, pdf("a.pdf")).status_code == 200
    page = portal_upload(token, pdf("b.pdf"))
    assert page.status_code == 200
    assert 'data-testid="portal-upload"' not in page.content.decode()  # no form offered
    assert portal_upload(token, pdf("c.pdf")).status_code == 409
    assert Certificate.objects.count() == 2


def test_an_assessed_screening_takes_no_certificate(org, media, screening):
    token = issue_through_page(org, screening)
    Client().post(portal_url(token), {
        f"level_{answer.pk}": "3" for answer in screening.answers.all()})
    workflow.assess(org.users["ciso"], screening)
    assert portal_upload(token, pdf()).status_code == 409
    assert not Certificate.objects.exists()


def test_a_cleared_file_takes_its_name_and_hash_with_it(org, media,
                                                      django_capture_on_commit_callbacks):
    contractor = make_contractor(org.sales, "K-1")
    assert staff_upload(org, contractor, pdf()).status_code == 302
    certificate = Certificate.objects.get()
    stored = certificate.file.name
    data = {"contractor": contractor.pk, "kind": "iso27001", "number": "IS 1", "issuer": "",
            "issued_on": "", "expires_on": LATER, "relied_on": "on", "note": "",
            "file-clear": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = org.client("manager").post(
            reverse("contractors:certificate_update", args=[certificate.pk]), data)
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert not certificate.file
    assert (certificate.file_name, certificate.file_size, certificate.file_sha256) == (
        "", None, "")
    assert not (media / stored).exists()


def test_a_link_cannot_file_a_certificate_for_another_contractor(org, media, screening):
    other = make_contractor(org.it, "K-OTHER")
    token = issue_through_page(org, screening)
    response = portal_upload(token, pdf(), **{"certificate-contractor": other.pk,
                                              "contractor": other.pk,
                                              "certificate-relied_on": "on"})
    assert response.status_code == 200
    certificate = Certificate.objects.get()
    assert certificate.contractor == screening.contractor and not certificate.relied_on
    assert not other.certificates.exists()


def test_the_portal_form_checks_text_and_dates_like_every_form(org, media, screening):
    token = issue_through_page(org, screening)
    response = portal_upload(token, pdf(), **{"certificate-number": "IS\x07 1",
                                              "certificate-issued_on": "0201-01-01"})
    assert response.status_code == 400
    assert {"number", "issued_on"} <= set(response.context["upload"].errors)
