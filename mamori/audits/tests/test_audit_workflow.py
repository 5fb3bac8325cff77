"""An audit's life: independence of its team, the checklist generated from its scope (and
generated again without losing answers), the steps of its lead auditor, nonconformities raised
from its items into the improvement register, and a closed audit that nobody changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mamori.audits import checklist, workflow
from mamori.audits.models import Audit, ChecklistItem, PolicyArticle
from mamori.audits.tests.test_audit_models import make_audit, make_item
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import api_client, log_entries
from mamori.improvement.models import ImprovementAction, Nonconformity

pytestmark = pytest.mark.django_db
API = "/api/audits/audits/"
Result = ChecklistItem.Result


def form(org, **changes):
    data = {"code": "", "title": "営業部 内部監査", "kind": "internal", "programme": "",
            "auditing_body": "", "criteria": "", "departments": [org.sales.pk],
            "lead_auditor": org.people["auditor"].pk, "planned_start": "2026-07-01",
            "planned_end": "2026-07-10", "summary": "", "conclusion": "", "follow_up_of": "",
            "independence_justification": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def articles(*numbers):
    return list(PolicyArticle.objects.filter(number__in=numbers))


# --- independence ---------------------------------------------------------------------------


def test_nobody_audits_their_own_department(org):
    # The manager belongs to Sales: on the team of an audit of Sales East (below Sales)? No:
    # Sales East is below their department, not theirs... an audit of Sales is.
    data = form(org, team=[org.people["manager"].pk])
    response = org.client("auditor").post(reverse("audits:audit_create"), data)
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert str(org.people["manager"]) in response.context["form"].errors["team"][0]
    api = api_client(org.users["auditor"]).post(API, {**data, "programme": None,
                                                      "follow_up_of": None}, format="json")
    assert api.status_code == 400 and "team" in api.json()
    # Auditing the parent of one's department covers it too.
    data = form(org, departments=[org.company.pk])  # the auditor sits in the head office
    assert org.client("auditor").post(reverse("audits:audit_create"),
                                      data).status_code == 400
    # An external audit's team is not held to it.
    data = form(org, kind="pci_dss", team=[org.people["manager"].pk])
    assert org.client("auditor").post(reverse("audits:audit_create"),
                                      data).status_code == 302
    assert Audit.objects.count() == 1


def test_the_ciso_may_let_it_stand_saying_why(org):
    data = form(org, team=[org.people["manager"].pk])
    with_reason = {**data, "independence_justification": "営業の業務に詳しい者が他にいない"}
    # An auditor cannot accept it, even with a reason.
    assert org.client("auditor").post(reverse("audits:audit_create"),
                                      with_reason).status_code == 400
    # The CISO can, but only by saying why.
    assert org.client("ciso").post(reverse("audits:audit_create"), data).status_code == 400
    response = org.client("ciso").post(reverse("audits:audit_create"), with_reason)
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.independence_accepted_by == org.people["ciso"]
    assert log_entries(audit, "create").get().after["independence_accepted_by_id"] == (
        org.people["ciso"].pk)
    page = org.client("auditor").get(audit.get_absolute_url())
    assert b'data-testid="independence-accepted"' in page.content
    # The lead auditor goes on editing the audit the CISO let stand...
    edit = {**with_reason, "code": audit.code, "lead_auditor": org.people["auditor"].pk,
            "summary": "範囲を確定した"}
    response = org.client("auditor").post(reverse("audits:audit_update", args=[audit.pk]), edit)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.summary == "範囲を確定した" and audit.independence_accepted_by is not None
    # ... but adds nobody else from the audited department on that acceptance.
    colleague = org.person("colleague", "P006", "employee", org.sales)
    response = org.client("auditor").post(reverse("audits:audit_update", args=[audit.pk]), {
        **edit, "team": [org.people["manager"].pk, colleague.pk]})
    assert response.status_code == 400 and "team" in response.context["form"].errors
    # Once the team is independent again, the acceptance goes.
    response = api_client(org.users["ciso"]).patch(f"{API}{audit.pk}/", {"team": []},
                                                   format="json")
    assert response.status_code == 200 and response.json()["independence_accepted_by"] is None


# --- checklist and steps ----------------------------------------------------------------------


@pytest.fixture
def audit(org):
    audit = make_audit(departments=[org.sales], lead=org.people["auditor"])
    audit.articles.set(articles("3", "7"))
    audit.controls.set([make_control(org.sales, "C-1"), make_control(org.it, "C-2")])
    return audit


def test_the_checklist_follows_the_scope_and_keeps_answers(org, audit):
    added, removed = checklist.generate(audit)
    refs = [i.reference for i in audit.items.order_by("position")]
    checks = [c for c in refs if "." in c and not c.startswith("C-")]
    assert {c.split(".")[1] for c in checks} == {"art3", "art7"}
    assert refs[-2:] == ["C-1", "C-2"] and added == len(refs) and removed == 0
    answered = audit.items.get(reference="C-1")
    answered.result, answered.notes = Result.CONFORMING, "確認済み"
    answered.save()
    audit.controls.set([])
    audit.articles.set(articles("3"))
    added, removed = checklist.generate(audit)
    kept = {i.reference for i in audit.items.all()}
    assert "C-1" in kept and "C-2" not in kept  # answered kept, untouched removed
    assert not any(".art7." in r for r in kept) and added == 0
    assert audit.items.get(reference="C-1").notes == "確認済み"


def test_the_lead_auditor_moves_the_audit_on(org, audit):
    member = org.people["it_staff"]
    audit.team.set([member])
    with pytest.raises(PermissionDenied):
        workflow.start_fieldwork(org.users["it_staff"], audit)  # on the team, not its lead
    with pytest.raises(PermissionDenied):
        workflow.start_fieldwork(org.users["manager"], audit)
    response = org.client("auditor").post(reverse("audits:audit_step",
                                                  args=[audit.pk, "start"]))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == "fieldwork" and audit.items.count() > 0
    # Reporting waits for a result (or a note) on every item.
    page = org.client("auditor").get(audit.get_absolute_url())
    assert [s.name for s in page.context["steps"]] == [] and page.context["waiting"]
    audit.items.update(result=Result.CONFORMING)
    major = audit.items.get(reference="C-1")
    major.result = Result.MAJOR
    major.save()
    workflow.start_reporting(org.users["auditor"], audit)
    # Closing waits for the nonconformity to be raised and for the conclusion.
    with pytest.raises(ValidationError) as refused:
        workflow.close(org.users["auditor"], audit)
    assert len(refused.value.messages[0]) > 20
    raise_url = reverse("improvement:nonconformity_raise",
                        args=["audits.checklistitem", major.pk])
    item_page = org.client("auditor").get(major.get_absolute_url())
    links = {name: url for _l, url, name in item_page.context["raise_links"]}
    assert links["nonconformity"] == raise_url


def test_a_nonconformity_raised_from_an_item_is_linked_and_lets_the_audit_close(org, audit):
    checklist.generate(audit)
    Audit.objects.filter(pk=audit.pk).update(status="reporting")
    audit.refresh_from_db()
    audit.items.update(result=Result.CONFORMING)
    item = audit.items.get(reference="C-1")
    item.result = Result.MINOR
    item.save()
    client = org.client("ciso")
    url = reverse("improvement:nonconformity_raise", args=["audits.checklistitem", item.pk])
    initial = client.get(url).context["form"].initial
    assert initial["severity"] == "minor" and initial["department"] == org.sales.pk
    assert initial["source"] == "audit" and initial["source_reference"].startswith(audit.code)
    response = client.post(url, {"title": "棚卸し漏れ", "severity": "minor", "source": "audit",
                                 "department": org.sales.pk, "raised_on": "2026-07-05"})
    assert response.status_code == 302
    assert Nonconformity.objects.get().source_object() == item
    audit.conclusion = "概ね有効"
    audit.save()
    workflow.close(org.users["ciso"], audit)
    audit.refresh_from_db()
    assert audit.status == "closed" and audit.closed_on == timezone.localdate()


def test_a_closed_audit_and_its_checklist_are_changed_by_nobody(org, audit):
    item = make_item(audit)
    Audit.objects.filter(pk=audit.pk).update(status="closed")
    for user in ("auditor", "ciso", "admin"):
        client = org.client(user)
        assert client.get(reverse("audits:audit_update", args=[audit.pk])).status_code == 404
        assert client.get(reverse("audits:checklistitem_update",
                                  args=[item.pk])).status_code == 404
        assert client.get(audit.get_absolute_url()).context["steps"] == []
        assert api_client(org.users[user]).patch(
            f"/api/audits/checklist-items/{item.pk}/", {"result": "major"},
            format="json").status_code == 404
    with pytest.raises(PermissionDenied):
        workflow.regenerate(org.users["ciso"], audit)
    # A follow-up is a new audit, linked to it.
    response = org.client("auditor").post(reverse("audits:audit_create"),
                                          form(org, follow_up_of=audit.pk))
    assert response.status_code == 302
    assert Audit.objects.get(follow_up_of=audit).title == "営業部 内部監査"


def test_api_steps(org, audit):
    client = api_client(org.users["auditor"])
    response = client.post(f"{API}{audit.pk}/start/")
    assert response.status_code == 200 and response.json()["status"] == "fieldwork"
    response = client.post(f"{API}{audit.pk}/report/")
    assert response.status_code == 400 and "detail" in response.json()
    assert api_client(org.users["it_staff"]).post(f"{API}{audit.pk}/close/").status_code in (
        403, 404)


def test_observations_raise_improvement_actions(org, audit):
    item = make_item(audit, result=Result.OBSERVATION)
    page = org.client("auditor").get(item.get_absolute_url())
    assert {name for _l, _u, name in page.context["raise_links"]} == {
        "nonconformity", "improvementaction"}
    conforming = make_item(audit, reference="X-2", result=Result.CONFORMING)
    assert org.client("auditor").get(conforming.get_absolute_url()).context[
        "raise_links"] == []
    response = org.client("auditor").post(
        reverse("improvement:improvementaction_raise", args=["audits.checklistitem", item.pk]),
        {"title": "記録様式の改善", "source": "audit", "department": org.sales.pk,
         "raised_on": "2026-07-05", "due_on": "2026-08-31", "status": "open"})
    assert response.status_code == 302
    raised = ImprovementAction.objects.get()
    assert raised.source_object() == item
    # The auditor changes what they raised from their audit, not anything else.
    other = ImprovementAction.objects.create(title="他", department=org.sales,
                                             raised_on=datetime.date(2026, 7, 1),
                                             due_on=datetime.date(2026, 8, 1))
    client = org.client("auditor")
    assert client.get(reverse("improvement:improvementaction_update",
                              args=[raised.pk])).status_code == 200
    assert client.get(reverse("improvement:improvementaction_update",
                              args=[other.pk])).status_code == 404
    # Raised from nothing of theirs, it is refused.
    response = client.post(reverse("improvement:improvementaction_create"), {
        "title": "自主", "source": "audit", "department": org.sales.pk,
        "raised_on": "2026-07-05", "due_on": "2026-08-31", "status": "open"})
    assert response.status_code == 403 and ImprovementAction.objects.count() == 2


def test_programme_page_shows_the_coverage(org, audit):
    from mamori.audits.models import AuditProgramme

    programme = AuditProgramme.objects.create(fiscal_year=2026)
    Audit.objects.filter(pk=audit.pk).update(programme=programme)
    other = make_audit(title="IT", departments=[org.it], programme=programme,
                       planned_start=datetime.date(2026, 9, 1))
    other.articles.set(articles("5"))
    Audit.objects.filter(pk=other.pk).update(status="closed", closed_on=datetime.date(2026, 9, 9))
    page = org.client("ciso").get(programme.get_absolute_url())
    grid = page.context["grid"]
    states = {department.code: dict(zip([a.number for a in grid.articles], row, strict=True))
              for department, row in grid.rows}
    assert states["D100"]["3"] == "planned" and states["D110"]["7"] == "planned"
    assert states["D200"]["5"] == "closed" and states["D200"]["3"] == ""
    assert [d.code for d in grid.uncovered_departments] == ["D000"]
    assert "1" in [a.number for a in grid.uncovered_articles]


def test_the_lead_auditor_verifies_and_closes_what_their_audit_found(org, audit):
    from mamori.improvement import workflow as nc_workflow
    from mamori.improvement.sources import link
    from mamori.improvement.tests.test_improvement_models import make_action

    item = make_item(audit, result=Result.MINOR)
    nc = Nonconformity(title="記録漏れ", severity="minor", department=org.sales,
                       root_cause="様式の不備")
    link(nc, item)
    nc.save()
    make_action(nc, org.people["staff"], done_on=timezone.localdate())
    Audit.objects.filter(pk=audit.pk).update(status="closed")  # even after the audit
    audit.team.set([org.people["it_staff"]])
    with pytest.raises(PermissionDenied):
        nc_workflow.approve_plan(org.users["it_staff"], nc)  # on the team, not its lead
    lead = org.users["auditor"]
    assert [s.name for s in nc_workflow.available_steps(lead, nc)] == ["approve"]
    nc_workflow.approve_plan(lead, nc)
    nc_workflow.record_check(lead, nc, effective=True, notes="再発なし")
    nc_workflow.close(lead, nc)
    nc.refresh_from_db()
    assert nc.status == "closed" and nc.closed_by == org.people["auditor"]
    assert nc.effectiveness_checks.get().verifier == org.people["auditor"]
    # A nonconformity found elsewhere is not theirs to decide.
    other = Nonconformity.objects.create(title="自主", severity="minor", department=org.sales,
                                         root_cause="x")
    with pytest.raises(PermissionDenied):
        nc_workflow.approve_plan(lead, other)
