"""The compliance register report: the obligations grouped by source with their latest
evaluations, the summary, the amendments coming and the regulatory actions open, on the page,
as PDF and as XLSX, each within the reader's scope, in the reader's language and in a
constant number of queries."""

import datetime
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mamori.compliance import reports
from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    Result,
    SourceVersion,
)
from mamori.controls.tests.test_control_models import make_control
from mamori.core.dates import add_months
from mamori.core.io import sheet_title
from mamori.core.testing import query_count
from mamori.improvement.models import Nonconformity
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db

URL = reverse("compliance:report")


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def empty_register():
    """The register without any shipped source, so the counts are the test's own."""
    ImpactAssessment.objects.all().delete()
    Obligation.objects.all().delete()
    LegalSource.objects.all().delete()


def make_source(code, title_ja, title_en="", short_name="", baseline_days=-730):
    source = LegalSource.objects.create(code=code, kind="law", title_ja=title_ja,
                                        title_en=title_en, short_name=short_name)
    SourceVersion.objects.create(source=source, version="制定", effective_on=days(baseline_days))
    return source


def make_obligation(source, code, department, applicability="applicable", **fields):
    values = {"title_ja": f"義務 {code}", "title_en": f"Obligation {code}",
              "article": f"第{code.rsplit('-', 1)[-1]}条",
              "applicability_reason": "当社は対象事業者" if applicability != "undecided" else "",
              "interval_months": 12}
    return Obligation.objects.create(source=source, code=code, department=department,
                                     applicability=applicability, **{**values, **fields})


def evaluate(org, obligation, result, days_ago, evaluator="manager"):
    return Evaluation.objects.create(obligation=obligation, result=result,
                                     evaluated_on=days(-days_ago), evaluator=org.people[evaluator],
                                     evidence="記録を確認")


def make_action(org, department, title, due_in=None, status="open", **fields):
    values = {"kind": "report_request", "regulator": "関東財務局",
              "description": "報告を求める", "received_on": days(-20)}
    if status != "open":
        values["responded_on"] = days(-5)
    return RegulatoryAction.objects.create(
        department=department, title=title, status=status,
        response_due_on=days(due_in) if due_in is not None else None, **{**values, **fields})


@pytest.fixture
def data(org):
    """APPI (sales and IT) and the Installment Sales Act (IT):
    APPI-20 sales, compliant 100 days ago, a control mapped: due in 265 days;
    APPI-23 sales, not compliant 400 days ago, its nonconformity closed: overdue and without
      action;
    APPI-27 sales, not compliant 30 days ago, accepted by the CISO until in 60 days;
    APPI-99 IT, does not apply;
    KAPPU-35 IT, applies, never evaluated; KAPPU-40 IT, compliant long ago, partial lately.
    An APPI amendment in force in 30 days (one assessment done), a KAPPU one in force 10 days
    ago with its assessments open. Open actions: sales (due in 7 days, on APPI-20 and a sales
    incident), IT (overdue); a closed one."""
    empty_register()
    appi = make_source("appi", "個人情報の保護に関する法律", "Act on the Protection of Personal "
                       "Information", short_name="個人情報保護法")
    kappu = make_source("kappu", "割賦販売法", "Installment Sales Act")
    o20 = make_obligation(appi, "APPI-20", org.sales)
    o20.controls.add(make_control(org.sales, "C-1"), make_control(org.it, "C-2"))
    evaluate(org, o20, Result.COMPLIANT, 100)
    o23 = make_obligation(appi, "APPI-23", org.sales, interval_months=6)
    Nonconformity.objects.filter(pk__in=evaluate(
        org, o23, Result.NOT_COMPLIANT, 400).nonconformities()).update(
        status=Nonconformity.Status.CLOSED)
    o27 = make_obligation(appi, "APPI-27", org.sales_east)
    evaluate(org, o27, Result.NOT_COMPLIANT, 30).nonconformities().update(
        status=Nonconformity.Status.CLOSED)
    ComplianceException.objects.create(obligation=o27, reason="システム更改まで",
                                       accepted_on=days(-20), expires_on=days(60))
    make_obligation(appi, "APPI-99", org.it, applicability="not_applicable")
    make_obligation(kappu, "KAPPU-35", org.it)
    o40 = make_obligation(kappu, "KAPPU-40", org.it)
    evaluate(org, o40, Result.COMPLIANT, 700, evaluator="ciso")
    evaluate(org, o40, Result.PARTIAL, 10, evaluator="ciso")
    appi_2 = SourceVersion.objects.create(source=appi, version="令和8年改正",
                                          effective_on=days(30), summary_ja="漏えい報告の見直し",
                                          summary_en="Breach reporting revised")
    done = appi_2.impact_assessments.get(obligation=o20)
    done.status, done.assessment = ImpactAssessment.Status.NO_CHANGE, "影響なし"
    done.save()
    kappu_2 = SourceVersion.objects.create(source=kappu, version="令和7年改正",
                                           effective_on=days(-10))
    incident = make_incident(org.sales, "顧客情報の誤送付")
    sales_action = make_action(org, org.sales, "報告徴求（誤送付）", due_in=7)
    sales_action.obligations.add(o20)
    sales_action.incidents.add(incident)
    it_action = make_action(org, org.it, "立入検査", due_in=-3, kind="inspection")
    make_action(org, org.sales, "終了した指導", status="closed")
    return {"appi": appi, "kappu": kappu, "appi_2": appi_2, "kappu_2": kappu_2,
            "sales_action": sales_action, "it_action": it_action, "incident": incident}


