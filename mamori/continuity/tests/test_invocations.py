"""An incident invoking a plan: written on the incident's timeline in the same transaction,
by whoever handles the incident, and its recovery read against each process's RTO."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.continuity.models import ContinuityPlan, PlanInvocation
from mamori.continuity.tests.helpers import approved_bia, make_process
from mamori.incidents.models import IncidentEntry
from mamori.incidents.tests.factories import make_incident
from mamori.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db


def make_plan(department, code="bcp-x"):
    document = PolicyDocument.objects.create(code=code, kind="continuity_plan",
                                             title_ja="計画", owner_department=department)
    return ContinuityPlan.objects.create(document=document, activation_criteria="停止時")


def test_invoking_writes_the_timeline_and_reads_recovery_against_the_rto(org):
    process = make_process(org.sales, "BP-1")
    approved_bia(process, rto="2")
    slow = make_process(org.sales, "BP-2")
    approved_bia(slow, rto="8", intolerable_at=24)
    plan = make_plan(org.sales)
    start = timezone.now() - datetime.timedelta(hours=10)
    incident = make_incident(org.sales, "停電", occurred_at=start, noticed_at=start)
    client = org.client("manager")
    response = client.post(reverse("continuity:planinvocation_create"), {
        "incident": incident.pk, "plan": plan.pk,
        "invoked_at": timezone.localtime(start + datetime.timedelta(minutes=30)).strftime(
            "%Y-%m-%dT%H:%M"),
        "processes": [process.pk, slow.pk], "note": ""})
    assert response.status_code == 302, response.context["form"].errors
    invocation = PlanInvocation.objects.get()
    assert invocation.invoked_by == org.people["manager"]
    entry = IncidentEntry.objects.get(incident=incident)
    assert "bcp-x" in entry.text and entry.author == org.people["manager"]
    page = client.get(invocation.get_absolute_url())
    assert page.context["recovered_in"] is None  # not recovered yet
    incident.recovered_at = start + datetime.timedelta(hours=4)
    incident.save()
    page = client.get(invocation.get_absolute_url())
    assert page.context["recovered_in"] == Decimal("4.00")
    assert [(p.code, met) for p, _rto, met in page.context["hit"]] == [
        ("BP-1", False), ("BP-2", True)]


def test_only_who_handles_the_incident_invokes_for_it(org):
    plan = make_plan(org.sales)
    incident = make_incident(org.it, "障害")
    response = org.client("manager").post(reverse("continuity:planinvocation_create"), {
        "incident": incident.pk, "plan": plan.pk,
        "invoked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert "incident" in response.context["form"].errors
    assert not PlanInvocation.objects.exists()
    assert not IncidentEntry.objects.filter(incident=incident).exists()


def test_the_incident_page_offers_the_invocation_to_who_handles_it(org):
    plan = make_plan(org.sales)
    incident = make_incident(org.sales, "停電", reported_by=org.people["staff"])
    PlanInvocation.objects.create(incident=incident, plan=plan)
    page = org.client("manager").get(incident.get_absolute_url())
    (_template, panel), = [p for p in page.context["detail_panels"]
                          if p[0] == "continuity/_incident_panel.html"]
    assert panel["may_invoke"] and len(panel["invocations"]) == 1
    assert b'data-testid="invoke-plan"' in page.content
    reporter = org.client("staff").get(incident.get_absolute_url())
    assert reporter.status_code == 200
    assert b'data-testid="invoke-plan"' not in reporter.content
    assert b'data-testid="plan-invocations"' not in reporter.content


def test_an_asset_page_names_the_processes_that_depend_on_it(org):
    from mamori.assets.tests.test_asset_models import make_asset
    from mamori.continuity.models import Dependency

    asset = make_asset(org.sales, "A-1")
    process = make_process(org.sales, "BP-1")
    Dependency.objects.create(process=process, kind="asset", asset=asset)
    page = org.client("manager").get(asset.get_absolute_url())
    assert b'data-testid="continuity-dependents"' in page.content
    assert process.code.encode() in page.content
    staff = org.client("staff").get(asset.get_absolute_url())
    assert b'data-testid="continuity-dependents"' not in staff.content
