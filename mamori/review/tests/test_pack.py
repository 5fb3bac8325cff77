"""The review pack (review.pack, review.packreport): the inputs of a management review as
they stood when frozen, section by section against records made here; a pack no later change
alters, that is never updated or deleted; its PDF and XLSX in Japanese and English, read from
the pack only; and a number of queries that does not grow with the records."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from mamori.assets.tests.test_asset_models import make_asset
from mamori.audits.models import Audit, ChecklistItem
from mamori.compliance.tests.helpers import make_source, make_version
from mamori.core.io import SHEET_TITLE_LENGTH, sheet_title
from mamori.core.models import ConformanceSnapshot
from mamori.core.testing import query_count
from mamori.improvement.models import CorrectiveAction, ImprovementAction, Nonconformity
from mamori.incidents.models import BreachAssessment, RegulatoryReport
from mamori.incidents.tests.factories import make_incident
from mamori.org.models import Appointment, Department
from mamori.review import pack, packreport
from mamori.review.models import Measure, Measurement, ReviewPack
from mamori.review.models.measures import period_start
from mamori.review.tests.helpers import (
    days,
    make_decision,
    make_measure,
    make_objective,
    make_review,
)
from mamori.risks.models import Risk, Threat

pytestmark = pytest.mark.django_db

START = -180  # the period reviewed starts this many days ago


def month(offset: int) -> datetime.date:
    """The first day of the month `offset` months from this one."""
    from mamori.core.dates import add_months

    return add_months(period_start(timezone.localdate(), "monthly"), offset)


def done(action, on):
    action.status, action.completed_on = ImprovementAction.Status.DONE, on
    action.outcome = "実施した"
    action.save()


def previous_reviews(org):
    """One review before the period (two decisions: one still open and overdue, one done
    in the period; a third done before the period is not followed up again) and one in the
    period (its decision done)."""
    before = make_review(org, title="前々回", held_on=days(START - 20),
                         period_start=days(START - 400))
    overdue = make_decision(org, before, decision="教育を強化する\n詳細", due_on=days(-10))
    done(make_decision(org, before, decision="手順を改める", due_on=days(-5)).action,
         days(-20))
    done(make_decision(org, before, decision="済んだこと", due_on=days(START - 10)).action,
         days(START - 15))
    during = make_review(org, title="臨時", held_on=days(-100))
    done(make_decision(org, during, decision="臨時の決定", owner="ciso",
                       department=org.it, due_on=days(-60)).action, days(-70))
    return overdue


def world(org):
    """Records of every kind the pack reads, some inside the period and some outside."""
    previous_reviews(org)
    # Legal amendments: a baseline (no older version) is not one; two amendments are.
    law = make_source("appi", title_ja="個人情報保護法", title_en="APPI")
    make_version(law, "制定", days(-3000))
    make_version(law, "令和7年改正", days(-30), summary_ja="漏えい報告", summary_en="Breaches")
    make_version(law, "令和9年改正", days(60))
    # Assets: three with personal data (two in Sales), one without.
    make_asset(org.sales, "A-1", has_personal_info=True, data_subjects=1200)
    make_asset(org.sales, "A-2", has_personal_info=True, has_sensitive_personal_info=True)
    make_asset(org.it, "A-3", has_personal_info=True)
    make_asset(org.it, "A-4")
    # Organisation: a department created and closed; an information manager appointed.
    closed = Department.objects.create(code="D300", name_ja="旧部", name_en="Old",
                                       parent=org.company)
    closed.is_active = False
    closed.save()
    Appointment.objects.create(person=org.people["it_staff"], department=org.it,
                               role=Appointment.Role.INFORMATION_MANAGER,
                               start_date=days(-10))
    # A measure: monthly values for the company; one from before the period, one for a
    # department and a category, which are not the company's line.
    measure = make_measure(code="mx-phish", target=Decimal(90), by_department=True)
    for offset, value in ((-9, "70"), (-3, "85"), (-2, "88.5"), (-1, "92")):
        Measurement.objects.create(measure=measure, period=month(offset), value=value)
    Measurement.objects.create(measure=measure, period=month(-1), value=10,
                               department=org.sales)
    Measurement.objects.create(measure=measure, period=month(-1), value=40, category="high")
    make_measure(code="mx-off", active=False)
    # Conformance per article as measured: Art 5 last month 75 % (a department's value and
    # the whole's are not the article's line).
    per_article = Measure.objects.get(builtin="conformance_by_article")
    for category, department, value in (("5", None, 75), ("", None, 80), ("5", org.sales, 10)):
        Measurement.objects.create(measure=per_article, period=month(-1), category=category,
                                   department=department, value=value, computed=True)
    # Nonconformities: two major and one minor in the period, one long before.
    nc = Nonconformity.objects.create(title="鍵の管理", severity="major", department=org.sales,
                                      raised_on=days(-40))
    Nonconformity.objects.create(title="記録漏れ", severity="major", department=org.it,
                                 raised_on=days(-30))
    Nonconformity.objects.create(title="掲示", severity="minor", department=org.it,
                                 raised_on=days(-20))
    Nonconformity.objects.create(title="昔", severity="minor", department=org.it,
                                 raised_on=days(START - 100))
    CorrectiveAction.objects.create(nonconformity=nc, title="鍵を替える",
                                    owner=org.people["manager"], due_on=days(-5))
    CorrectiveAction.objects.create(nonconformity=nc, title="台帳", due_on=days(-5),
                                    owner=org.people["manager"], done_on=days(-6))
    # Audits: one closed in the period with findings, one still planned.
    audit = Audit.objects.create(title="内部監査", planned_start=days(-60),
                                 planned_end=days(-50), status=Audit.Status.CLOSED,
                                 closed_on=days(-45))
    for n, result in enumerate(("major", "minor", "minor", "observation", "conforming")):
        ChecklistItem.objects.create(audit=audit, reference=f"X-{n}", title="確認",
                                     result=result)
    Audit.objects.create(title="計画中", planned_start=days(30), planned_end=days(40))
    # Incidents: one high with a reportable breach, two low, one before the period.
    high = make_incident(org.sales, "誤送信", severity="high",
                         noticed_at=timezone.now() - datetime.timedelta(days=10))
    BreachAssessment.objects.create(incident=high, personal_data=True, sensitive=True)
    for title in ("紛失", "遅延"):
        make_incident(org.it, title, severity="low",
                      noticed_at=timezone.now() - datetime.timedelta(days=5))
    make_incident(org.it, "昔の件", severity="critical",
                  noticed_at=timezone.now() - datetime.timedelta(days=-START + 30))
    # Objectives: one late, one achieved in the period, one achieved before it, one to come.
    make_objective(org, title="遅れ", target_on=days(-5), status="in_progress")
    make_objective(org, title="達成", target_on=days(-10), status="achieved",
                   achieved_on=days(-20)).measures.add(measure)
    make_objective(org, title="昔の達成", target_on=days(START - 50), status="achieved",
                   achieved_on=days(START - 60))
    make_objective(org, title="これから", target_on=days(100))
    # Risks (3 x 3, appetite 3): one open above the appetite untreated, one low, one closed.
    threat = Threat.objects.order_by("pk").first()
    Risk.objects.create(code="R-1", title_ja="漏えい", title_en="Leak", threat=threat,
                        department=org.sales, likelihood=3, impact=3)
    Risk.objects.create(code="R-2", title_ja="停止", threat=threat, department=org.it,
                        likelihood=1, impact=1)
    Risk.objects.create(code="R-3", title_ja="終了", threat=threat, department=org.it,
                        likelihood=3, impact=3, status=Risk.Status.CLOSED)
    # An improvement action raised in the period, open and overdue.
    ImprovementAction.objects.create(title="掲示物の更新", department=org.it,
                                     raised_on=days(-15), due_on=days(-1))
    return high


@pytest.fixture
def review(org):
    return make_review(org, held_on=days(7), period_start=days(START),
                       feedback="顧客からの要望", opportunities="自動化")


def test_each_section_counts_what_the_period_holds(org, review):
    high = world(org)
    data = pack.build(review)
    json.dumps(data)  # plain JSON
    assert data["review"]["period"] == {"start": days(START).isoformat(),
                                        "end": days(0).isoformat()}
    assert data["review"]["attendees"] == ["テスト manager"]

    previous = data["previous_actions"]
    assert {k: previous[k] for k in ("total", "open", "done", "overdue")} == {
        "total": 3, "open": 1, "done": 2, "overdue": 1}
    first = previous["rows"][0]  # overdue first
    assert first["decision"] == "教育を強化する" and first["overdue"]
    assert first["owner"] == "テスト manager" and first["department"]["en"] == "Sales"
    assert first["action"].startswith("IA-") and first["status"] == "open"

    changes = data["changes"]
    assert [r["version"] for r in changes["amendments"]["rows"]] == ["令和7年改正",
                                                                     "令和9年改正"]
    assert changes["amendments"]["rows"][0]["summary"] == {"ja": "漏えい報告",
                                                           "en": "Breaches"}
    assets = changes["personal_data_assets"]
    assert assets["total"] == 3
    assert [(r["department"]["code"], r["count"]) for r in assets["by_department"]] == [
        ("D100", 2), ("D200", 1)]
    assert assets["rows"][1]["sensitive"] and assets["rows"][0]["data_subjects"] == 1200
    org_changes = changes["organisation"]
    # The conftest organisation's four departments were created in this test too.
    assert org_changes["departments_created"]["total"] == 5
    assert [r["code"] for r in org_changes["departments_closed"]["rows"]] == ["D300"]
    assert [(r["role"], r["person"], r["started"]) for r in
            org_changes["appointments"]["rows"]] == [("information_manager",
                                                      "テスト it_staff", True)]

    perf = data["performance"]
    (row,) = [r for r in perf["measures"]["rows"] if r["code"] == "mx-phish"]
    assert row["latest"] == {"period": month(-1).isoformat(), "value": "92"}
    assert row["meets"] is True and row["target"] == "90" and row["unit"] == "percent"
    assert row["series"] == [[month(-3).isoformat(), "85"], [month(-2).isoformat(), "88.5"],
                             [month(-1).isoformat(), "92"]]
    assert row["categories"] == {"high": [[month(-1).isoformat(), "40"]]}
    assert "mx-off" not in {r["code"] for r in perf["measures"]["rows"]}

    conformance = {a["article"]: a for a in perf["conformance"]["articles"]}
    assert conformance["5"]["months"] == {f"{month(-1):%Y-%m}": "75"}
    assert set(conformance) >= {str(n) for n in range(1, 13)}
    check = perf["conformance"]["checks"][0]
    assert check["title"]["ja"] and check["title"]["en"] and check["title"]["ja"] != \
        check["title"]["en"]

    nc = perf["nonconformities"]
    assert nc["raised"] == 3
    assert {(r["severity"], r["status"]): r["count"] for r in nc["by_severity_status"]} == {
        ("major", "open"): 2, ("minor", "open"): 1}
    assert nc["corrective_actions_overdue"]["total"] == 1
    assert nc["corrective_actions_overdue"]["rows"][0]["title"] == "鍵を替える"

    audits = perf["audits"]
    assert audits["total"] == 1
    assert audits["rows"][0]["findings"] == {"major": 1, "minor": 2, "observation": 1,
                                             "conforming": 1}

    incidents = perf["incidents"]
    assert incidents["total"] == 3 and incidents["by_severity"] == {"high": 1, "low": 2}
    assert incidents["reportable_breaches"] == 1
    assert [r["code"] for r in incidents["rows"]] == [high.code]
    assert incidents["rows"][0]["breach"] is True
    reports = RegulatoryReport.objects.filter(incident=high)
    assert incidents["reports"]["total"] == reports.count()

    objectives = perf["objectives"]
    assert objectives["total"] == 3 and objectives["late"] == 1
    assert [(r["title"], r["late"]) for r in objectives["rows"]] == [
        ("達成", False), ("遅れ", True), ("これから", False)]  # by target date
    assert objectives["rows"][0]["measures"] == ["mx-phish"]

    risks = data["risks"]
    assert risks["open"] == 2 and risks["above_appetite"] == 1 and risks["appetite"] == 3
    assert sum(level["count"] for level in risks["by_level"]) == 2
    assert [r["code"] for r in risks["untreated"]["rows"]] == ["R-1"]
    assert risks["untreated"]["rows"][0]["title"] == {"ja": "漏えい", "en": "Leak"}

    assert data["feedback"] == {"text": "顧客からの要望"}
    opportunities = data["opportunities"]
    assert opportunities["text"] == "自動化"
    # The action raised 15 days ago, and the one the review held 100 days ago raised.
    actions = opportunities["actions"]
    assert (actions["total"], actions["open"], actions["done"], actions["overdue"]) == (
        2, 1, 1, 1)
    assert actions["rows"][0]["title"] == "掲示物の更新" and actions["rows"][0]["overdue"]


# --- a frozen pack does not change ------------------------------------------------------------

def request_as(org, username="ciso", language="en"):
    request = RequestFactory().get("/")
    request.user, request.LANGUAGE_CODE = org.users[username], language
    return request


def pdf_text(response) -> str:
    from pypdf import PdfReader

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(response.content)).pages)


def workbook(response) -> dict:
    """{sheet name: rows of values} of an XLSX response."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def freeze(org, review) -> ReviewPack:
    from mamori.review import workflow

    return workflow.freeze(org.users["ciso"], review)


