"""The conformance check for controls (policy Art 5): implemented controls have current
evidence — passing, failing with the controls listed, and not applicable."""

import datetime

import pytest
from django.utils import timezone

from mamori.controls.models import Evidence
from mamori.controls.tests.test_control_models import make_control
from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM

pytestmark = pytest.mark.django_db
CODE = "controls.art5.implemented_have_evidence"


def run():
    check = next(c for c in conformance.checks() if c.code == CODE)
    return check.function()


def note(control, expires_on=None, collected_on=None):
    return Evidence.objects.create(
        control=control, kind="note", title="checked", note="確認済み",
        collected_on=collected_on or datetime.date(2020, 1, 1), expires_on=expires_on)


def test_registered_against_article_5():
    assert {c.code: c.article for c in conformance.checks()
            if c.code.startswith("controls.")}[CODE] == "5"


def test_not_applicable_without_implemented_controls(org):
    make_control(org.sales, "C-PLAN", status="planned")
    make_control(org.sales, "C-PART", status="partial")
    result = run()
    assert result.status == NOT_APPLICABLE and result.detail


def test_passes_when_every_implemented_control_has_current_evidence(org):
    today = timezone.localdate()
    note(make_control(org.sales, "C-1", status="implemented"))  # no expiry
    note(make_control(org.it, "C-2", status="implemented"),
         expires_on=today + datetime.timedelta(days=1))
    make_control(org.it, "C-3", status="planned")  # planned controls need no evidence yet
    result = run()
    assert (result.status, result.value, result.threshold, result.unit) == (
        PASS, 100.0, 100.0, "%")


def test_fails_listing_the_controls_without_current_evidence(org):
    today = timezone.localdate()
    note(make_control(org.sales, "C-OK", status="implemented"))
    bare = make_control(org.sales, "C-BARE", status="implemented")
    expired = make_control(org.it, "C-OLD", status="implemented")
    note(expired, expires_on=today)  # expires today: no longer current
    note(expired, expires_on=today - datetime.timedelta(days=30))
    result = run()
    assert (result.status, result.failing_count) == (FAIL, 2)
    assert result.value == pytest.approx(100 / 3, abs=0.1)
    failing = result.failing_for(SYSTEM).objects
    assert sorted(f.label for f in failing) == sorted([str(bare), str(expired)])
    assert {f.url for f in failing} == {bare.get_absolute_url(), expired.get_absolute_url()}
    note(bare)
    note(expired, expires_on=today + datetime.timedelta(days=365))
    assert run().status == PASS
