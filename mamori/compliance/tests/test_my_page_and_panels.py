"""What the compliance register puts on My page (evaluations, impact assessments and responses
due; the CISO's non-compliance without action) and on the pages of incidents, breach-reporting
rules and controls: each within the reader's scope, linking only to what the reader may open,
absent when there is nothing to show, in a constant number of queries."""

import datetime
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.compliance import todo
from mamori.compliance.models import (
    ImpactAssessment,
    Obligation,
    RegulatoryAction,
    Result,
    SourceVersion,
)
from mamori.compliance.tests.test_reports import (
    days,
    empty_register,
    evaluate,
    make_action,
    make_obligation,
    make_source,
)
from mamori.controls.tests.test_control_models import make_control
from mamori.core.dates import add_months
from mamori.core.testing import query_count
from mamori.improvement.models import Nonconformity
from mamori.incidents.models import BreachRule
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db

MY_PAGE = reverse("core:my_page")


def not_compliant(org, obligation, days_ago):
    """A "not compliant" evaluation whose nonconformity was closed: without action."""
    evaluation = evaluate(org, obligation, Result.NOT_COMPLIANT, days_ago)
    evaluation.nonconformities().update(status=Nonconformity.Status.CLOSED)
    return evaluation


def amendment(source, label, effective_in, *affected):
    version = SourceVersion.objects.create(source=source, version=label,
                                           effective_on=days(effective_in), affects_all=False)
    version.affected.add(*affected)
    return version


@pytest.fixture
def data(org):
    """Sales (the manager's): S-NEVER never evaluated, S-OVERDUE evaluated 400 days ago,
    S-SOON due in 20 days, S-LATER evaluated 100 days ago, S-NA not applicable, S-NC not
    compliant 10 days ago with its nonconformity closed. IT: I-NEVER never evaluated, I-NC
    not compliant without action. Amendments: S-SOON's in 45 days, S-LATER's in 90, I-NEVER's
    5 days ago. Actions: sales due in 7 days, 2 days ago, in 30, without a date, responded;
    IT due in 3."""
    empty_register()
    sales, it = make_source("sales-law", "営業の法律"), make_source("it-law", "システムの法律")
    o = {}
    for code in ("S-NEVER", "S-OVERDUE", "S-SOON", "S-LATER", "S-NC"):
        o[code] = make_obligation(sales, code, org.sales)
    o["S-NA"] = make_obligation(sales, "S-NA", org.sales, applicability="not_applicable")
    o["I-NEVER"] = make_obligation(it, "I-NEVER", org.it)
    o["I-NC"] = make_obligation(it, "I-NC", org.it)
    evaluate(org, o["S-OVERDUE"], Result.COMPLIANT, 400)
    soon = add_months(days(20), -12)
    evaluate(org, o["S-SOON"], Result.PARTIAL, (timezone.localdate() - soon).days)
    evaluate(org, o["S-LATER"], Result.COMPLIANT, 100)
    not_compliant(org, o["S-NC"], 10)
    not_compliant(org, o["I-NC"], 10)
    o["soon_amendment"] = amendment(sales, "改正A", 45, o["S-SOON"])
    amendment(sales, "改正B", 90, o["S-LATER"])
    o["late_amendment"] = amendment(it, "改正C", -5, o["I-NEVER"])
    o["due_7"] = make_action(org, org.sales, "7日後期限", due_in=7)
    o["due_past"] = make_action(org, org.sales, "期限切れ", due_in=-2)
    make_action(org, org.sales, "30日後期限", due_in=30)
    make_action(org, org.sales, "期限なし")
    make_action(org, org.sales, "回答済み", due_in=1, status="responded")
    o["it_due"] = make_action(org, org.it, "IT期限", due_in=3)
    return o


def panel_of(response):
    panels = dict(response.context["panels"])
    return panels.get("compliance/_my_page.html")


def links(html: str) -> list[str]:
    card = html[html.index('data-testid="compliance-todo"'):]
    card = card[:card.index("</div>\n</div>") if "</div>\n</div>" in card else None]
    return re.findall(r'href="([^"]+)"', card)


def test_the_manager_sees_what_their_departments_must_do(org, data):
    response = org.client("manager").get(MY_PAGE)
    panel = panel_of(response)
    assert [o.code for o in panel["evaluations"]] == ["S-NEVER", "S-OVERDUE", "S-SOON"]
    never, overdue, soon = panel["evaluations"]
    assert never.due_on is None
    assert overdue.due_on == add_months(days(-400), 12) and overdue.due_on < days(0)
    assert days(0) <= soon.due_on <= days(30)
    assert [a.obligation.code for a in panel["assessments"]] == ["S-SOON"]
    assert [a.title for a in panel["actions"]] == ["期限切れ", "7日後期限"]
    assert panel["without_action"] == []  # the CISO's to decide
    text = response.content.decode()
    assert text.count('data-testid="evaluation-due"') == 3
    assert 'data-testid="assessment-due"' in text and 'data-testid="action-due"' in text
    assert 'data-testid="not-compliant-without-action"' not in text
    for hidden in ("I-NEVER", "I-NC", "IT期限", "S-LATER", "S-NA", "30日後期限", "回答済み"):
        assert hidden not in text


