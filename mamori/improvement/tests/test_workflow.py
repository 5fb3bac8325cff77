"""A nonconformity's steps: the plan approved, the actions checked, closed — or opened again
when they did not work — by the CISO alone, through the pages and the API, each in the change
log; what was found stays as raised; the plan deadline follows its facts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mamori.core.testing import api_client, log_entries
from mamori.improvement import workflow
from mamori.improvement.models import EffectivenessCheck, ImprovementSettings, Nonconformity
from mamori.improvement.tests.test_improvement_models import make_action, make_nc

pytestmark = pytest.mark.django_db
API = "/api/improvement/nonconformities/"


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


def ready_for_approval(org, **fields):
    nc = make_nc(org.sales, root_cause="手順書がなかった", raised_on=days_ago(20), **fields)
    make_action(nc, org.people["staff"], due_on=today() + datetime.timedelta(days=10))
    return nc


def step(client, nc, name):
    return client.post(reverse("improvement:nonconformity_step", args=[nc.pk, name]))


def test_the_plan_needs_a_root_cause_and_an_action(org):
    nc = make_nc(org.sales)
    client = org.client("ciso")
    page = client.get(nc.get_absolute_url())
    assert page.context["steps"] == [] and len(page.context["waiting"]) == 1
    manager = org.client("manager").get(nc.get_absolute_url())
    assert manager.context["waiting"] == page.context["waiting"]  # they record what is missing
    assert org.client("auditor").get(nc.get_absolute_url()).context["waiting"] == []
    step(client, nc, "approve")
    nc.refresh_from_db()
    assert nc.status == "open"
    page = client.get(nc.get_absolute_url())
    text = " ".join(str(m) for m in page.context["messages"])
    assert "根本原因" in text and "是正処置" in text
    nc.root_cause = "教育不足"
    nc.save()
    make_action(nc, org.people["staff"])
    assert step(client, nc, "approve").status_code == 302
    nc.refresh_from_db()
    assert nc.status == "planned" and nc.plan_approved_on == today()
    assert nc.plan_approved_by == org.people["ciso"]
    assert log_entries(nc, "update").order_by("seq").last().actor_name == "ciso"


def test_only_the_ciso_decides(org):
    nc = ready_for_approval(org)
    for user in ("manager", "auditor", "staff"):
        with pytest.raises(PermissionDenied):
            workflow.approve_plan(org.users[user], nc)
        step(org.client(user), nc, "approve")
        assert api_client(org.users[user]).post(f"{API}{nc.pk}/approve/").status_code in (
            403, 404)
    nc.refresh_from_db()
    assert nc.status == "open"
    page = org.client("manager").get(nc.get_absolute_url())
    assert page.context["steps"] == [] and b"step-approve" not in page.content
    assert [s.name for s in org.client("ciso").get(
        nc.get_absolute_url()).context["steps"]] == ["approve"]


def test_the_check_waits_for_every_action_and_cannot_predate_them(org):
    nc = ready_for_approval(org)
    ciso = org.users["ciso"]
    workflow.approve_plan(ciso, nc)
    with pytest.raises(ValidationError, match="完了"):
        workflow.record_check(ciso, nc, effective=True, notes="抜取り確認")
    nc.corrective_actions.update(done_on=days_ago(2))
    with pytest.raises(ValidationError):
        workflow.record_check(ciso, nc, effective=True, notes="抜取り確認",
                              checked_on=days_ago(5))
    with pytest.raises(ValidationError):
        workflow.record_check(ciso, nc, effective=True, notes="  ")
    assert not EffectivenessCheck.objects.exists()


def test_not_effective_opens_it_again_with_a_new_plan_due(org):
    nc = ready_for_approval(org)
    ciso = org.users["ciso"]
    workflow.approve_plan(ciso, nc)
    nc.corrective_actions.update(done_on=days_ago(1))
    response = org.client("ciso").post(
        reverse("improvement:nonconformity_check", args=[nc.pk]),
        {"checked_on": today().isoformat(), "effective": "no", "notes": "再発していた"})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "open" and nc.reopened_on == today()
    assert nc.plan_approved_on is None and nc.plan_approved_by is None
    assert nc.plan_due_on == today() + datetime.timedelta(days=30)
    check = EffectivenessCheck.objects.get()
    assert check.effective is False and check.verifier == org.people["ciso"]
    assert log_entries(check, "create").get().actor_name == "ciso"
    with pytest.raises(ValidationError):
        workflow.close(ciso, nc)  # open again: no closing
    page = org.client("manager").get(nc.get_absolute_url())
    assert b'data-testid="reopened"' in page.content


def test_closed_after_an_effective_check_and_then_frozen(org):
    nc = ready_for_approval(org)
    ciso = org.users["ciso"]
    workflow.approve_plan(ciso, nc)
    with pytest.raises(ValidationError):
        workflow.close(ciso, nc)  # no check yet
    nc.corrective_actions.update(done_on=days_ago(1))
    response = api_client(ciso).post(f"{API}{nc.pk}/check/",
                                     {"effective": True, "notes": "3か月再発なし"},
                                     format="json")
    assert response.status_code == 200, response.json()
    response = api_client(ciso).post(f"{API}{nc.pk}/close/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "closed" and body["closed_on"] == today().isoformat()
    assert org.client("ciso").get(nc.get_absolute_url()).context["steps"] == []
    assert api_client(ciso).post(f"{API}{nc.pk}/approve/").status_code == 403


def test_api_steps_say_what_is_missing(org):
    nc = make_nc(org.sales)
    response = api_client(org.users["ciso"]).post(f"{API}{nc.pk}/approve/")
    assert response.status_code == 400 and "detail" in response.json()
    response = api_client(org.users["ciso"]).post(f"{API}{nc.pk}/check/", {"notes": "x"},
                                                  format="json")
    assert response.status_code == 400 and "effective" in response.json()


def test_checks_are_read_only_everywhere(org):
    nc = ready_for_approval(org)
    workflow.approve_plan(org.users["ciso"], nc)
    nc.corrective_actions.update(done_on=days_ago(1))
    check = workflow.record_check(org.users["ciso"], nc, effective=True, notes="確認")
    api = api_client(org.users["ciso"])
    path = f"/api/improvement/effectiveness-checks/{check.pk}/"
    assert api.get(path).status_code == 200
    assert api.patch(path, {"effective": False}, format="json").status_code == 405
    assert api.delete(path).status_code == 405
    assert api.post("/api/improvement/effectiveness-checks/", {}, format="json"
                    ).status_code == 405
    # The department reads its checks; another department's manager does not.
    assert org.client("manager").get(check.get_absolute_url()).status_code == 200
    it_nc = make_nc(org.it)
    other = EffectivenessCheck.objects.create(nonconformity=it_nc, verifier=org.people["ciso"],
                                              effective=True, notes="x")
    assert org.client("manager").get(other.get_absolute_url()).status_code == 404
    assert org.client("auditor").get(other.get_absolute_url()).status_code == 200
    assert org.client("staff").get(check.get_absolute_url()).status_code == 404


def test_the_department_answers_but_does_not_restate_the_finding(org):
    nc = make_nc(org.sales, severity="major", raised_by=org.people["ciso"],
                 requirement="A.5.15")
    client = org.client("manager")
    page = client.get(reverse("improvement:nonconformity_update", args=[nc.pk]))
    assert page.context["form"].fields["severity"].disabled is True
    assert page.context["form"].fields["root_cause"].disabled is False
    data = {"title": nc.title, "description": "", "severity": "minor", "source": nc.source,
            "source_reference": "", "policy_article": "", "requirement": "なし",
            "department": org.sales.pk, "raised_on": nc.raised_on.isoformat(),
            "correction": "是正した", "correction_done_on": "", "root_cause": "原因"}
    assert client.post(reverse("improvement:nonconformity_update", args=[nc.pk]),
                       data).status_code == 302
    nc.refresh_from_db()
    # The posted severity and requirement were not taken; the answer was.
    assert (nc.severity, nc.requirement, nc.root_cause) == ("major", "A.5.15", "原因")
    api = api_client(org.users["manager"])
    response = api.patch(f"{API}{nc.pk}/", {"severity": "minor"}, format="json")
    assert response.status_code == 400 and "severity" in response.json()
    assert api.patch(f"{API}{nc.pk}/", {"correction": "再是正"}, format="json").status_code == 200
    response = api_client(org.users["ciso"]).patch(f"{API}{nc.pk}/", {"severity": "minor"},
                                                   format="json")
    assert response.status_code == 200
    assert org.client("ciso").get(nc.get_absolute_url()).context["finding_locked"] is False


def test_the_plan_deadline_follows_the_raising_day_and_the_setting(org):
    nc = make_nc(org.sales, raised_on=days_ago(10))
    assert nc.plan_due_on == days_ago(10) + datetime.timedelta(days=30)
    nc.raised_on = days_ago(40)
    nc.save()
    nc.refresh_from_db()
    assert nc.plan_due_on == days_ago(10)
    planned = ready_for_approval(org)
    workflow.approve_plan(org.users["ciso"], planned)
    planned_due = Nonconformity.objects.get(pk=planned.pk).plan_due_on

    settings = ImprovementSettings.objects.get()
    response = org.client("ciso").post(
        reverse("improvement:improvementsettings_update", args=[settings.pk]), {"plan_days": 14})
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.plan_due_on == days_ago(40) + datetime.timedelta(days=14)
    assert log_entries(nc, "update").order_by("seq").last().actor_name == "ciso"
    # An approved plan's deadline is history: it stays what it was.
    assert Nonconformity.objects.get(pk=planned.pk).plan_due_on == planned_due
    assert org.client("manager").post(
        reverse("improvement:improvementsettings_update", args=[settings.pk]),
        {"plan_days": 1}).status_code == 404
    assert ImprovementSettings.objects.get().plan_days == 14


def test_a_plan_deadline_past_ten_years_is_refused_naming_the_field(org):
    """Schemathesis sent 2**31 days through the API: the deadline arithmetic overflowed (a
    500) before the limit was there."""
    make_nc(org.sales)
    settings = ImprovementSettings.objects.get()
    response = api_client(org.users["ciso"]).patch(
        f"/api/improvement/settings/{settings.pk}/", {"plan_days": 2**31}, format="json")
    assert response.status_code == 400
    assert "plan_days" in response.json()
    assert ImprovementSettings.objects.get().plan_days == settings.plan_days
