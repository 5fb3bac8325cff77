"""Statuses and verdicts read as coloured badges in every list and on detail pages, and dates
past due are marked with the word (issue 16 #18): the colour is never the only signal."""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from mamori.controls.models import Control, Evidence
from mamori.core import badges
from mamori.incidents.models import Incident, RecoveryAction
from mamori.incidents.tests.factories import make_incident
from mamori.websec.models import TlsScan, WebEndpoint
from mamori.websec.tests.records import endpoint

pytestmark = pytest.mark.django_db

BADGE = re.compile(
    r'<span class="badge bg-(\w+)-lt text-nowrap" data-badge="([^"]*)">([^<]*)</span>')


def found(html: str) -> set[tuple[str, str, str]]:
    return {(tone, value, text.strip()) for tone, value, text in BADGE.findall(html)}


def test_every_value_of_a_registered_choice_has_its_own_colour():
    """A status added to a model later is not left grey without anyone deciding so."""
    for (label, field), tones in badges._REGISTRY.items():
        model_field = apps.get_model(label)._meta.get_field(field)
        if tones == badges.VERDICT:
            assert model_field.get_internal_type() == "BooleanField", (label, field)
            assert model_field.null, (label, field)  # "not checked yet" is a value too
            continue
        assert set(tones) == {value for value, _label in model_field.choices}, (label, field)


def test_incident_statuses_and_severities_in_the_list_and_on_the_page(org):
    incident = make_incident(org.sales, "顧客名簿の誤送信", severity="critical")
    ciso = org.client("ciso")
    listed = ciso.get(reverse("incidents:incident_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert {("red", "critical", "Critical"), ("red", "reported", "Reported")} <= found(
        listed.content.decode())
    page = ciso.get(incident.get_absolute_url()).content.decode()  # in Japanese
    [(tone, text)] = [(tone, text) for tone, value, text in found(page) if value == "reported"]
    assert tone == "red" and "報告" in text
    times = ciso.get(reverse("incidents:incident_response_times"), HTTP_ACCEPT_LANGUAGE="en")
    assert ("red", "critical", "Critical") in found(times.content.decode())
    Incident.objects.filter(pk=incident.pk).update(status="closed")
    listed = ciso.get(reverse("incidents:incident_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert ("green", "closed", "Closed") in found(listed.content.decode())


def test_tls_verdicts_read_pass_fail_or_not_checked(org):
    site = endpoint(org, 443, name="会員サイト")
    WebEndpoint.objects.filter(pk=site.pk).update(authentication_ok=True, encryption_ok=False)
    html = org.client("ciso").get(reverse("websec:webendpoint_list"),
                                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert {("green", "pass", "pass"), ("red", "fail", "fail"),
            ("secondary", "none", "not checked")} <= found(html)
    assert badges.tones_for(TlsScan, "profile_ok") == badges.VERDICT


def test_a_past_due_date_is_marked_until_the_thing_is_done(org):
    incident = make_incident(org.sales, "端末の紛失")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = RecoveryAction.objects.create(incident=incident, title="遠隔消去", due_on=yesterday)
    RecoveryAction.objects.create(incident=incident, title="再発防止の周知",
                                  due_on=timezone.localdate() + datetime.timedelta(days=3))
    url = reverse("incidents:recoveryaction_list")
    ciso = org.client("ciso")
    html = ciso.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("data-overdue") == 1
    assert f"{yesterday:%Y-%m-%d} <span class=\"badge bg-red-lt\">overdue</span>" in html
    assert "期限超過" in ciso.get(url).content.decode()
    RecoveryAction.objects.filter(pk=late.pk).update(done_on=timezone.localdate())
    assert "data-overdue" not in ciso.get(url).content.decode()


def test_expired_evidence_says_expired(org):
    control = Control.objects.create(code="C-1", title_ja="管理策", department=org.sales,
                                     theme="organisational")
    Evidence.objects.create(control=control, title="入退室記録", kind="note",
                            collected_on=timezone.localdate() - datetime.timedelta(days=400),
                            expires_on=timezone.localdate() - datetime.timedelta(days=35))
    html = org.client("ciso").get(reverse("controls:evidence_list"),
                                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge bg-red-lt">expired</span>' in html


def test_a_policy_version_and_its_reviews_read_their_state_as_badges(org):
    """The version page's heading and the document's review list (issue 16 #18)."""
    from mamori.policies.models import PolicyReview
    from mamori.policies.tests.conftest import published_document

    document, version = published_document(org)
    PolicyReview.objects.create(document=document, reviewer=org.people["ciso"], outcome="revise",
                                next_review_date=timezone.localdate())
    ciso = org.client("ciso")
    page = ciso.get(version.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("green", "published", "Published") in found(page)
    assert ("green", "published", "公開中") in found(
        ciso.get(version.get_absolute_url()).content.decode())
    reviews = ciso.get(document.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("yellow", "revise", "Revise") in found(reviews)


def test_a_scan_that_did_not_complete_stands_out_without_reading_as_a_failed_verdict():
    """Its verdicts are unknown, not failed (websec test_scan_evidence): yellow, not red."""
    assert badges.shown(TlsScan, "status", "failed", "Failed") == (
        '<span class="badge bg-yellow-lt text-nowrap" data-badge="failed">Failed</span>')


def test_the_list_of_scans_shows_each_scan_s_status(org):
    site = endpoint(org, 443, name="会員サイト")
    now = timezone.now()
    TlsScan.objects.create(endpoint=site, kind="full", status="failed", started_at=now,
                           finished_at=now, profile_code="jp-gov")
    html = org.client("ciso").get(reverse("websec:tlsscan_list"),
                                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("yellow", "failed", "Did not complete") in found(html)