def test_the_ciso_sees_everything_and_the_non_compliance_without_action(org, data):
    panel = panel_of(org.client("ciso").get(MY_PAGE))
    assert [o.code for o in panel["evaluations"]] == [
        "I-NEVER", "S-NEVER", "S-OVERDUE", "S-SOON"]
    assert [a.obligation.code for a in panel["assessments"]] == ["I-NEVER", "S-SOON"]
    assert panel["assessments"][0].due_on < days(0)  # past: shown as overdue
    assert [a.title for a in panel["actions"]] == ["期限切れ", "IT期限", "7日後期限"]
    assert [o.code for o in panel["without_action"]] == ["I-NC", "S-NC"]


def test_a_handled_non_compliance_leaves_the_ciso_s_list(org, data):
    from mamori.compliance.models import ComplianceException

    ComplianceException.objects.create(obligation=data["I-NC"], reason="更改まで",
                                       accepted_on=days(-1), expires_on=days(30))
    evaluation = data["S-NC"].evaluations.get()
    evaluation.nonconformities().update(status=Nonconformity.Status.OPEN)
    assert panel_of(org.client("ciso").get(MY_PAGE))["without_action"] == []


@pytest.mark.parametrize("username", ["manager", "ciso"])
def test_every_link_opens(org, data, username):
    client = org.client(username)
    html = client.get(MY_PAGE).content.decode()
    found = links(html)
    assert len(found) >= 5
    for url in found:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url


@pytest.mark.parametrize("username", ["staff", "it_staff", "auditor"])
def test_who_keeps_nothing_gets_no_panel(org, data, username):
    response = org.client(username).get(MY_PAGE)
    assert response.status_code == 200
    assert panel_of(response) is None
    assert 'data-testid="compliance-todo"' not in response.content.decode()


def test_nothing_due_no_panel(org):
    empty_register()
    source = make_source("quiet", "静かな法律")
    evaluate(org, make_obligation(source, "Q-1", org.sales), Result.COMPLIANT, 10)
    assert panel_of(org.client("manager").get(MY_PAGE)) is None


def test_an_evaluation_is_listed_exactly_when_due_within_30_days(org):
    empty_register()
    source = make_source("edge", "境界の法律")
    expected = set()
    for days_ago in range(328, 342):
        obligation = make_obligation(source, f"E-{days_ago}", org.sales)
        evaluate(org, obligation, Result.COMPLIANT, days_ago)
        if obligation.evaluation_due_on(days(-days_ago)) <= days(todo.EVALUATION_WARNING_DAYS):
            expected.add(obligation.code)
    assert 0 < len(expected) < 14
    panel = panel_of(org.client("manager").get(MY_PAGE))
    assert {o.code for o in panel["evaluations"]} == expected


def test_the_lists_are_bounded_with_a_link_to_the_rest(org, data):
    for n in range(todo.SHOWN + 1):
        make_obligation(data["S-NEVER"].source, f"S-MORE-{n}", org.sales)
        make_action(org, org.sales, f"追加 {n}", due_in=1)
    text = org.client("manager").get(MY_PAGE).content.decode()
    assert text.count('data-testid="evaluation-due"') == todo.SHOWN
    assert 'data-testid="evaluations-more"' in text and 'data-testid="actions-more"' in text
    assert 'data-testid="assessments-more"' not in text


def test_my_page_runs_a_constant_number_of_queries(org, data):
    manager, ciso = org.client("manager"), org.client("ciso")
    numbers = itertools.count()
    source = data["S-NEVER"].source

    def grow(n):
        made = []
        for _index in range(n):
            number = next(numbers)
            obligation = make_obligation(source, f"S-Q{number}", org.sales,
                                         interval_months=number % 4 + 3)
            if number % 3 == 1:
                evaluate(org, obligation, Result.PARTIAL, 200 + number)
            elif number % 3 == 2:
                not_compliant(org, obligation, 5)
            made.append(obligation)
            make_action(org, org.sales, f"増加 {number}", due_in=number % 10 - 3)
        amendment(source, f"改正 Q{next(numbers)}", 20, *made)

    for client in (manager, ciso):
        client.get(MY_PAGE)
    grow(5)
    small = [query_count(lambda c=c: c.get(MY_PAGE)) for c in (manager, ciso)]
    grow(45)
    assert Obligation.objects.count() > 50 and ImpactAssessment.objects.count() > 50
    assert RegulatoryAction.objects.count() > 50
    large = [query_count(lambda c=c: c.get(MY_PAGE)) for c in (manager, ciso)]
    assert large == small


# --- the detail panels ---------------------------------------------------------------------


def panel_on(response, template):
    found = [panel for name, panel in response.context["detail_panels"] if name == template]
    return found[0] if found else None


INCIDENT_PANEL = "compliance/_incident_panel.html"
OBLIGATIONS_PANEL = "compliance/_obligations_panel.html"