def test_a_frozen_pack_stays_as_it_was_when_its_sources_change(org, review):
    high = world(org)
    frozen = freeze(org, review)
    stored = ReviewPack.objects.get(pk=frozen.pk).data
    files = {language: (pdf_text(packreport.pdf_response(request_as(org, "ciso", language),
                                                         review)),
                        workbook(packreport.xlsx_response(request_as(org, "ciso", language),
                                                          review)))
             for language in ("ja", "en")}
    # The sources change: a value corrected, a nonconformity made minor and one raised, an
    # incident made critical and one more reported.
    value = Measurement.objects.get(measure__code="mx-phish", period=month(-1),
                                    department=None, category="")
    value.value = Decimal(50)
    value.save()
    nc = Nonconformity.objects.get(title="鍵の管理")
    nc.severity = "minor"
    nc.save()
    Nonconformity.objects.create(title="新規", severity="major", department=org.it,
                                 raised_on=days(-1))
    high.severity = "critical"
    high.save()
    make_incident(org.it, "追加", severity="critical")

    again = ReviewPack.objects.get(pk=frozen.pk)
    assert again.data == stored and again.intact
    assert again.sha256 == frozen.sha256
    for language, (text, book) in files.items():
        request = request_as(org, "ciso", language)
        assert pdf_text(packreport.pdf_response(request, review)) == text
        assert workbook(packreport.xlsx_response(request, review)) == book
    # What the pack would say if built now is different: it is the records that moved.
    now = pack.build(review)
    assert now["performance"]["nonconformities"]["raised"] == 4
    (measure,) = [r for r in now["performance"]["measures"]["rows"]
                  if r["code"] == "mx-phish"]
    assert measure["latest"]["value"] == "50" and measure["meets"] is False


