"""Contracts, certificates and the contractor settings through the shared UI/API/scope tests,
the clauses a contract lacks, and the four Art 9 checks: each passes, and each fails when its
condition is broken."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mamori.contractors import conformance as checks
from mamori.contractors import tables, workflow
from mamori.contractors.models import (
    CLAUSES,
    Certificate,
    Contract,
    ContractorSettings,
    Screening,
    ScreeningRequirement,
    Tier,
)
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS
from mamori.core.dates import add_months
from mamori.core.testing import ScopedModelTests, api_client, log_entries

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
ALL_CLAUSES = {name: True for name, _label in CLAUSES}


def make_contract(contractor, starts_on=None, **fields):
    values = {"title": "業務委託契約", "starts_on": starts_on or TODAY(),
              "notification_hours": 24, **ALL_CLAUSES}
    return Contract.objects.create(contractor=contractor, **{**values, **fields})


def make_certificate(contractor, expires_on=None, **fields):
    return Certificate.objects.create(
        contractor=contractor, kind=fields.pop("kind", "pmark"),
        expires_on=expires_on or TODAY() + datetime.timedelta(days=200), **fields)


class ContractorParts:
    """The contractors the parts under test belong to, made before anything is counted."""

    @pytest.fixture(autouse=True)
    def _contractors(self, org):
        for department, code in ((org.sales_east, "K-EAST"), (org.it, "K-IT"),
                                 (org.sales, "K-SALES")):
            make_contractor(department, code)

    def contractor(self, code):
        from mamori.contractors.models import Contractor

        return Contractor.objects.get(code=code)


class TestContract(ContractorParts, ScopedModelTests):
    model = Contract
    api_path = "/api/contractors/contracts/"

    def in_scope_object(self, org):
        return make_contract(self.contractor("K-EAST"))

    def out_of_scope_object(self, org):
        return make_contract(self.contractor("K-IT"))

    def create_data(self, org):
        return {"contractor": self.contractor("K-SALES").pk, "title": "発送業務委託契約",
                "signed_on": "2026-03-25", "starts_on": "2026-04-01", "ends_on": "2027-03-31",
                "renewal": "automatic", **ALL_CLAUSES, "notification_hours": 24,
                "clause_foreign_transfer": False, "note": "年1回見直し"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "contractor": self.contractor("K-IT").pk}

    def update_data(self, org, obj):
        return {"contractor": obj.contractor_id, "title": obj.title + "（改）",
                "signed_on": None, "starts_on": "2026-05-01", "ends_on": None,
                "renewal": "agreed", **ALL_CLAUSES, "clause_audit_right": False,
                "notification_hours": 48, "clause_foreign_transfer": False, "note": ""}

    def make_rows(self, org, n):
        contractor = self.contractor("K-SALES")
        Contract.objects.bulk_create(Contract(contractor=contractor, title=f"契約{i}",
                                              starts_on=TODAY()) for i in range(n))

    def resource(self):
        return tables.ContractResource()

    def bad_import_column(self):
        return "starts_on"


class TestCertificate(ContractorParts, ScopedModelTests):
    model = Certificate
    api_path = "/api/contractors/certificates/"

    def in_scope_object(self, org):
        return make_certificate(self.contractor("K-EAST"))

    def out_of_scope_object(self, org):
        return make_certificate(self.contractor("K-IT"))

    def create_data(self, org):
        return {"contractor": self.contractor("K-SALES").pk, "kind": "iso27001",
                "number": "IS 123456", "issuer": "認証機関", "issued_on": "2025-04-01",
                "expires_on": "2028-03-31", "relied_on": True, "note": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "contractor": self.contractor("K-IT").pk}

    def update_data(self, org, obj):
        return {"contractor": obj.contractor_id, "kind": "pmark", "number": "10820000(01)",
                "issuer": "JIPDEC", "issued_on": None, "expires_on": "2027-06-30",
                "relied_on": False, "note": "更新済み"}

    def make_rows(self, org, n):
        contractor = self.contractor("K-SALES")
        Certificate.objects.bulk_create(Certificate(contractor=contractor, kind="other",
                                                    expires_on=TODAY()) for _i in range(n))

    def resource(self):
        return tables.CertificateResource()

    def bad_import_column(self):
        return "expires_on"


# -- the contract's clauses ------------------------------------------------------------------

def test_the_contract_page_lists_the_missing_clauses(org):
    contractor = make_contractor(org.sales, "K-1", personal_data=True, country="VN",
                                 foreign_regime="x", foreign_measures="y")
    contract = make_contract(contractor, clause_audit_right=False, notification_hours=72)
    with translation.override("en"):
        missing = [str(label) for label in contract.missing_clauses()]
    assert missing == ["the company's right to audit",
                       "incident notification within the deadline",
                       "the conditions of a transfer abroad"]
    page = org.client("manager").get(contract.get_absolute_url()).content.decode()
    assert "監査" in page  # in the reader's language (the test client reads Japanese)


def test_a_notification_clause_needs_its_deadline(org):
    contractor = make_contractor(org.sales, "K-1")
    data = {"contractor": contractor.pk, "title": "契約", "starts_on": "2026-04-01",
            "renewal": "none", "clause_incident_notification": "on"}
    response = org.client("manager").post(reverse("contractors:contract_create"), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["notification_hours"]


# -- settings --------------------------------------------------------------------------------

def test_the_settings_row_is_read_by_all_and_changed_by_the_ciso(org):
    row = ContractorSettings.objects.get()
    url = reverse("contractors:contractorsettings_update", args=[row.pk])
    assert org.client("manager").get(url).status_code == 404
    data = {"high_review_months": 6, "medium_review_months": 12, "low_review_months": 24,
            "notification_hours": 12, "expiry_warning_days": 30}
    assert org.client("ciso").post(url, data).status_code == 302
    assert ContractorSettings.objects.get().high_review_months == 6
    assert log_entries(row, "update").exists()
    assert api_client(org.users["staff"]).get("/api/contractors/settings/").status_code == 200


# -- the Art 9 checks ------------------------------------------------------------------------

def run(function):
    return function()


@pytest.fixture
def screened(org):
    """A card-data contractor (high tier) screened equal or higher a month before its
    contract started, with a complete contract and a current PrivacyMark."""
    ScreeningRequirement.objects.exclude(code="staff").update(min_tier=Tier.HIGH + 1)
    contractor = make_contractor(org.sales, "K-1", personal_data=True, card_data=True,
                                 status="active")
    screening = Screening.objects.create(contractor=contractor)
    for answer in screening.answers.all():
        answer.their_level = 3
        answer.save()
    workflow.assess(org.users["ciso"], screening)
    Screening.objects.filter(pk=screening.pk).update(
        assessed_on=TODAY() - datetime.timedelta(days=40))
    make_contract(contractor, starts_on=TODAY() - datetime.timedelta(days=10))
    make_certificate(contractor)
    return contractor


CHECKS = [checks.screened_before_contract, checks.reviewed_in_interval,
          checks.contract_clauses, checks.certificates_current]


def test_the_checks_are_registered_against_article_9():
    from mamori.core import conformance

    codes = {c.code: c.article for c in conformance.checks() if c.code.startswith("contractors.")}
    assert codes == {"contractors.art9.screened_before_contract": "9",
                     "contractors.art9.reviewed_in_interval": "9",
                     "contractors.art9.contract_clauses": "9",
                     "contractors.art9.certificates_current": "9"}


def test_not_applicable_without_entrusted_contractors(org):
    make_contractor(org.sales, "K-0", system_access=True, status="active")
    assert {run(check).status for check in CHECKS} == {NOT_APPLICABLE}


def test_all_pass_for_a_screened_bound_certified_contractor(screened):
    assert [run(check).status for check in CHECKS] == [PASS] * 4


def test_screened_after_the_contract_started_fails(screened):
    Screening.objects.filter(contractor=screened).update(
        assessed_on=TODAY() - datetime.timedelta(days=5))
    result = run(checks.screened_before_contract)
    assert result.status == FAIL and result.failing_count == 1


def test_a_lapsed_gap_acceptance_fails(screened, org):
    Screening.objects.filter(contractor=screened).update(
        verdict=Screening.Verdict.GAPS_ACCEPTED,
        verdict_until=TODAY() - datetime.timedelta(days=1))
    assert run(checks.screened_before_contract).status == FAIL


def test_a_review_older_than_the_tiers_interval_fails(screened):
    Screening.objects.filter(contractor=screened).update(
        assessed_on=add_months(TODAY(), -13))
    assert run(checks.reviewed_in_interval).status == FAIL
    ContractorSettings.objects.update(high_review_months=24)
    assert run(checks.reviewed_in_interval).status == PASS


def test_a_missing_clause_or_an_ended_contract_fails(screened):
    Contract.objects.filter(contractor=screened).update(clause_return_or_deletion=False)
    assert run(checks.contract_clauses).status == FAIL
    Contract.objects.filter(contractor=screened).update(
        clause_return_or_deletion=True, ends_on=TODAY() - datetime.timedelta(days=1))
    assert run(checks.contract_clauses).status == FAIL
    Contract.objects.filter(contractor=screened).update(renewal="automatic")
    assert run(checks.contract_clauses).status == PASS


def test_an_expired_certificate_relied_on_fails(screened):
    Certificate.objects.filter(contractor=screened).update(
        expires_on=TODAY() - datetime.timedelta(days=1))
    assert run(checks.certificates_current).status == FAIL
    Certificate.objects.filter(contractor=screened).update(relied_on=False)
    assert run(checks.certificates_current).status == PASS


def test_a_closed_audit_of_the_contractor_counts_as_its_review(screened, org):
    from mamori.audits.models import Audit

    Screening.objects.filter(contractor=screened).update(assessed_on=add_months(TODAY(), -13))
    audit = Audit.objects.create(title="委託先監査", kind=Audit.Kind.CONTRACTOR,
                                 planned_start=TODAY() - datetime.timedelta(days=20),
                                 planned_end=TODAY() - datetime.timedelta(days=18))
    audit.contractors.add(screened)
    assert run(checks.reviewed_in_interval).status == FAIL  # planned, not yet closed
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.CLOSED,
                                             closed_on=TODAY() - datetime.timedelta(days=15))
    assert run(checks.reviewed_in_interval).status == PASS
    Audit.objects.filter(pk=audit.pk).update(closed_on=add_months(TODAY(), -14))
    assert run(checks.reviewed_in_interval).status == FAIL
