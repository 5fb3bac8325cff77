"""The sections of a frozen review pack as the reader reads them (review.packreport): each a
list of tables (a title, headers, rows of cells) named in the active language, drawn by one
template partial and written as one sheet each, so the page, the PDF and the workbook say
the same. They read the pack's data only, never the live records."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from mamori.core.conformance import ARTICLE_TITLES, FAIL, STATUS_LABELS, article_label
from mamori.core.dates import add_months
from mamori.core.i18n import localized
from mamori.review import charts
from mamori.review.models.measures import MONTHS_OF, Direction, Frequency, Unit


@dataclass
class Flag:
    """A cell that asks for attention (red), warns (yellow) or reassures (green)."""

    text: object
    tone: str = "red"

    def __str__(self):
        return str(self.text)


BLANK = Flag("", "")  # a cell left empty on the page too (not drawn as "—")


@dataclass
class Table:
    key: str
    title: str
    headers: list
    rows: list
    total: int | None = None  # the rows counted, when more than were listed
    notes: list = field(default_factory=list)
    sheet_only: bool = False  # in the workbook; the page and the PDF draw it as a chart
    sheet: object = None  # the workbook's name for a title longer than Excel's 31 characters

    @property
    def more(self) -> int:
        return max(0, (self.total or 0) - len(self.rows))


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    tables: list = field(default_factory=list)
    text: str | None = None  # free text of the review (feedback, opportunities)
    measures: list = field(default_factory=list)  # trend charts
    heat: dict | None = None  # conformance per article and month


def day(text: str | None) -> datetime.date | None:
    return None if not text else datetime.date.fromisoformat(text)


def dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def both(names: dict | None) -> str:
    return "" if not names else localized(names.get("ja", ""), names.get("en", ""))


def shown(text: str | dict | None) -> str:
    """A check's value or threshold: a number as stored, a message in the reader's language."""
    return both(text) if isinstance(text, dict) else (text or "")


def dept(data: dict | None) -> str:
    return "" if not data else both(data)


def labels(*choices) -> dict:
    found = {}
    for choice in choices:
        found.update(dict(choice.choices))
    return found


def named(code, names: dict):
    """A code's name, or the code itself when this version of Mamori has no name for it."""
    if code is None:
        return None
    return names.get(code, code)


def flag_if(value, condition: bool, tone: str = "red"):
    return Flag(value, tone) if condition and value else value


def choices():
    """The names of the codes the pack holds, in the active language (read per call:
    lazily imported apps)."""
    from mamori.audits.models import Audit, ChecklistItem
    from mamori.improvement.models import ImprovementAction, Nonconformity, Source
    from mamori.incidents.models import Incident, Severity
    from mamori.org.models import Appointment, Person
    from mamori.review.models import Objective, ReviewDecision
    from mamori.risks.models import Risk

    return {
        "kind": labels(ReviewDecision.Kind), "action": labels(ImprovementAction.Status),
        "role": labels(Appointment.Role), "unit": labels(Unit), "direction": labels(Direction),
        "frequency": labels(Frequency), "nc_severity": labels(Nonconformity.Severity),
        "nc_status": labels(Nonconformity.Status), "audit_kind": labels(Audit.Kind),
        "finding": labels(ChecklistItem.Result), "severity": labels(Severity),
        "incident": labels(Incident.Status), "objective": labels(Objective.Status),
        "risk": labels(Risk.Status), "treatment": labels(Risk.Treatment),
        "source": labels(Source), "category": {**labels(Person.Category),
                                               **labels(Severity)},
    }


ARTICLE_ORDER = {code: index for index, code in enumerate(ARTICLE_TITLES)}


def category_order(code: str, names: dict) -> tuple:
    """Articles in the policy's order, then the others in the order of their choices."""
    if code in ARTICLE_ORDER:
        return (0, ARTICLE_ORDER[code], code)
    known = list(names["category"])
    return (1, known.index(code) if code in known else len(known), code)


def category_name(code: str, names: dict) -> str:
    if code in ARTICLE_TITLES:
        return article_label(code)
    return str(names["category"].get(code, code))


# --- the sections ------------------------------------------------------------------------------

