"""Contractor rules: the corporate number's check digit, the foreign transfer's records, the
tier derived from the rules (and re-derived when a rule changes), and the company's own level
per screening requirement computed from its controls."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mamori.contractors.comparison import verdict_in_force
from mamori.contractors.corporate_number import check_digit, validate_corporate_number
from mamori.contractors.demo import CONTRACTORS, load_contractor_demo
from mamori.contractors.levels import Level, our_levels
from mamori.contractors.models import (
    Contractor,
    Screening,
    ScreeningRequirement,
    Tier,
    TierRule,
)
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.controls.models import Control, Evidence
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import log_entries

pytestmark = pytest.mark.django_db


def form(org, **changes):
    data = {"code": "K-NEW", "name_ja": "新規委託先", "name_en": "", "corporate_number": "",
            "department": org.sales.pk, "status": "candidate", "services": "",
            "contact_name": "", "contact_email": "", "contact_phone": "",
            "personal_data_categories": "", "persons": "", "country": "JP",
            "foreign_regime": "", "foreign_measures": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}  # unchecked boxes are absent


def create(org, **changes):
    return org.client("manager").post(reverse("contractors:contractor_create"),
                                      form(org, **changes))


# -- the corporate number --------------------------------------------------------------------

def test_check_digit_of_published_numbers():
    # The National Tax Agency's own number, and one computed by hand from the rule.
    assert check_digit("000012050002") == 7
    assert check_digit("010401990011") == 9


@pytest.mark.parametrize("number", ["7000012050002", "9010401990011"])
def test_a_number_with_its_check_digit_is_taken(number):
    validate_corporate_number(number)


@pytest.mark.parametrize("number, code", [
    ("1000012050002", "check_digit"),  # the check digit does not match
    ("7000012050003", "check_digit"),  # one digit mistyped
    ("700001205000", "format"),  # twelve digits
    ("700001205000X", "format"),
])
def test_a_wrong_number_is_refused(number, code):
    with pytest.raises(ValidationError) as raised:
        validate_corporate_number(number)
    assert raised.value.code == code


def test_the_number_is_taken_as_typed_in_japan(org):
    response = create(org, corporate_number="７０００-０１２０-５０００２")
    assert response.status_code == 302
    assert Contractor.objects.get(code="K-NEW").corporate_number == "7000012050002"


def test_the_form_names_the_field_of_a_wrong_number(org):
    response = create(org, corporate_number="1000012050002")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["corporate_number"]
    assert not Contractor.objects.filter(code="K-NEW").exists()


def test_a_number_is_used_by_one_contractor_only(org):
    make_contractor(org.sales, "K-1", corporate_number="7000012050002")
    response = create(org, corporate_number="7000012050002")
    assert response.status_code == 400
    assert "corporate_number" in response.context["form"].errors


def test_contractors_abroad_have_no_number(org):
    assert create(org, corporate_number="", country="us").status_code == 302
    assert Contractor.objects.get(code="K-NEW").country == "US"


# -- a transfer abroad (APPI Art 28) ---------------------------------------------------------

def test_personal_data_abroad_needs_the_regime_and_the_measures(org):
    response = create(org, country="VN", personal_data="on")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"foreign_regime", "foreign_measures"}
    response = create(org, country="VN", personal_data="on", foreign_regime="政令で規律",
                      foreign_measures="契約で同等の措置を義務付け")
    assert response.status_code == 302


def test_sensitive_data_is_personal_data(org):
    response = create(org, sensitive_data="on")
    assert list(response.context["form"].errors) == ["personal_data"]


# -- tiers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("entrusted, tier", [
    ({}, Tier.LOW),
    ({"system_access": True}, Tier.MEDIUM),
    ({"personal_data": True, "persons": 100}, Tier.MEDIUM),
    ({"personal_data": True, "persons": 5000}, Tier.HIGH),
    ({"personal_data": True, "card_data": True}, Tier.HIGH),
    ({"personal_data": True, "sensitive_data": True}, Tier.HIGH),
    ({"personal_data": True, "country": "VN", "foreign_regime": "x", "foreign_measures": "y"},
     Tier.HIGH),
    ({"country": "VN"}, Tier.LOW),  # nothing entrusted: abroad alone is no reason
])
def test_the_shipped_rules_give_the_tier(org, entrusted, tier):
    assert make_contractor(org.sales, "K-1", **entrusted).tier == tier


def test_the_tier_cannot_be_set_by_hand(org):
    response = create(org, tier=3)
    assert response.status_code == 302
    assert Contractor.objects.get(code="K-NEW").tier == Tier.LOW


def test_the_page_says_which_rules_gave_the_tier(org):
    contractor = make_contractor(org.sales, "K-1", personal_data=True, card_data=True,
                                 system_access=True)
    page = org.client("manager").get(contractor.get_absolute_url()).content.decode()
    for code in ("card-data", "personal-data", "system-access"):
        assert TierRule.objects.get(code=code).name_ja in page


def test_changing_a_rule_retiers_every_contractor_and_logs_it(org):
    medium = make_contractor(org.sales, "K-1", personal_data=True, persons=1000)
    low = make_contractor(org.sales, "K-2")
    rule = TierRule.objects.get(code="many-persons")
    response = org.client("ciso").post(
        reverse("contractors:tierrule_update", args=[rule.pk]),
        {"code": rule.code, "name_ja": rule.name_ja, "name_en": rule.name_en, "tier": 3,
         "needs_personal_data": "on", "min_persons": 500})
    assert response.status_code == 302
    medium.refresh_from_db()
    assert medium.tier == Tier.HIGH
    entry = log_entries(medium, "update").get()
    assert ("tier", Tier.MEDIUM, Tier.HIGH) in entry.changes()
    assert not log_entries(low, "update").exists()


def test_deleting_a_rule_retiers_in_the_same_transaction(org):
    contractor = make_contractor(org.sales, "K-1", system_access=True)
    assert contractor.tier == Tier.MEDIUM
    TierRule.objects.get(code="system-access").delete()
    contractor.refresh_from_db()
    assert contractor.tier == Tier.LOW


def test_a_rule_names_at_least_one_condition(org):
    response = org.client("ciso").post(reverse("contractors:tierrule_create"),
                                       {"code": "empty", "name_ja": "空", "tier": 3})
    assert response.status_code == 400
    assert not TierRule.objects.filter(code="empty").exists()


def test_an_import_gives_each_row_its_tier(org):
    from mamori.contractors.forms import ContractorForm
    from mamori.contractors.tables import ContractorResource
    from mamori.core import io as core_io

    data = core_io.tablib.Dataset(headers=["code", "name_ja", "department", "status",
                                           "country", "card_data", "personal_data",
                                           "system_access"])
    data.append(["K-A", "カード", org.sales.code, "active", "JP", "true", "true", "false"])
    data.append(["K-B", "保守", org.sales.code, "active", "jp", "false", "false", "true"])
    result = core_io.import_dataset(ContractorResource(), ContractorForm, data,
                                    org.users["manager"])
    assert result.ok, [str(e) for e in result.errors]
    tiers = dict(Contractor.objects.values_list("code", "tier"))
    assert tiers == {"K-A": Tier.HIGH, "K-B": Tier.MEDIUM}


# -- our level per requirement ---------------------------------------------------------------

def evidence(control, expires_on=None):
    return Evidence.objects.create(control=control, kind="note", title="確認", note="確認済み",
                                   collected_on=datetime.date(2020, 1, 1),
                                   expires_on=expires_on)


def requirement(code, *controls):
    obj = ScreeningRequirement.objects.create(code=code, title_ja=code)
    obj.controls.set(controls)
    return obj


def test_our_level_follows_the_weakest_linked_control(org):
    today = timezone.localdate()
    evidenced = make_control(org.it, "C-1", status="implemented")
    evidence(evidenced)
    stale = make_control(org.it, "C-2", status="implemented")
    evidence(stale, expires_on=today - datetime.timedelta(days=1))
    partial = make_control(org.it, "C-3", status="partial")
    planned = make_control(org.it, "C-4", status="planned")
    retired = make_control(org.it, "C-5", status="retired")
    cases = {
        requirement("none").pk: (Level.NONE, 0),
        requirement("only-retired", retired).pk: (Level.NONE, 0),
        requirement("planned", evidenced, planned).pk: (Level.NONE, 2),
        requirement("partial", evidenced, partial, retired).pk: (Level.PARTIAL, 2),
        requirement("stale", evidenced, stale).pk: (Level.IN_PLACE, 2),
        requirement("evidenced", evidenced).pk: (Level.EVIDENCED, 1),
    }
    levels = our_levels(ScreeningRequirement.objects.filter(pk__in=cases))
    assert {pk: (level.level, level.controls) for pk, level in levels.items()} == cases


def test_our_level_changes_with_the_control(org):
    control = make_control(org.it, "C-1", status="implemented")
    req = requirement("r", control)
    assert our_levels()[req.pk].level == Level.IN_PLACE
    evidence(control)
    assert our_levels()[req.pk].level == Level.EVIDENCED
    Control.objects.filter(pk=control.pk).update(status="partial")
    assert our_levels()[req.pk].level == Level.PARTIAL


def test_our_levels_are_one_query_however_many_requirements(org):
    controls = [make_control(org.it, f"C-{i}", status="implemented") for i in range(3)]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            our_levels(ScreeningRequirement.objects.all())
        return len(captured)

    requirement("a", controls[0])
    few = queries()
    for i in range(10):
        requirement(f"more-{i}", *controls)
    assert queries() == few


@pytest.mark.parametrize("language, heading, label", [
    ("ja", "当社の水準", "実施済み（有効な証跡あり）"),
    ("en", "Our level", "In place, with current evidence"),
])
def test_the_requirement_page_shows_our_level(org, language, heading, label):
    control = make_control(org.it, "C-1", status="implemented")
    evidence(control)
    req = requirement("r", control)
    client = org.client("manager")
    client.cookies["django_language"] = language
    page = client.get(req.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in page and label in page and "C-1" in page


def test_an_unknown_appi_reference_is_refused(org):
    response = org.client("ciso").post(reverse("contractors:screeningrequirement_create"), {
        "code": "x", "title_ja": "x", "min_tier": 1, "sort_key": 1, "appi_refs": "10-6-1 99-9"})
    assert response.status_code == 400
    assert "99-9" in response.context["form"].errors["appi_refs"][0]


# -- the shipped defaults and the demo -------------------------------------------------------

def test_the_catalogue_and_rules_are_shipped():
    assert ScreeningRequirement.objects.count() >= 12
    assert TierRule.objects.filter(tier=Tier.HIGH).exists()
    for req in ScreeningRequirement.objects.all():
        assert req.title_ja and req.title_en and req.question_ja and req.question_en


@pytest.mark.slow
def test_the_demo_contractors(tmp_path):
    from mamori.controls.demo import load_control_demo
    from mamori.org.demo import DEFAULT_SEED, load_demo

    load_demo(tmp_path, io.StringIO())
    load_control_demo(DEFAULT_SEED)
    assert load_contractor_demo(DEFAULT_SEED) == len(CONTRACTORS) == 8
    assert load_contractor_demo(DEFAULT_SEED) == 0  # loaded once
    tiers = dict(Contractor.objects.values_list("code", "tier"))
    assert tiers["K-002"] == tiers["K-004"] == tiers["K-005"] == Tier.HIGH
    assert tiers["K-003"] == Tier.MEDIUM
    for contractor in Contractor.objects.all():
        contractor.full_clean()  # every corporate number passes its check digit
    latest = {}
    for screening in Screening.objects.order_by("requested_on", "pk"):
        latest[screening.contractor.code] = screening
    assert latest["K-004"].verdict == Screening.Verdict.EQUAL_OR_HIGHER
    assert latest["K-001"].verdict == Screening.Verdict.GAPS_ACCEPTED
    assert verdict_in_force(latest["K-001"])
    assert latest["K-008"].status == Screening.Status.OPEN
    # Every Art 9 check passes but the certificates', which fails for K-008 alone.
    from mamori.contractors import conformance as art9
    from mamori.core.conformance import FAIL, PASS

    for check in (art9.screened_before_contract, art9.reviewed_in_interval,
                  art9.contract_clauses):
        assert check().status == PASS, check.__name__
    certificates = art9.certificates_current()
    assert certificates.status == FAIL and certificates.failing_count == 1
    levels = our_levels()
    linked = ScreeningRequirement.objects.filter(controls__isnull=False).distinct()
    assert linked.count() == ScreeningRequirement.objects.count()
    assert {levels[r.pk].level for r in linked} - {Level.NONE}
