"""The conformance checks for assets (policy Art 3): each passing, failing with the failing
assets listed, and not applicable."""

import datetime

import pytest

from mamori.assets.models import Asset, ClassificationLevel
from mamori.assets.tests.test_asset_models import make_asset
from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM
from mamori.org.models import Appointment

pytestmark = pytest.mark.django_db
MANAGER = "assets.art3.accountable_manager"
CLASSIFIED = "assets.art3.personal_info_classified"


def run(code):
    check = next(c for c in conformance.checks() if c.code == code)
    return check.function()


def test_checks_are_registered_against_article_3():
    articles = {c.code: c.article for c in conformance.checks() if c.code.startswith("assets.")}
    assert articles == {MANAGER: "3", CLASSIFIED: "3"}


# --- every asset has an accountable information manager ----------------------------------


def test_manager_check_not_applicable_without_assets(org):
    make_asset(org.it, "A-OLD", status=Asset.Status.DISPOSED)  # disposed assets do not count
    result = run(MANAGER)
    assert result.status == NOT_APPLICABLE and result.detail


def test_manager_check_passes_when_every_department_has_a_manager_above(org):
    make_asset(org.sales_east, "A-1")  # the manager of Sales answers for Sales East too
    make_asset(org.sales, "A-2")
    make_asset(org.it, "A-OLD", status=Asset.Status.DISPOSED)
    result = run(MANAGER)
    assert (result.status, result.value, result.threshold, result.unit) == (
        PASS, 100.0, 100.0, "%")
    assert result.failing_for(SYSTEM).objects == []


def test_manager_check_fails_listing_the_assets_without_one(org):
    make_asset(org.sales, "A-1")
    orphan = make_asset(org.it, "A-IT")
    result = run(MANAGER)
    assert (result.status, result.value, result.failing_count) == (FAIL, 50.0, 1)
    assert [(f.label, f.url) for f in result.failing_for(SYSTEM).objects] == [
        (str(orphan), orphan.get_absolute_url())]


def test_manager_check_fails_when_the_appointment_has_ended(org):
    make_asset(org.sales, "A-1")
    Appointment.objects.filter(role="information_manager").update(
        end_date=datetime.date(2024, 12, 31))
    result = run(MANAGER)
    assert result.status == FAIL and result.failing_count == 1


# --- every asset holding personal information has a classification ----------------------


def test_classified_check_not_applicable_without_personal_information(org):
    make_asset(org.sales, "A-1")
    make_asset(org.sales, "A-OLD", has_personal_info=True, status=Asset.Status.DISPOSED)
    assert run(CLASSIFIED).status == NOT_APPLICABLE


def test_classified_check_passes_when_all_are_labelled(org):
    make_asset(org.sales, "A-PI", has_personal_info=True, confidentiality=1)
    result = run(CLASSIFIED)
    assert (result.status, result.value) == (PASS, 100.0)


def test_classified_check_fails_listing_the_unlabelled_assets(org):
    low = make_asset(org.sales, "A-LOW", has_personal_info=True, confidentiality=1)
    make_asset(org.sales, "A-HIGH", has_personal_info=True, confidentiality=3)
    make_asset(org.sales, "A-PLAIN", confidentiality=1)  # no personal information
    ClassificationLevel.objects.get(code="public").delete()  # rating 1 reaches no level
    result = run(CLASSIFIED)
    assert (result.status, result.value, result.failing_count) == (FAIL, 50.0, 1)
    assert [f.label for f in result.failing_for(SYSTEM).objects] == [str(low)]