def test_a_pack_is_written_once_and_never_changed_or_deleted(org, review):
    frozen = freeze(org, review)
    frozen.data = {**frozen.data, "feedback": {"text": "書き換え"}}
    with pytest.raises(ValidationError):
        frozen.save()
    with pytest.raises(ValidationError):
        ReviewPack.objects.filter(pk=frozen.pk).update(data={})
    with pytest.raises(ValidationError):
        ReviewPack.objects.filter(pk=frozen.pk).delete()
    with pytest.raises(ValidationError):
        frozen.delete()
    stored = ReviewPack.objects.get(pk=frozen.pk)
    assert stored.data["feedback"] == {"text": "顧客からの要望"} and stored.intact


# --- the PDF and the workbook ---------------------------------------------------------------

def test_the_pdf_reads_in_the_readers_language_summary_first(org, review):
    from pypdf import PdfReader

    world(org)
    freeze(org, review)
    english = pdf_text(packreport.pdf_response(request_as(org, language="en"), review))
    japanese = pdf_text(packreport.pdf_response(request_as(org, language="ja"), review))
    # The summary comes before the sections; names in the reader's language.
    assert english.index("Summary") < english.index("Actions from previous reviews")
    assert "Sales" in english and "Leak" in english and "Breaches" in english
    assert "営業部" in japanese and "漏えい報告" in japanese and "インシデント" in japanese
    for text in (english, japanese):
        text = text.replace("\n", "")  # a narrow column wraps its text
        assert review.code in text and "教育を強化する" in text and "顧客からの要望" in text
        assert "mx-phish" in text
    reader = PdfReader(io.BytesIO(packreport.pdf_response(request_as(org, language="ja"),
                                                          review).content))
    fonts = {str(font.get_object().get("/BaseFont", "")) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("CJK" in name for name in fonts), fonts  # the Japanese font is embedded


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_sheet_is_named_in_full(org, review, language):
    """Excel cuts a sheet's name at 31 characters: a table with a longer title has a
    shorter name for its sheet, in both languages."""
    freeze(org, review)
    with translation.override(language):
        context = packreport.page_context(review.pack)["pack_report"]
        names = [str(table.sheet or table.title) for section in context["sections"]
                 for table in section.tables]
    assert names and all(len(name) <= SHEET_TITLE_LENGTH for name in names), [
        name for name in names if len(name) > SHEET_TITLE_LENGTH]


def test_the_workbook_has_a_sheet_per_table(org, review):
    world(org)
    freeze(org, review)
    with translation.override("en"):
        sheets = workbook(packreport.xlsx_response(request_as(org, language="en"), review))
    assert next(iter(sheets)) == "Summary"
    for title in ("Actions from previous reviews", "Legal amendments", "Measures",
                  "Conformance per article", "Checks failing", "Nonconformities raised",
                  "Audits closed", "Incidents by severity", "Serious incidents",
                  "Security objectives", "Open risks by level", "Improvement actions raised",
                  "Feedback from interested parties", "Opportunities for improvement"):
        assert sheet_title(title) in sheets, title
    summary = {row[1]: row[2] for row in sheets["Summary"][1:] if row[1]}
    assert summary["actions overdue"] == 1 and summary["legal amendments"] == 2
    assert summary["above the appetite, untreated"] == 1
    (measure,) = [row for row in sheets["Measures"] if row[0] == "mx-phish"]
    assert measure[4] == 92 and measure[6] == "met"
    head, *rows = sheets["Measure values per month"]
    (values,) = [row for row in rows if row[0] == "mx-phish"]
    assert dict(zip(head, values, strict=True))[f"{month(-2):%Y-%m}"] == 88.5
    assert sheets["Conformance by month (%)"][5][-2] == 75
    assert sheets[sheet_title("Feedback from interested parties")][1] == ["顧客からの要望"]


def test_without_a_frozen_pack_there_is_no_file(org, review):
    for respond in (packreport.pdf_response, packreport.xlsx_response):
        with pytest.raises(Http404):
            respond(request_as(org), review)
    freeze(org, review)
    with pytest.raises(Http404):  # a member of staff who does not attend reads no pack
        packreport.pdf_response(request_as(org, "it_staff"), review)


def test_the_page_context_reads_the_pack_only(org, review):
    world(org)
    frozen = freeze(org, review)
    with translation.override("en"):
        context = packreport.page_context(frozen)["pack_report"]
        keys = [section.key for section in context["sections"]]
        assert keys == ["previous", "changes", "measures", "conformance", "findings",
                        "incidents", "objectives", "feedback", "risks", "opportunities"]
        conformance = context["sections"][3]
        assert conformance.heat["rows"][4]["label"].startswith("Article 5")
        measures = context["sections"][2].measures
        (trend,) = [m for m in measures if m["code"] == "mx-phish"]
        # Every month of the period is on the line; months without a value are gaps.
        assert len(trend["series"]) == len(context["review"]["months"])
        assert trend["chart"]["paths"][0]["d"].count("M") == 1
        assert trend["spark"]["meets"] is True


def test_the_review_page_shows_the_pack_under_the_strict_policy(org, review):
    world(org)
    freeze(org, review)
    client = org.client("ciso")
    response = client.get(reverse("review:managementreview_detail", args=[review.pk]),
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="review-pack"' in html and 'data-testid="heat-map"' in html
    assert 'data-testid="pack-trend-mx-phish"' in html
    assert "style=" not in html.split('data-testid="review-pack"', 1)[1]
    assert "style-src 'self'" in response["Content-Security-Policy"]
    for name, kind in (("managementreview_pack_pdf", "application/pdf"),
                       ("managementreview_pack_xlsx", "spreadsheetml")):
        file = client.get(reverse(f"review:{name}", args=[review.pk]))
        assert file.status_code == 200 and kind in file["Content-Type"]


# --- bounded -----------------------------------------------------------------------------------

def grow(org, n: int, tag: str):
    """`n` more records of each kind the pack reads."""
    previous = make_review(org, title=f"前回 {tag}", held_on=days(-50))
    law = make_source(f"law-{tag}")
    make_version(law, "制定", days(-3000))
    threat = Threat.objects.order_by("pk").first()
    for i in range(n):
        key = f"{tag}{i}"
        make_decision(org, previous, decision=f"決定 {key}", due_on=days(-1))
        make_version(law, f"改正 {key}", days(-i - 1))
        make_asset(org.sales, f"A-{key}", has_personal_info=True)
        Department.objects.create(code=f"D-{key}", name_ja=f"部 {key}", parent=org.company)
        measure = make_measure(code=f"m-{key}", target=Decimal(1))
        Measurement.objects.create(measure=measure, period=month(-1), value=i)
        nc = Nonconformity.objects.create(title=f"不適合 {key}", severity="major",
                                          department=org.it, raised_on=days(-3))
        CorrectiveAction.objects.create(nonconformity=nc, title="処置", due_on=days(-1),
                                        owner=org.people["manager"])
        audit = Audit.objects.create(title=f"監査 {key}", planned_start=days(-9),
                                     planned_end=days(-8), status=Audit.Status.CLOSED,
                                     closed_on=days(-2))
        ChecklistItem.objects.create(audit=audit, reference="X", title="確認", result="minor")
        incident = make_incident(org.it, f"事故 {key}", severity="critical")
        RegulatoryReport.objects.create(incident=incident, kind="voluntary",
                                        due_on=days(-1))
        make_objective(org, title=f"目的 {key}", target_on=days(-1)).measures.add(measure)
        Risk.objects.create(code=f"R-{key}", title_ja="リスク", threat=threat,
                            department=org.it, likelihood=3, impact=3)
        ImprovementAction.objects.create(title=f"改善 {key}", department=org.it,
                                         raised_on=days(-2), due_on=days(-1))
        ConformanceSnapshot.objects.create(day=days(-i - 1), check_code=f"x.{key}",
                                           article="7", status="fail")


def test_the_number_of_queries_does_not_grow_with_the_records(org, review):
    grow(org, 1, "a")
    # Once first, so that Django's content-type cache is filled (it is, in a running server):
    # run alone, this test would otherwise count that one lookup against the smaller data set.
    pack.build(review)
    few = query_count(lambda: pack.build(review))
    grow(org, 4, "b")
    assert query_count(lambda: pack.build(review)) == few


def test_lists_are_capped_and_totals_count_everything(org, review):
    ImprovementAction.objects.bulk_create([
        ImprovementAction(code=f"IA-X-{n}", title=f"改善 {n}", department=org.it,
                          raised_on=days(-2), due_on=days(5)) for n in range(pack.LISTED + 3)])
    data = pack.build(review)
    actions = data["opportunities"]["actions"]
    assert actions["total"] == pack.LISTED + 3 and len(actions["rows"]) == pack.LISTED
    freeze(org, review)
    with translation.override("en"):
        context = packreport.page_context(review.pack)["pack_report"]
    (table,) = context["sections"][-1].tables
    assert table.more == 3
    with translation.override("en"):
        html = render_to_string("review/_pack.html", packreport.page_context(review.pack))
    assert 'data-testid="pack-more-improvement_actions"' in html
    assert "3 more are in the registers" in html and 'data-testid="pack-intact"' in html


def test_the_page_says_when_a_pack_was_altered(org, review):
    frozen = freeze(org, review)
    altered = {**frozen.data, "feedback": {"text": "書き換え"}}
    # Written around Mamori (straight to the table): the stored hash no longer matches.
    with connection.cursor() as cursor:
        table = ReviewPack._meta.db_table  # the model's own name, not an input
        cursor.execute(f"UPDATE {table} SET data = %s WHERE id = %s",  # noqa: S608
                       [json.dumps(altered), frozen.pk])
    html = render_to_string("review/_pack.html", packreport.page_context(
        ReviewPack.objects.get(pk=frozen.pk)))
    assert 'data-testid="pack-altered"' in html and "書き換え" in html