def previous_section(data: dict, names: dict) -> Section:
    previous = data["previous_actions"]
    rows = [[f'{row["review"]}-{row["number"]}', row["decision"],
             named(row["kind"], names["kind"]), row["action"], dept(row["department"]),
             row["owner"], flag_if(day(row["due_on"]), row["overdue"]),
             flag_if(named(row["status"], names["action"]) or _("no action"),
                     row["status"] is None or row["overdue"], "red"),
             day(row["completed_on"])] for row in previous["rows"]]
    return Section("previous", _("Actions from previous reviews"), _(
        "The decisions of earlier management reviews and the state of the improvement "
        "actions they raised."), [Table(
            "previous", _("Actions from previous reviews"),
            [_("decision"), _("what was decided"), _("kind"), _("improvement action"),
             _("department"), _("owner"), _("due on"), _("status"), _("done or declined on")],
            rows, previous["total"])])


def changes_section(data: dict, names: dict) -> Section:
    changes = data["changes"]
    amend, assets, org = (changes["amendments"], changes["personal_data_assets"],
                          changes["organisation"])
    tables = [
        Table("amendments", _("Legal amendments"),
              [_("legal source"), _("version"), _("promulgated on"), _("in force from"),
               _("what changed"), _("assessments to do")],
              [[f'{row["source"]} {both(row["title"])}', row["version"],
                day(row["promulgated_on"]), day(row["effective_on"]), both(row["summary"]),
                flag_if(row["open_assessments"], True, "yellow")] for row in amend["rows"]],
              amend["total"]),
        Table("assets_by_department", _("New assets holding personal data, by department"),
              [_("department"), _("assets")],
              [[dept(row["department"]), row["count"]] for row in assets["by_department"]],
              assets.get("departments"), sheet=_("New assets, by department")),
        Table("assets", _("New assets holding personal data"),
              [_("code"), _("name"), _("department"), _("data subjects"),
               _("sensitive personal information")],
              [[row["code"], both(row["name"]), dept(row["department"]),
                row["data_subjects"], row["sensitive"]] for row in assets["rows"]],
              assets["total"], sheet=_("New personal data assets")),
        Table("organisation", _("Organisation changes"),
              [_("change"), _("who or what"), _("department"), _("from"), _("until")],
              [[_("department created"), f'{row["code"]} {both(row)}', "", day(row["on"]),
                None] for row in org["departments_created"]["rows"]]
              + [[_("department closed"), f'{row["code"]} {both(row)}', "", None,
                  day(row["on"])] for row in org["departments_closed"]["rows"]]
              + [[named(row["role"], names["role"]), row["person"], dept(row["department"]),
                  day(row["start_date"]), day(row["end_date"])]
                 for row in org["appointments"]["rows"]],
              sum(org[k]["total"] for k in ("departments_created", "departments_closed",
                                            "appointments")))]
    return Section("changes", _("Changes in external and internal issues"), _(
        "Legal amendments in force or entered during the period, new assets holding "
        "personal data, and changes to the organisation and its officers."), tables)


def periods(frequency: str, first: datetime.date, last: datetime.date) -> list:
    from mamori.review.models.measures import period_start

    step = MONTHS_OF.get(frequency, 1)
    found, current = [], period_start(first, frequency)
    while current <= last:
        found.append(current)
        current = add_months(current, step)
    return found


def measure_view(row: dict, names: dict, first, last) -> dict:
    """A measure's figures and charts: every period of its frequency is on the line, so a
    period without a value leaves a gap."""
    stored = {day(period): dec(value) for period, value in row["series"]}
    series = [(period, stored.get(period)) for period in periods(
        row["frequency"], first, last)]
    target = dec(row["target"])
    unit = "%" if row["unit"] == Unit.PERCENT else str(named(row["unit"], names["unit"]))
    latest = row["latest"] or {}
    categories = sorted(row.get("categories", {}).items(),
                        key=lambda item: category_order(item[0], names))
    latest_by_category = [(category_name(category, names), values[-1][1])
                          for category, values in categories if values]
    return {"code": row["code"], "title": both(row["title"]), "unit": unit,
            "target": dec(row["target"]), "latest": dec(latest.get("value")),
            "latest_period": day(latest.get("period")), "meets": row["meets"],
            "direction": named(row["direction"], names["direction"]),
            "frequency": named(row["frequency"], names["frequency"]),
            "owner": row["owner"], "categories": latest_by_category,
            "series": series,
            "spark": charts.sparkline(series, target=target, direction=row["direction"]),
            # Drawn half a page wide: a narrower box keeps its labels legible in the PDF.
            "chart": charts.line_chart(series, target=target, width=420, height=170)}


