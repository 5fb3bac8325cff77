"""TEMPORARY: screenshots of the new contractor pages per role and language (deleted after)."""

import datetime

import pytest
from django.utils import timezone

from mamori.contractors import workflow
from mamori.contractors.models import Certificate, Contract, Subcontracting
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.core.tests import test_browser as ui
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.incidents.tests.factories import make_incident
from mamori.risks.tests import test_browser_risk_flow as flow

pytestmark = ui.pytestmark
live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page
SHOTS = "/tmp/shots"


def test_shots(live_server, live_org, make_page, log):
    base = live_server.url
    org = live_org
    today = timezone.localdate()
    top = make_contractor(org.sales, "K-TOP", personal_data=True, status="active")
    mid = make_contractor(org.sales, "K-MID", personal_data=True, status="active")
    bottom = make_contractor(org.it, "K-BOT", personal_data=True, status="active")
    approved = Subcontracting.objects.create(contractor=top, subcontractor=mid, work="発送業務")
    workflow.decide_subcontracting(org.users["ciso"], approved, approve=True, note="条件付き")
    requested = Subcontracting.objects.create(contractor=mid, subcontractor=bottom,
                                              work="封入作業", information="氏名・住所")
    Contract.objects.create(contractor=top, title="委託契約", starts_on=today - datetime.timedelta(
        days=300), ends_on=today + datetime.timedelta(days=20), notification_hours=24)
    Certificate.objects.create(contractor=top, kind="pmark", number="P-1", relied_on=True,
                               expires_on=today + datetime.timedelta(days=10))
    sent = Certificate.objects.create(contractor=top, kind="iso27001", number="IS-9",
                                      relied_on=False,
                                      expires_on=today + datetime.timedelta(days=500))
    incident = make_incident(org.sales, "委託先での書類紛失")
    incident.contractors.add(top)

    pages = {
        "ciso": [top.get_absolute_url(), requested.get_absolute_url(), "/my/",
                 incident.get_absolute_url(), "/contractors/subcontracting/"],
        "manager": [top.get_absolute_url(), requested.get_absolute_url(),
                    sent.get_absolute_url(), "/my/"],
        "auditor": [top.get_absolute_url(), "/contractors/subcontracting/"],
        "staff": ["/contractors/subcontracting/", "/my/"],
    }
    for username, paths in pages.items():
        for lang in ("ja", "en"):
            page = make_page({"ja": "ja-JP", "en": "en-US"}[lang])
            if username == "ciso":
                incident_flow.log_in_with_totp(page, base, org.users["ciso"],
                                               "x-ciso-password-1")
            else:
                ui.log_in(page, base, username, f"x-{username}-password-1")
            ui.switch_language(page, lang)
            for n, path in enumerate(paths):
                page.goto(f"{base}{path}")
                page.screenshot(path=f"{SHOTS}/{username}-{lang}-{n}.png", full_page=True)
            page.close()