def test_an_incident_names_the_regulatory_actions_the_reader_may_see(org):
    incident = make_incident(org.sales, "誤送付", reported_by=org.people["staff"])
    sales = make_action(org, org.sales, "報告徴求", due_in=7)
    it = make_action(org, org.it, "立入検査", due_in=7)
    for action in (sales, it):
        action.incidents.add(incident)
    make_action(org, org.sales, "別件").incidents.add(make_incident(org.sales, "別の事象"))
    ciso = org.client("ciso").get(incident.get_absolute_url())
    assert [a.code for a in panel_on(ciso, INCIDENT_PANEL)["actions"]] == sorted(
        [sales.code, it.code], reverse=True)
    manager = org.client("manager").get(incident.get_absolute_url())
    assert [a.code for a in panel_on(manager, INCIDENT_PANEL)["actions"]] == [sales.code]
    text = manager.content.decode()
    # Once: the incident page draws the panels through core/detail.html, not again itself.
    assert text.count('data-testid="incident-regulatory-actions"') == 1
    assert sales.get_absolute_url() in text and it.get_absolute_url() not in text
    reporter = org.client("staff").get(incident.get_absolute_url())
    assert reporter.status_code == 200 and panel_on(reporter, INCIDENT_PANEL) is None
    assert b'data-testid="incident-regulatory-actions"' not in reporter.content


def test_an_incident_without_actions_has_no_panel(org):
    incident = make_incident(org.sales, "軽微な事象")
    make_action(org, org.it, "他部署の検査").incidents.add(incident)  # not the manager's
    assert panel_on(org.client("manager").get(incident.get_absolute_url()),
                    INCIDENT_PANEL) is None
    other = make_incident(org.sales, "何もない事象")
    assert panel_on(org.client("ciso").get(other.get_absolute_url()), INCIDENT_PANEL) is None


@pytest.fixture
def linked(org):
    empty_register()
    source = make_source("appi", "個人情報保護法")
    rule = BreachRule.objects.create(code="test-rule-2031", name_ja="試験用の報告規則",
                                     effective_from=datetime.date(2031, 1, 1))
    control = make_control(org.sales, "C-LINK")
    sales = make_obligation(source, "APPI-26", org.sales)
    it = make_obligation(source, "APPI-26-2", org.it)
    for obligation in (sales, it):
        obligation.breach_rules.add(rule)
        obligation.controls.add(control)
    return {"rule": rule, "control": control, "sales": sales, "it": it}


@pytest.mark.parametrize("target", ["rule", "control"])
def test_a_rule_or_control_names_the_obligations_the_reader_may_see(org, linked, target):
    url = linked[target].get_absolute_url()
    testid = {"rule": "obligations-breach-rules", "control": "obligations-controls"}[target]
    ciso = org.client("ciso").get(url)
    assert ciso.status_code == 200
    assert [o.code for o in panel_on(ciso, OBLIGATIONS_PANEL)["obligations"]] == [
        "APPI-26", "APPI-26-2"]
    manager = org.client("manager").get(url)
    assert [o.code for o in panel_on(manager, OBLIGATIONS_PANEL)["obligations"]] == ["APPI-26"]
    text = manager.content.decode()
    assert f'data-testid="{testid}"' in text
    assert linked["sales"].get_absolute_url() in text
    assert linked["it"].get_absolute_url() not in text
    staff = org.client("staff").get(url)  # reads the catalogue, not the register
    assert staff.status_code == 200 and panel_on(staff, OBLIGATIONS_PANEL) is None
    assert f'data-testid="{testid}"'.encode() not in staff.content


def test_a_rule_or_control_without_obligations_has_no_panel(org, linked):
    Obligation.breach_rules.through.objects.all().delete()
    Obligation.controls.through.objects.filter(obligation=linked["sales"]).delete()
    ciso = org.client("ciso")
    assert panel_on(ciso.get(linked["rule"].get_absolute_url()), OBLIGATIONS_PANEL) is None
    manager = org.client("manager")  # the IT obligation still meets it, out of their sight
    assert panel_on(manager.get(linked["control"].get_absolute_url()),
                    OBLIGATIONS_PANEL) is None
    assert panel_on(ciso.get(linked["control"].get_absolute_url()),
                    OBLIGATIONS_PANEL) is not None


def test_the_panels_run_a_constant_number_of_queries(org, linked):
    incident = make_incident(org.sales, "多数の行政対応")
    ciso = org.client("ciso")
    urls = (incident.get_absolute_url(), linked["rule"].get_absolute_url(),
            linked["control"].get_absolute_url())
    numbers = itertools.count()

    def grow(n):
        for _index in range(n):
            number = next(numbers)
            obligation = make_obligation(linked["sales"].source, f"G-{number}", org.sales)
            obligation.breach_rules.add(linked["rule"])
            obligation.controls.add(linked["control"])
            make_action(org, org.sales, f"対応 {number}").incidents.add(incident)

    grow(1)
    for url in urls:
        ciso.get(url)
    small = [query_count(lambda u=u: ciso.get(u)) for u in urls]
    grow(30)
    large = [query_count(lambda u=u: ciso.get(u)) for u in urls]
    assert large == small
