"""The continuity reports: the BIA table, the RTO gap chart and the exercise results on the
page, as PDF and as XLSX, each within the reader's scope and in a constant number of
queries."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mamori.assets.tests.test_asset_models import make_asset
from mamori.continuity import reports
from mamori.continuity.models import (
    AssetRecovery,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
)
from mamori.continuity.tests.helpers import approved_bia, make_process
from mamori.core.io import sheet_title
from mamori.core.testing import query_count

pytestmark = pytest.mark.django_db

URL = reverse("continuity:report")


def held_exercise(department, process, hours, days_ago=30):
    held = timezone.localdate() - datetime.timedelta(days=days_ago)
    exercise = Exercise.objects.create(title=f"訓練 {process.code}", kind="failover",
                                       department=department, planned_on=held,
                                       held_on=held, scenario="停電")
    return ExerciseResult.objects.create(exercise=exercise, process=process,
                                         recovered_in_hours=hours)


@pytest.fixture
def data(org):
    """Sales: BP-S1, critical (tolerable for 4 hours), RTO 2 h, on an asset that recovers
    in 3 h with no alternative (an RTO gap and a single point of failure, the latter
    accepted), exercised within its RTO. IT: BP-I1, not critical, RTO 8 h, on a role back
    in 4 h with a stand-in, exercised in 10 h. BP-S2: never analysed."""
    sales = make_process(org.sales, "BP-S1")
    approved_bia(sales, rto="2", rpo="1", intolerable_at=4)
    asset = make_asset(org.sales, "A-1")
    AssetRecovery.objects.create(asset=asset, recovery_hours=Decimal("3"),
                                 backup_interval_hours=Decimal("0.5"),
                                 demonstrated_on=timezone.localdate())
    dependency = Dependency.objects.create(process=sales, kind="asset", asset=asset)
    GapAcceptance.objects.create(dependency=dependency, gap="single_point", reason="当面",
                                 expires_on=timezone.localdate() + datetime.timedelta(days=90))
    it = make_process(org.it, "BP-I1")
    approved_bia(it, rto="8", rpo="4", intolerable_at=168)
    Dependency.objects.create(process=it, kind="role", name="運用担当", alternative="交代要員",
                              recovery_hours=Decimal("4"))
    make_process(org.sales, "BP-S2")
    held_exercise(org.sales, sales, Decimal("1.5"))
    held_exercise(org.it, it, Decimal("10"), days_ago=10)
    return {"sales": sales, "it": it}


def test_the_ciso_sees_every_process(org, data):
    response = org.client("ciso").get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    bia = {row.process.code: row for row in report.bia}
    assert list(bia) == ["BP-I1", "BP-S1", "BP-S2"]
    assert (bia["BP-S1"].mtpd, bia["BP-S1"].rto, bia["BP-S1"].rpo) == (4, 2, 1)
    assert str(bia["BP-S1"].rto) == "2"  # as written, not 2.00
    assert bia["BP-S1"].critical and bia["BP-S1"].open_gaps == 1  # the RTO gap; one accepted
    assert not bia["BP-I1"].critical and bia["BP-I1"].open_gaps == 0
    assert not bia["BP-S2"].analysed and bia["BP-S2"].critical  # critical until analysed
    bars = {bar.process.code: bar for bar in report.rto}
    assert (bars["BP-S1"].rto, bars["BP-S1"].recovery, bars["BP-S1"].exceeds) == (2, 3, True)
    assert (bars["BP-I1"].rto, bars["BP-I1"].recovery, bars["BP-I1"].exceeds) == (8, 4, False)
    assert bars["BP-S2"].recovery is None and bars["BP-S2"].dependencies == 0
    assert [(r.result.process.code, r.rto, r.met) for r in report.results] == [
        ("BP-I1", 8, False), ("BP-S1", 2, True)]
    text = response.content.decode()
    chart = text[text.index('data-testid="rto-chart"'):text.index("</svg>")]
    assert "<script" not in chart and "style=" not in chart  # holds under the strict CSP
    assert 'data-testid="rto-bar-BP-S1" data-exceeds="true"' in text
    assert f'fill="{reports.RED}"' in text and f'fill="{reports.GREEN}"' in text
    assert 'data-testid="rto-bar-BP-I1" data-exceeds' not in text
    assert f'data-testid="missed-{report.results[0].result.exercise.code}-BP-I1"' in text


def test_the_manager_sees_only_their_departments_processes(org, data):
    response = org.client("manager").get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert [row.process.code for row in report.bia] == ["BP-S1", "BP-S2"]
    assert [bar.process.code for bar in report.rto] == ["BP-S1", "BP-S2"]
    assert [r.result.process.code for r in report.results] == ["BP-S1"]
    assert "BP-I1" not in response.content.decode()
    book = xlsx(org.client("manager").get(URL + "?format=xlsx"))
    assert "BP-I1" not in str([list(sheet.values) for sheet in book.worksheets])


def test_the_auditor_reads_every_process(org, data):
    response = org.client("auditor").get(URL)
    assert response.status_code == 200
    assert len(response.context["report"].bia) == 3


def test_staff_without_a_scope_are_refused(org, data):
    client = org.client("staff")
    for fmt in ("", "?format=pdf", "?format=xlsx"):
        assert client.get(URL + fmt).status_code == 403


def xlsx(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="continuity-report-' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def test_the_report_as_xlsx(org, data):
    book = xlsx(org.client("ciso").get(URL + "?format=xlsx"))
    with translation.override("ja"):
        titles = [sheet_title(_(t)) for t in ("Business impact analysis", "RTO gaps",
                                              "Exercise results")]
        headers = (reports.bia_headers(), reports.rto_headers(), reports.result_headers())
        yes, no, met, missed = _("yes"), _("no"), _("met"), _("missed")
    assert book.sheetnames == titles
    bia, rto, results = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert [list(rows[0]) for rows in (bia, rto, results)] == [list(h) for h in headers]
    by_code = {row[0]: row for row in bia[1:4]}
    assert list(by_code) == ["BP-I1", "BP-S1", "BP-S2"]
    assert by_code["BP-S1"][1] == "業務 BP-S1"  # Japanese, the reader's language
    assert by_code["BP-S1"][3:6] == (4, 2, 1)  # numbers, not text
    assert by_code["BP-S1"][7:] == (yes, 1, yes)
    assert by_code["BP-I1"][7:9] == (no, 0)
    assert by_code["BP-S2"][3:7] == (None, None, None, None)
    assert bia[5][1] == 72  # the critical threshold under the table
    assert {row[0]: row[2:4] for row in rto[1:]} == {
        "BP-I1": (8, 4), "BP-S1": (2, 3), "BP-S2": (None, None)}
    assert [(row[4], row[6], row[7], row[8]) for row in results[1:]] == [
        ("BP-I1", 10, 8, missed), ("BP-S1", 1.5, 2, met)]


@pytest.mark.slow  # WeasyPrint lays out the page with the CJK font: a few seconds
def test_the_report_as_pdf(org, data):
    from pypdf import PdfReader

    response = org.client("ciso").get(URL + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(response.content)).pages)
    for expected in ("BP-S1", "BP-I1", "業務 BP-S1"):
        assert expected in text


def test_the_report_runs_a_constant_number_of_queries(org, data):
    client = org.client("manager")
    ciso = org.client("ciso")

    codes = itertools.count()

    def grow(n):
        for _index in range(n):
            process = make_process(org.sales, f"BP-Q{next(codes)}")
            approved_bia(process)
            Dependency.objects.create(process=process, kind="process",
                                      upstream=data["sales"], alternative="手作業")
            Dependency.objects.create(process=process, kind="site", name="本社",
                                      recovery_hours=Decimal("1"))
            held_exercise(org.sales, process, Decimal("1"))

    for c in (client, ciso):
        c.get(URL)
        c.get(URL + "?format=xlsx")
    grow(2)
    small = [query_count(lambda c=c, f=f: c.get(URL + f)) for c in (client, ciso)
             for f in ("", "?format=xlsx")]
    grow(10)
    large = [query_count(lambda c=c, f=f: c.get(URL + f)) for c in (client, ciso)
             for f in ("", "?format=xlsx")]
    assert large == small