def rows_by_code(report):
    return {row.obligation.code: row for group in report.groups for row in group.rows}


def test_the_ciso_sees_the_whole_register(org, data):
    response = org.client("ciso").get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert [(group.source.code, [row.obligation.code for row in group.rows])
            for group in report.groups] == [
        ("appi", ["APPI-20", "APPI-23", "APPI-27", "APPI-99"]),
        ("kappu", ["KAPPU-35", "KAPPU-40"])]
    rows = rows_by_code(report)
    o20 = rows["APPI-20"]
    assert (o20.result, o20.evaluated_on, o20.due_on) == (
        "compliant", days(-100), add_months(days(-100), 12))
    assert not o20.overdue and o20.obligation.control_count == 2
    o23 = rows["APPI-23"]
    assert o23.due_on == add_months(days(-400), 6) and o23.overdue and o23.without_action
    o27 = rows["APPI-27"]
    assert o27.result == "not_compliant" and not o27.without_action  # accepted by the CISO
    assert (o27.obligation.exception_count, o27.obligation.excepted_until) == (1, days(60))
    assert rows["APPI-99"].due_on is None and not rows["APPI-99"].never_evaluated
    assert rows["KAPPU-35"].never_evaluated and not rows["KAPPU-35"].overdue
    assert rows["KAPPU-40"].result == "partial"  # the latest, not the first
    total = report.total
    assert (total.obligations, total.applicable, total.not_evaluated, total.overdue,
            total.without_action) == (6, 5, 1, 1, 1)
    assert total.counts() == [1, 1, 2, 0]  # compliant, partial, not compliant, n/a
    assert [tally.label for tally in report.summary] == [
        "個人情報保護法", "割賦販売法", _("All sources")]
    assert [(row.version.version, row.to_assess, row.version.no_change_count, row.late)
            for row in report.amendments] == [
        ("令和7年改正", 2, 0, True), ("令和8年改正", 2, 1, False)]
    assert [action.code for action in report.actions] == [
        data["it_action"].code, data["sales_action"].code]  # the earliest due first
    # The page lists those needing attention, the most urgent first; the files hold them all.
    assert [row.obligation.code for row in report.attention] == ["APPI-23", "KAPPU-35"]
    assert report.attention_count == 2
    text = response.content.decode()
    assert 'data-testid="overdue-APPI-23"' in text
    assert 'data-testid="without-action-APPI-23"' in text
    assert 'data-testid="never-KAPPU-35"' in text
    for handled in ("APPI-20", "APPI-27", "APPI-99", "KAPPU-40"):
        assert f'data-testid="obligation-{handled}"' not in text
    assert 'data-testid="attention-hidden"' not in text
    assert f'data-testid="late-{data["kappu_2"].pk}"' in text
    assert f'data-testid="action-overdue-{data["it_action"].code}"' in text
    assert f'data-testid="action-overdue-{data["sales_action"].code}"' not in text
    assert "終了した指導" not in text
    assert data["incident"].code in text


