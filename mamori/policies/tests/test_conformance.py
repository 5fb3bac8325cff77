"""The conformance checks for policy Art 1, 2, 6 and 12: each made to fail and to pass."""

import datetime

import pytest
from django.utils import timezone

from mamori.core import conformance
from mamori.core.conformance import FAIL, PASS, SYSTEM
from mamori.policies.models import Acknowledgement, PolicyReview, PolicyVersion
from mamori.policies.tests.conftest import make_document, make_draft, published_document
from mamori.policies.workflow import add_months

pytestmark = pytest.mark.django_db
BASIC, RULE = "basic_policy", "internal_rule"


def run(code):
    check = next(c for c in conformance.checks() if c.code == code)
    return check.function()


def test_checks_are_registered_against_their_articles():
    articles = {c.code: c.article for c in conformance.checks() if c.code.startswith("policies.")}
    assert articles == {"policies.art1.basic_policy_published": "1",
                        "policies.art2.basic_policy_acknowledged": "2",
                        "policies.art6.internal_rules_current": "6",
                        "policies.art12.basic_policy_reviewed": "12"}


# --- Art 1 -------------------------------------------------------------------------------


def test_art1_fails_without_a_published_approved_basic_policy(org):
    code = "policies.art1.basic_policy_published"
    assert run(code).status == FAIL
    document = make_document(org.company, code="basic-policy", kind=BASIC)
    make_draft(document, status="approved")
    assert run(code).status == FAIL  # approved but not published
    make_draft(document, status="published")  # published without an approval
    result = run(code)
    assert result.status == FAIL and result.value == 0 and result.detail
    published_document(org, owner=org.company, code="rules", kind=RULE)
    assert run(code).status == FAIL  # an internal rule is not the basic policy


def test_art1_passes_with_a_published_basic_policy(org):
    published_document(org, owner=org.company, code="basic-policy", kind=BASIC)
    result = run("policies.art1.basic_policy_published")
    assert (result.status, result.value, result.threshold) == (PASS, 1, 1)


def test_art1_ignores_an_inactive_basic_policy(org):
    document, _v = published_document(org, owner=org.company, code="basic-policy", kind=BASIC)
    type(document).objects.filter(pk=document.pk).update(is_active=False)
    assert run("policies.art1.basic_policy_published").status == FAIL


# --- Art 2 -------------------------------------------------------------------------------


def acknowledge(version, *people):
    for person in people:
        Acknowledgement.objects.create(person=person, version=version,
                                       content_hash=version.content_hash)


def test_art2_fails_below_the_threshold_listing_who_has_not_acknowledged(org):
    code = "policies.art2.basic_policy_acknowledged"
    result = run(code)
    assert result.status == FAIL and result.detail  # no basic policy at all
    _document, version = published_document(org, owner=org.company, code="basic-policy",
                                             kind=BASIC)
    people = org.people
    acknowledge(version, people["ciso"], people["manager"], people["staff"],
                people["auditor"])
    result = run(code)
    assert (result.status, result.value, result.threshold, result.unit) == (
        FAIL, 80.0, 95.0, "%")
    assert result.failing_count == 1
    failing = result.failing_for(SYSTEM).objects
    assert [(f.label, f.url) for f in failing] == [
        (str(people["it_staff"]), people["it_staff"].get_absolute_url())]


def test_art2_passes_when_everyone_has_acknowledged(org):
    _document, version = published_document(org, owner=org.company, code="basic-policy",
                                             kind=BASIC)
    acknowledge(version, *(org.people[u] for u in ("ciso", "manager", "staff", "it_staff",
                                                    "auditor")))
    result = run("policies.art2.basic_policy_acknowledged")
    assert (result.status, result.value, result.failing_count) == (PASS, 100.0, 0)


def test_art2_threshold_comes_from_settings(org, settings):
    _document, version = published_document(org, owner=org.company, code="basic-policy",
                                             kind=BASIC)
    acknowledge(version, *(org.people[u] for u in ("ciso", "manager", "staff", "auditor")))
    settings.MAMORI_ACKNOWLEDGEMENT_THRESHOLD = 80
    result = run("policies.art2.basic_policy_acknowledged")
    # At the threshold it passes, though one person is still listed as pending.
    assert (result.status, result.threshold, result.failing_count) == (PASS, 80.0, 1)
    settings.MAMORI_ACKNOWLEDGEMENT_THRESHOLD = 80.1
    assert run("policies.art2.basic_policy_acknowledged").status == FAIL
    del settings.MAMORI_ACKNOWLEDGEMENT_THRESHOLD
    assert run("policies.art2.basic_policy_acknowledged").threshold == 95.0


