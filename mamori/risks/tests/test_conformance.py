"""The conformance checks for risks (policy Art 5): each passing, failing with the failing
objects listed, and not applicable."""

import datetime

import pytest
from django.utils import timezone

from mamori.assets.models import Asset
from mamori.assets.tests.test_asset_models import make_asset
from mamori.controls.tests.test_control_models import make_control
from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM
from mamori.risks.models import Risk
from mamori.risks.tests.test_risk_models import make_acceptance, make_risk

pytestmark = pytest.mark.django_db
TREATED = "risks.art5.above_appetite_treated"
ASSESSED = "risks.art5.personal_info_assessed"


def run(code):
    check = next(c for c in conformance.checks() if c.code == code)
    return check.function()


def test_checks_are_registered_against_article_5():
    articles = {c.code: c.article for c in conformance.checks() if c.code.startswith("risks.")}
    assert articles == {TREATED: "5", ASSESSED: "5"}


# --- risks above the appetite are treated or accepted ---------------------------------


def test_treated_not_applicable_without_open_risks(org):
    make_risk(org.sales, "R-OLD", 3, 3, status=Risk.Status.CLOSED)
    result = run(TREATED)
    assert result.status == NOT_APPLICABLE and result.detail


def test_treated_passes_when_no_open_risk_is_above_the_appetite(org):
    make_risk(org.sales, "R-LOW", 1, 3)  # 3: at the appetite, not above it
    make_risk(org.sales, "R-RES", 3, 3, residual_likelihood=1, residual_impact=2)
    make_risk(org.sales, "R-OLD", 3, 3, status=Risk.Status.CLOSED)
    result = run(TREATED)
    assert (result.status, result.value, result.threshold) == (PASS, 0, 0)


def test_treated_fails_listing_the_untreated_risks(org):
    untreated = make_risk(org.sales, "R-1", 3, 3)
    reduce_without_control = make_risk(org.it, "R-2", 2, 3, treatment=Risk.Treatment.REDUCE)
    accept_without_acceptance = make_risk(org.it, "R-3", 2, 2, treatment=Risk.Treatment.ACCEPT)
    make_risk(org.sales, "R-LOW", 1, 1)
    result = run(TREATED)
    assert (result.status, result.value, result.failing_count) == (FAIL, 3, 3)
    failing = result.failing_for(SYSTEM).objects
    assert sorted(f.label for f in failing) == sorted(
        str(r) for r in (untreated, reduce_without_control, accept_without_acceptance))
    assert {f.url for f in failing} == {untreated.get_absolute_url(),
                                        reduce_without_control.get_absolute_url(),
                                        accept_without_acceptance.get_absolute_url()}


def test_treated_passes_once_each_is_treated_or_accepted(org):
    today = timezone.localdate()
    reduced = make_risk(org.sales, "R-1", 3, 3, treatment=Risk.Treatment.REDUCE)
    reduced.controls.add(make_control(org.sales, "C-1"))
    make_risk(org.sales, "R-2", 3, 3, treatment=Risk.Treatment.TRANSFER)
    make_risk(org.sales, "R-3", 3, 3, treatment=Risk.Treatment.AVOID)
    accepted = make_risk(org.it, "R-4", 3, 3, treatment=Risk.Treatment.ACCEPT)
    make_acceptance(accepted, org.people["ciso"], accepted_on=today - datetime.timedelta(days=1))
    assert run(TREATED).status == PASS


def test_treated_fails_when_the_acceptance_expired_or_was_revoked(org):
    today = timezone.localdate()
    expired = make_risk(org.sales, "R-1", 3, 3, treatment=Risk.Treatment.ACCEPT)
    make_acceptance(expired, org.people["ciso"], accepted_on=today - datetime.timedelta(days=400))
    revoked = make_risk(org.sales, "R-2", 3, 3, treatment=Risk.Treatment.ACCEPT)
    make_acceptance(revoked, org.people["ciso"], accepted_on=today - datetime.timedelta(days=10),
                    revoked_on=today)
    result = run(TREATED)
    assert result.status == FAIL
    failing = result.failing_for(SYSTEM).objects
    assert sorted(f.label for f in failing) == sorted([str(expired), str(revoked)])


# --- assets holding personal information have an assessed risk ----------------------


def test_assessed_not_applicable_without_personal_information(org):
    make_asset(org.sales, "A-1")
    make_asset(org.sales, "A-OLD", has_personal_info=True, status=Asset.Status.DISPOSED)
    result = run(ASSESSED)
    assert result.status == NOT_APPLICABLE and result.detail


def test_assessed_passes_when_each_has_an_assessed_risk(org):
    ledger = make_asset(org.sales, "A-LEDGER", has_personal_info=True)
    payroll = make_asset(org.it, "A-PAY", has_personal_info=True)
    make_risk(org.sales, "R-1", 2, 2).assets.add(ledger)
    make_risk(org.it, "R-2", 2, 2, status=Risk.Status.TREATING).assets.add(payroll)
    result = run(ASSESSED)
    assert (result.status, result.value, result.threshold) == (PASS, 100.0, 100.0)


def test_assessed_fails_listing_the_assets_without_one(org):
    ledger = make_asset(org.sales, "A-LEDGER", has_personal_info=True)
    payroll = make_asset(org.it, "A-PAY", has_personal_info=True)
    bare = make_asset(org.it, "A-BARE", has_personal_info=True)
    make_asset(org.it, "A-PLAIN")  # no personal information: not counted
    make_risk(org.sales, "R-1", 2, 2).assets.add(ledger)
    # a risk only identified, not yet assessed, does not count
    make_risk(org.it, "R-2", 2, 2, status=Risk.Status.IDENTIFIED).assets.add(payroll)
    result = run(ASSESSED)
    assert (result.status, result.failing_count) == (FAIL, 2)
    assert result.value == pytest.approx(33.3)
    failing = result.failing_for(SYSTEM).objects
    assert sorted(f.label for f in failing) == sorted([str(payroll), str(bare)])
