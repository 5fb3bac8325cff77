"""Certificates and attestations of external audits: the CISO records them, auditors and
information managers read them; their validity is checked; and the CISO is warned once,
before they expire, on the dashboard and by e-mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mamori.audits import tables
from mamori.audits.models import AuditCertificate
from mamori.audits.tasks import warn_expiring_certificates
from mamori.audits.tests.test_audit_models import make_audit
from mamori.core.testing import CisoChangesTests, ScopedModelTests
from mamori.org.models import Person

ISSUED = datetime.date(2026, 3, 1)


def external(code="AUD-ISO", kind="iso_surveillance"):
    return make_audit(title="ISO", code=code, kind=kind)


def certificate(audit, number="C-1", expires_on=ISSUED + datetime.timedelta(days=1000),
                **fields):
    return AuditCertificate.objects.create(audit=audit, kind=fields.pop("kind", "iso27001"),
                                           number=number, issued_on=ISSUED,
                                           expires_on=expires_on, **fields)


class TestAuditCertificate(CisoChangesTests, ScopedModelTests):
    model = AuditCertificate
    api_path = "/api/audits/certificates/"

    @pytest.fixture(autouse=True)
    def _audit(self, org):
        external()

    def _a(self):
        from mamori.audits.models import Audit

        return Audit.objects.get(code="AUD-ISO")

    def in_scope_object(self, org):
        return certificate(self._a())

    def out_of_scope_object(self, org):
        return certificate(self._a(), number="C-2")

    def create_data(self, org):
        return {"audit": self._a().pk, "kind": "pci_aoc", "number": "AOC-1",
                "scope_statement": "会員データ環境", "issued_on": "2026-04-01",
                "expires_on": "2027-03-31", "evidence": None, "superseded": False}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "number": "AOC-2"}

    def update_data(self, org, obj):
        return {**self.create_data(org), "number": obj.number, "superseded": True}

    def make_rows(self, org, n):
        AuditCertificate.objects.bulk_create(
            AuditCertificate(audit=self._a(), kind="report", number=f"R-{i}",
                             issued_on=ISSUED) for i in range(n))

    def resource(self):
        return tables.AuditCertificateResource()

    def bad_import_column(self):
        return "issued_on"


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field"), [
    ({"expires_on": "2026-03-31"}, "expires_on"),
    ({"expires_on": ""}, "expires_on"),
    ({"audit": "internal"}, "audit"),
])
def test_validity_is_checked(org, changes, field):
    audit = external()
    internal = make_audit(title="内部", code="AUD-INT")
    data = {"audit": audit.pk, "kind": "iso27001", "number": "X", "scope_statement": "",
            "issued_on": "2026-04-01", "expires_on": "2029-03-31", "evidence": "",
            "superseded": ""}
    data.update(changes)
    if data["audit"] == "internal":
        data["audit"] = internal.pk
    response = org.client("ciso").post(reverse("audits:auditcertificate_create"), data)
    assert response.status_code == 400 and field in response.context["form"].errors


@pytest.mark.django_db
def test_the_ciso_is_warned_once_before_it_expires(org):
    Person.objects.filter(pk=org.people["ciso"].pk).update(email="ciso@example.jp")
    audit = external()
    today = timezone.localdate()
    soon = certificate(audit, "SOON", expires_on=today + datetime.timedelta(days=60))
    certificate(audit, "LATER", expires_on=today + datetime.timedelta(days=200))
    certificate(audit, "OLD", expires_on=today + datetime.timedelta(days=10), superseded=True)
    assert warn_expiring_certificates.call() == 1
    assert [m.to for m in mail.outbox] == [["ciso@example.jp"]]
    assert soon.get_absolute_url() in mail.outbox[0].body
    assert warn_expiring_certificates.call() == 0 and len(mail.outbox) == 1
    page = org.client("ciso").get(reverse("core:dashboard"))
    panel = next(p for t, p in page.context["panels"] if t == "audits/_my_page.html")
    assert [c.number for c in panel["expiring"]] == ["SOON"]
    assert b"SOON" in page.content