def test_the_manager_sees_only_their_departments(org, data):
    response = org.client("manager").get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert list(rows_by_code(report)) == ["APPI-20", "APPI-23", "APPI-27"]  # with sales east
    assert [group.source.code for group in report.groups] == ["appi"]
    assert (report.total.obligations, report.total.overdue) == (3, 1)
    # The amendments are the catalogue's, the assessments counted only the manager's.
    assert [(row.version.version, row.to_assess) for row in report.amendments] == [
        ("令和7年改正", 0), ("令和8年改正", 2)]
    assert [action.code for action in report.actions] == [data["sales_action"].code]
    text = response.content.decode()
    for other in ("KAPPU-35", "KAPPU-40", "APPI-99", data["it_action"].code, "立入検査"):
        assert other not in text
    book = xlsx(org.client("manager").get(URL + "?format=xlsx"))
    cells = str([list(sheet.values) for sheet in book.worksheets])
    for other in ("KAPPU-35", "APPI-99", data["it_action"].code):
        assert other not in cells


def test_the_auditor_reads_the_whole_register(org, data):
    response = org.client("auditor").get(URL)
    assert response.status_code == 200
    assert response.context["report"].total.obligations == 6
    assert len(response.context["report"].actions) == 2


@pytest.mark.parametrize("username", ["staff", "it_staff"])
def test_staff_without_a_scope_are_refused(org, data, username):
    client = org.client(username)
    for fmt in ("", "?format=pdf", "?format=xlsx"):
        assert client.get(URL + fmt).status_code == 403


def test_the_report_is_in_the_menu(org):
    assert URL in org.client("manager").get(reverse("core:my_page")).content.decode()


def test_the_page_lists_the_most_urgent_and_counts_the_rest(org, data, monkeypatch):
    """Not compliant without action first, then never evaluated, then the longest overdue."""
    o28 = make_obligation(data["appi"], "APPI-28", org.sales, interval_months=1)
    evaluate(org, o28, Result.COMPLIANT, 900)  # overdue longer than APPI-23
    monkeypatch.setattr(reports, "ATTENTION_SHOWN", 2)
    response = org.client("ciso").get(URL)
    report = response.context["report"]
    assert [row.obligation.code for row in report.attention] == ["APPI-23", "KAPPU-35"]
    assert report.attention_count == 3
    text = response.content.decode()
    assert 'data-testid="obligation-APPI-28"' not in text
    with translation.override("ja"):
        more = ngettext("And %(counter)s more obligation needing attention: see the XLSX or "
                        "PDF.", "And %(counter)s more obligations needing attention: see the "
                        "XLSX or PDF.", 1) % {"counter": 1}
    assert 'data-testid="attention-hidden"' in text and more in text
    monkeypatch.setattr(reports, "ATTENTION_SHOWN", 3)
    report = org.client("ciso").get(URL).context["report"]
    assert [row.obligation.code for row in report.attention] == [
        "APPI-23", "KAPPU-35", "APPI-28"]