def performance_section(data: dict, names: dict) -> Section:
    header = data["review"]
    months = [day(f"{month}-01") for month in header["months"]]
    first, last = (months[0], months[-1]) if months else (day(header["period"]["start"]),) * 2
    views = [measure_view(row, names, first, last)
             for row in data["performance"]["measures"]["rows"]]
    verdict = {True: Flag(_("met"), "green"), False: Flag(_("missed")), None: None}
    table = Table("measures", _("Measures"),
                  [_("code"), _("measure"), _("unit"), _("target"), _("latest value"),
                   _("period"), _("target met"), _("by category"), _("owner")],
                  [[v["code"], v["title"], v["unit"], v["target"], v["latest"],
                    v["latest_period"], verdict[v["meets"]],
                    " · ".join(f"{c}: {charts.plain(x)}" for c, x in v["categories"]
                               if x is not None), v["owner"]] for v in views],
                  data["performance"]["measures"]["total"])
    values = Table("measure_values", _("Measure values per month"),
                   [_("code"), _("measure"), *header["months"]],
                   [[v["code"], v["title"], *(dict(v["series"]).get(month) for month in months)]
                    for v in views], sheet_only=True)
    return Section("measures", _("Measures and their trends"), _(
        "Each active measure's latest value for the whole company against its target, and "
        "its values over the period as stored when they were measured."), [table, values],
        measures=views)


def conformance_section(data: dict, names: dict) -> Section:
    over = data["performance"]["conformance"]
    months = data["review"]["months"]
    rows = [f'{article_label(a["article"])} {ARTICLE_TITLES.get(a["article"], "")}'.strip()
            for a in over["articles"]]
    cells = {(label, month): dec(a["months"].get(month))
             for label, a in zip(rows, over["articles"], strict=True) for month in months}
    status = {code: str(text) for code, text in STATUS_LABELS.items()}
    articles = Table("articles", _("Conformance per article when the pack was frozen"),
                     [_("article"), _("status"), _("checks passing"), _("checks failing"),
                      _("not applicable")],
                     [[label, flag_if(status.get(a["status"], a["status"]),
                                      a["status"] == FAIL), a["passed"],
                       flag_if(a["failed"], True), a["not_applicable"]]
                      for label, a in zip(rows, over["articles"], strict=True)],
                     sheet=_("Conformance per article"))
    failing = Table("failing_checks", _("Checks failing when the pack was frozen"),
                    [_("article"), _("check"), _("code"), _("value"), _("threshold"),
                     _("failing objects")],
                    [[article_label(c["article"]), both(c["title"]), c["code"],
                      f'{shown(c["value"])}{c["unit"] or ""}' or None, shown(c["threshold"]),
                      c["failing_count"]] for c in over["checks"] if c["status"] == FAIL],
                    sheet=_("Checks failing"))
    monthly = Table("conformance_months", _("Conformance per article and month (%)"),
                    [_("article"), *months],
                    [[label, *(cells[(label, m)] for m in months)] for label in rows],
                    sheet_only=True, sheet=_("Conformance by month (%)"))
    return Section("conformance", _("Conformance per article"), _(
        "Per policy article and month, the share of the applicable checks that passed "
        "when the month was last measured (the built-in conformance measure), and each "
        "article's result when the pack was frozen."), [articles, failing, monthly],
        heat=charts.heat_map(rows, months, cells))


def findings_section(data: dict, names: dict) -> Section:
    perf = data["performance"]
    nc, overdue, audits = (perf["nonconformities"], perf["nonconformities"][
        "corrective_actions_overdue"], perf["audits"])
    finding_codes = [code for code in names["finding"] if code not in (
        "not_audited", "conforming")]
    return Section("findings", _("Nonconformities, corrective actions and audits"), _(
        "Nonconformities raised in the period, corrective actions overdue now, and the "
        "audits closed in the period with their findings."), [
        Table("nonconformities", _("Nonconformities raised"),
              [_("severity"), _("status"), _("nonconformities")],
              [[named(r["severity"], names["nc_severity"]), named(r["status"],
                                                                  names["nc_status"]),
                r["count"]] for r in nc["by_severity_status"]],
              notes=[[_("raised in the period"), nc["raised"]],
                     [_("open now"), nc["open_now"]]]),
        Table("corrective_actions", _("Corrective actions overdue"),
              [_("nonconformity"), _("action"), _("department"), _("owner"), _("due on")],
              [[r["nonconformity"], r["title"], dept(r["department"]), r["owner"],
                Flag(day(r["due_on"]))] for r in overdue["rows"]], overdue["total"]),
        Table("audits", _("Audits closed"),
              [_("number"), _("title"), _("kind"), _("auditing body"), _("closed on"),
               *(names["finding"][code] for code in finding_codes)],
              [[r["code"], r["title"], named(r["kind"], names["audit_kind"]),
                r["auditing_body"], day(r["closed_on"]),
                *(r["findings"].get(code, 0) for code in finding_codes)]
               for r in audits["rows"]], audits["total"])])