# --- Art 6 -------------------------------------------------------------------------------


def test_art6_fails_for_a_rule_without_a_published_version(org):
    code = "policies.art6.internal_rules_current"
    assert run(code).status == FAIL  # no rules registered at all
    published_document(org, code="published-rules", kind=RULE)
    unpublished = make_document(org.sales, code="draft-rules", kind=RULE)
    make_draft(unpublished)
    result = run(code)
    assert (result.status, result.value, result.threshold) == (FAIL, 1, 2)
    assert [f.label for f in result.failing_for(SYSTEM).objects] == [str(unpublished)]


def test_art6_fails_for_a_rule_past_its_review_date(org):
    document, _v = published_document(org, code="old-rules", kind=RULE)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    type(document).objects.filter(pk=document.pk).update(next_review_date=yesterday)
    result = run("policies.art6.internal_rules_current")
    assert result.status == FAIL and result.failing_count == 1


def test_art6_passes_when_every_rule_is_published_and_current(org):
    published_document(org, code="sales-rules", kind=RULE)
    document, _v = published_document(org, code="it-rules", owner=org.it, kind=RULE)
    type(document).objects.filter(pk=document.pk).update(next_review_date=timezone.localdate())
    inactive = make_document(org.it, code="retired-rules", kind=RULE, is_active=False)
    make_draft(inactive)
    make_document(org.it, code="a-procedure", kind="procedure")  # not an internal rule
    result = run("policies.art6.internal_rules_current")
    assert (result.status, result.value, result.threshold) == (PASS, 2, 2)


# --- Art 12 ------------------------------------------------------------------------------


def review(document, reviewer, days_ago):
    reviewed_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    return PolicyReview.objects.create(
        document=document, reviewer=reviewer, reviewed_on=reviewed_on, outcome="no_change",
        reasons=["scheduled"], next_review_date=add_months(reviewed_on, 12))


def test_art12_fails_when_never_reviewed(org):
    code = "policies.art12.basic_policy_reviewed"
    assert run(code).status == FAIL  # no basic policy
    published_document(org, owner=org.company, code="basic-policy", kind=BASIC)
    result = run(code)
    assert result.status == FAIL and result.detail and result.value is None


def test_art12_passes_when_reviewed_within_the_interval(org):
    document, _v = published_document(org, owner=org.company, code="basic-policy",
                                      kind=BASIC)
    review(document, org.people["ciso"], days_ago=400)
    review(document, org.people["ciso"], days_ago=30)  # the latest review counts
    result = run("policies.art12.basic_policy_reviewed")
    assert result.status == PASS and "30" in str(result.value)


def test_art12_fails_when_the_last_review_is_older_than_the_interval(org):
    document, _v = published_document(org, owner=org.company, code="basic-policy",
                                      kind=BASIC)
    last = review(document, org.people["ciso"], days_ago=370)
    result = run("policies.art12.basic_policy_reviewed")
    assert result.status == FAIL
    assert add_months(last.reviewed_on, 12).isoformat() in result.detail
    document.review_interval_months = 24  # a longer interval makes the same review recent
    document.save()
    assert run("policies.art12.basic_policy_reviewed").status == PASS


def test_art12_looks_at_the_basic_policy_only(org):
    published_document(org, owner=org.company, code="basic-policy", kind=BASIC)
    rules, _v = published_document(org, code="sales-rules", kind=RULE)
    review(rules, org.people["manager"], days_ago=10)
    assert run("policies.art12.basic_policy_reviewed").status == FAIL


def test_the_dashboard_shows_the_policy_checks(org):
    published_document(org, owner=org.company, code="basic-policy", kind=BASIC)
    response = org.client("auditor").get("/dashboard/")
    assert response.status_code == 200
    codes = {o.check.code: o.result.status for article, _trend in response.context["articles"]
             for o in article.outcomes}
    assert codes["policies.art1.basic_policy_published"] == PASS
    assert codes["policies.art12.basic_policy_reviewed"] == FAIL
    assert PolicyVersion.objects.published().count() == 1