def test_the_page_in_english(org, data):
    response = org.client("ciso").get(URL, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "Compliance register report" in text and "Obligations needing attention" in text
    assert "Obligation APPI-23" in text and "義務 APPI-23" not in text
    assert "never evaluated" in text and "Breach reporting revised" in text
    # An English page names the source by its English title (its short name is Japanese).
    assert response.context["report"].summary[0].label == (
        "Act on the Protection of Personal Information")


def xlsx(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="compliance-report-' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def test_the_report_as_xlsx(org, data):
    book = xlsx(org.client("ciso").get(URL + "?format=xlsx"))
    with translation.override("ja"):
        titles = [sheet_title(_(t)) for t in ("Obligations", "Evaluations summary",
                                              "Amendments", "Regulatory actions")]
        headers = (reports.obligation_headers(), reports.summary_headers(),
                   reports.amendment_headers(), reports.action_headers())
        yes, no, never = _("yes"), _("no"), _("never evaluated")
        compliant, partial = str(Result.COMPLIANT.label), str(Result.PARTIAL.label)
    assert book.sheetnames == titles
    obligations, summary, amendments, actions = (
        list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert [list(rows[0]) for rows in (obligations, summary, amendments, actions)] == [
        list(h) for h in headers]
    by_code = {row[2]: row for row in obligations[1:7]}
    assert list(by_code) == ["APPI-20", "APPI-23", "APPI-27", "APPI-99", "KAPPU-35",
                             "KAPPU-40"]
    o20 = by_code["APPI-20"]
    assert o20[:5] == ("appi", "個人情報保護法", "APPI-20", "第20条", "義務 APPI-20")  # Japanese
    assert o20[8:10] == (12, compliant)
    assert o20[10].date() == days(-100)  # dates, not text
    assert o20[11].date() == add_months(days(-100), 12)
    assert o20[12:] == (no, 2, 0, None, no)
    assert by_code["APPI-23"][12] == yes and by_code["APPI-23"][16] == yes
    assert by_code["APPI-27"][14:16] == (1, datetime.datetime.combine(days(60),
                                                                      datetime.time()))
    assert by_code["KAPPU-35"][11:13] == (never, yes)
    assert by_code["KAPPU-40"][9] == partial
    assert obligations[8][0] == _("generated")
    assert [row[0] for row in summary[1:]] == ["個人情報保護法", "割賦販売法", _("All sources")]
    assert summary[-1][1:] == (6, 5, 1, 1, 2, 0, 1, 1, 1)
    assert [(row[2], row[5], row[6], row[8]) for row in amendments[1:]] == [
        ("令和7年改正", 2, 0, yes), ("令和8年改正", 2, 1, no)]
    assert [(row[0], row[8], row[9], row[10]) for row in actions[1:]] == [
        (data["it_action"].code, yes, None, None),
        (data["sales_action"].code, no, "APPI-20", data["incident"].code)]


def test_the_xlsx_in_english(org, data):
    book = xlsx(org.client("ciso").get(URL + "?format=xlsx", HTTP_ACCEPT_LANGUAGE="en"))
    assert book.sheetnames == ["Obligations", "Evaluations summary", "Amendments",
                               "Regulatory actions"]
    obligations = list(book.worksheets[0].iter_rows(values_only=True))
    assert obligations[0][:3] == ("legal source (code)", "legal source", "code")
    assert obligations[1][4] == "Obligation APPI-20"
    assert obligations[1][9] == "Compliant"


@pytest.mark.slow  # WeasyPrint lays out the page with the CJK font: a few seconds
def test_the_report_as_pdf(org, data):
    from pypdf import PdfReader

    response = org.client("ciso").get(URL + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="compliance-report-' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("APPI-23", "KAPPU-35", "義務 APPI-20", "個人情報保護法", "令和8年改正",
                     "立入検査"):
        assert expected in text
    fonts = {str(font.get("/BaseFont", "")) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()
             for font in [font.get_object()]}
    assert any("CJK" in name for name in fonts), fonts  # the Japanese font is embedded


def test_the_report_runs_a_constant_number_of_queries(org, data):
    manager, ciso = org.client("manager"), org.client("ciso")
    numbers = itertools.count(100)
    controls = [make_control(org.sales, f"C-Q{n}") for n in range(3)]

    def grow(n):
        for _index in range(n):
            number = next(numbers)
            obligation = make_obligation(data["appi"], f"APPI-{number}", org.sales,
                                         interval_months=number % 3 + 6)
            obligation.controls.add(*controls[:number % 3 + 1])
            result = [Result.COMPLIANT, Result.NOT_COMPLIANT, Result.PARTIAL][number % 3]
            evaluate(org, obligation, result, number % 500)
            if number % 2:
                ComplianceException.objects.create(obligation=obligation, reason="当面",
                                                   accepted_on=days(-1), expires_on=days(90))
            action = make_action(org, org.sales, f"指導 {number}", due_in=number % 20)
            action.obligations.add(obligation)
            action.incidents.add(data["incident"])
        SourceVersion.objects.create(source=data["appi"], version=f"改正 {next(numbers)}",
                                     effective_on=days(next(numbers) % 60))

    for client in (manager, ciso):  # caches warmed: content types, sessions
        client.get(URL)
        client.get(URL + "?format=xlsx")
    grow(5)
    small = [query_count(lambda c=c, f=f: c.get(URL + f)) for c in (manager, ciso)
             for f in ("", "?format=xlsx")]
    grow(45)
    assert Obligation.objects.count() > 50
    large = [query_count(lambda c=c, f=f: c.get(URL + f)) for c in (manager, ciso)
             for f in ("", "?format=xlsx")]
    assert large == small


def test_the_due_bound_inverts_the_due_date_exactly():
    """last_evaluated_bound(limit, m) is the latest day whose evaluation falls due by `limit`,
    month ends and leap years included."""
    start = datetime.date(2023, 12, 1)
    for months in (1, 6, 12, 13):
        for offset in range(0, 800, 1):
            limit = start + datetime.timedelta(days=offset)
            bound = reports.last_evaluated_bound(limit, months)
            assert add_months(bound, months) <= limit, (limit, months)
            assert add_months(bound + datetime.timedelta(days=1), months) > limit, (
                limit, months)