def incidents_section(data: dict, names: dict) -> Section:
    found = data["performance"]["incidents"]
    reports = found["reports"]
    return Section("incidents", _("Incidents"), _(
        "Incidents noticed in the period by severity, with the breaches that had to be "
        "reported and the reports to regulators; the high and critical incidents and the "
        "reportable breaches are listed."), [
        Table("incidents_by_severity", _("Incidents by severity"),
              [_("severity"), _("incidents")],
              [[names["severity"][code], found["by_severity"].get(code, 0)]
               for code in names["severity"]],
              notes=[[_("incidents in the period"), found["total"]],
                     [_("still open"), found["open_now"]],
                     [_("reportable breaches"), found["reportable_breaches"]],
                     [_("reports to regulators"), reports["total"]],
                     [_("reports submitted"), reports["submitted"]],
                     [_("reports late"), reports["late"]]]),
        Table("incidents", _("High and critical incidents, reportable breaches"),
              [_("number"), _("what happened"), _("severity"), _("status"), _("noticed on"),
               _("department"), _("reportable breach"), _("reports"), _("reports late")],
              [[r["code"], r["title"], named(r["severity"], names["severity"]),
                named(r["status"], names["incident"]), day(r["noticed_on"]),
                dept(r["department"]), r["breach"], r["reports"],
                flag_if(r["reports_late"], True)] for r in found["rows"]],
              sheet=_("Serious incidents"))])


def objectives_section(data: dict, names: dict) -> Section:
    found = data["performance"]["objectives"]
    return Section("objectives", _("Security objectives"), _(
        "The objectives open in the period or achieved in it; an objective is late when "
        "its target date has passed and it is neither achieved nor withdrawn."), [Table(
            "objectives", _("Security objectives"),
            [_("number"), _("objective"), _("owner"), _("department"), _("target date"),
             _("times re-planned"), _("status"), _("achieved on"), _("measures")],
            [[r["code"], r["title"], r["owner"], dept(r["department"]) or _("whole company"),
              flag_if(day(r["target_on"]), r["late"]), r["replanned"],
              flag_if(named(r["status"], names["objective"]), r["late"]),
              day(r["achieved_on"]), ", ".join(r["measures"])] for r in found["rows"]],
            found["total"])])


def risks_section(data: dict, names: dict) -> Section:
    risks = data["risks"]
    untreated = risks["untreated"]
    return Section("risks", _("Risk assessment and treatment"), _(
        "Open risks by level, those above the risk appetite, and those above it that are "
        "neither treated nor formally accepted."), [
        Table("risk_levels", _("Open risks by level"), [_("level"), _("lowest score"),
                                                        _("risks")],
              [[both(r["name"]) or _("no level"), r["min_score"], r["count"]]
               for r in risks["by_level"]],
              notes=[[_("risk appetite (highest acceptable score)"), risks["appetite"]],
                     [_("open risks"), risks["open"]],
                     [_("above the appetite"), risks["above_appetite"]],
                     [_("above the appetite, untreated"), untreated["total"]]]
              + [[_("treatment: %(name)s") % {
                  "name": named(k, names["treatment"]) or _("not chosen")}, n]
                 for k, n in sorted(risks["by_treatment"].items())]),
        Table("risks_untreated", _("Risks above the appetite, untreated"),
              [_("code"), _("risk"), _("score"), _("treatment"), _("status"),
               _("department"), _("owner")],
              [[r["code"], both(r["title"]), Flag(r["score"]),
                named(r["treatment"], names["treatment"]), named(r["status"], names["risk"]),
                dept(r["department"]), r["owner"]] for r in untreated["rows"]],
              untreated["total"], sheet=_("Untreated risks above appetite"))])


def opportunities_section(data: dict, names: dict) -> Section:
    found = data["opportunities"]["actions"]
    return Section("opportunities", _("Opportunities for improvement"), _(
        "The opportunities the review considers, and the improvement actions raised in the "
        "period."), [Table(
            "improvement_actions", _("Improvement actions raised"),
            [_("number"), _("title"), _("source"), _("department"), _("owner"),
             _("due on"), _("status"), _("done or declined on")],
            [[r["code"], r["title"], named(r["source"], names["source"]),
              dept(r["department"]), r["owner"], flag_if(day(r["due_on"]), r["overdue"]),
              named(r["status"], names["action"]), day(r["completed_on"])]
             for r in found["rows"]], found["total"])],
        text=data["opportunities"]["text"])
