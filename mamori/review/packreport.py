"""A frozen review pack read in the reader's language: on the review's page
(review/_pack.html), as the PDF the chair reads before the meeting (summary first) and as an
XLSX workbook (a sheet per table).

Everything here reads ReviewPack.data only, never the live records: the pack says what the
inputs were when they were frozen, whatever has changed since. The codes it holds are named
at reading time (review.pack_sections), so one pack reads in Japanese and in English.
"""

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mamori.core.conformance import FAIL, article_label
from mamori.core.io import SHEET_TITLE_LENGTH, pdf_attachment, sheet_title
from mamori.core.scope import VIEW
from mamori.core.tablebook import TableBook
from mamori.review import pack_sections as s
from mamori.review.models import ReviewPack

Flag, Table, Section = s.Flag, s.Table, s.Section


def alert(value, tone: str = "red"):
    """A figure that needs the chair's attention when it is not zero."""
    return Flag(value, tone) if value else value


def summary(data: dict, names: dict) -> Table:
    """The figures the chair reads first, one line each, in the order of ISO/IEC 27001
    9.3.2."""
    previous, changes, perf = data["previous_actions"], data["changes"], data["performance"]
    org = changes["organisation"]
    measures = perf["measures"]["rows"]
    failing = [article_label(a["article"]) for a in perf["conformance"]["articles"]
               if a["status"] == FAIL]
    nc, audits, incidents = perf["nonconformities"], perf["audits"], perf["incidents"]
    findings = audits["findings"]
    risks, actions = data["risks"], data["opportunities"]["actions"]
    serious = sum(incidents["by_severity"].get(code, 0) for code in ("high", "critical"))
    rows = [
        (_("Actions from previous reviews"), _("decisions followed up"), previous["total"]),
        ("", _("actions open"), previous["open"]),
        ("", _("actions overdue"), alert(previous["overdue"])),
        ("", _("decisions without an action"), alert(previous["without_action"])),
        (_("Changes"), _("legal amendments"), changes["amendments"]["total"]),
        ("", _("new assets holding personal data"),
         changes["personal_data_assets"]["total"]),
        ("", _("departments created"), org["departments_created"]["total"]),
        ("", _("departments closed"), org["departments_closed"]["total"]),
        ("", _("CISO and information manager appointments"), org["appointments"]["total"]),
        (_("Measures"), _("active measures"), perf["measures"]["total"]),
        ("", _("meeting their target"), Flag(sum(m["meets"] is True for m in measures),
                                              "green")),
        ("", _("missing their target"), alert(sum(m["meets"] is False for m in measures))),
        ("", _("without a value or a target"), sum(m["meets"] is None for m in measures)),
        (_("Conformance"), _("articles failing when frozen"),
         alert(", ".join(failing)) or 0),
        (_("Nonconformities"), _("raised in the period"), nc["raised"]),
        ("", _("corrective actions overdue"), alert(nc["corrective_actions_overdue"]["total"])),
        (_("Audits"), _("audits closed"), audits["total"]),
        ("", names["finding"]["major"], alert(findings.get("major", 0))),
        ("", names["finding"]["minor"], alert(findings.get("minor", 0), "yellow")),
        (_("Incidents"), _("incidents in the period"), incidents["total"]),
        ("", _("high or critical"), alert(serious)),
        ("", _("reportable breaches"), alert(incidents["reportable_breaches"], "yellow")),
        ("", _("reports late"), alert(incidents["reports"]["late"])),
        (_("Objectives"), _("objectives"), perf["objectives"]["total"]),
        ("", _("late"), alert(perf["objectives"]["late"])),
        (_("Risks"), _("open risks"), risks["open"]),
        ("", _("above the appetite"), risks["above_appetite"]),
        ("", _("above the appetite, untreated"), alert(risks["untreated"]["total"])),
        (_("Improvement"), _("improvement actions raised"), actions["total"]),
        ("", _("overdue"), alert(actions["overdue"])),
    ]
    return Table("summary", pgettext("review pack", "Summary"),
                 [_("area"), _("what"), _("figure")],
                 [[area or s.BLANK, what, figure] for area, what, figure in rows])


def sections(data: dict, names: dict) -> list[Section]:
    return [
        s.previous_section(data, names),
        s.changes_section(data, names),
        s.performance_section(data, names),
        s.conformance_section(data, names),
        s.findings_section(data, names),
        s.incidents_section(data, names),
        s.objectives_section(data, names),
        Section("feedback", _("Feedback from interested parties"), text=data["feedback"][
            "text"]),
        s.risks_section(data, names),
        s.opportunities_section(data, names),
    ]


def page_context(pack: ReviewPack, preview: bool = False) -> dict:
    """The context of review/_pack.html, in the active language; `preview`: a pack built
    and not stored (the inputs as freezing them now would keep them)."""
    data = pack.data
    names = s.choices()
    header = data["review"]
    return {"pack_report": {
        "pack": pack, "preview": preview, "intact": preview or pack.intact, "review": header,
        "period_start": s.day(header["period"]["start"]),
        "period_end": s.day(header["period"]["end"]),
        "held_on": s.day(header["held_on"]),
        "summary": summary(data, names), "sections": sections(data, names)}}


def frozen_pack(request, review) -> ReviewPack:
    """The review's pack, if it has one the requesting user may read."""
    found = ReviewPack.objects.restrict(request.user, VIEW).filter(review=review).first()
    if found is None:
        raise Http404(_("The inputs of this review have not been frozen yet."))
    return found


def filename(pack: ReviewPack) -> str:
    return f"review-pack-{pack.data['review']['code']}"


def language_of(request) -> str:
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "ja"


def pdf_response(request, review):
    pack = frozen_pack(request, review)
    with translation.override(language_of(request)):
        html = render_to_string("review/pack_pdf.html", {**page_context(pack), "pdf": True})
        return pdf_attachment(html, filename(pack))


def xlsx_value(value):
    if isinstance(value, Flag):
        value = value.text
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def xlsx_response(request, review):
    pack = frozen_pack(request, review)
    with translation.override(language_of(request)):
        context = page_context(pack)["pack_report"]
        header = context["review"]
        book, titles = TableBook(), SheetTitles()
        tables = [context["summary"], *(table for section in context["sections"]
                                        for table in section.tables)]
        for number, table in enumerate(tables):
            notes = [[xlsx_value(v) for v in note] for note in table.notes]
            if table.more:
                notes.append([_("The first %(listed)s of %(total)s are listed; the registers "
                                "hold them all.") % {"listed": len(table.rows),
                                                     "total": table.total}])
            if number == 0:
                notes += [[_("management review"), f'{header["code"]} {header["title"]}'],
                          [_("period reviewed"), context["period_start"],
                           context["period_end"]],
                          [_("inputs frozen at"), pack.frozen_at],
                          ["SHA-256", pack.sha256]]
            book.add_table(titles.unique(table.sheet or table.title), table.headers,
                           [[xlsx_value(v) for v in row] for row in table.rows], notes=notes)
        for section in context["sections"]:
            if section.text is not None:
                book.add_table(titles.unique(section.title), [section.title],
                               [[section.text or "—"]])
        return book.attachment(filename(pack))


class SheetTitles:
    """Sheet names as Excel takes them, each once: two titles may share their first 31
    characters (in either language)."""

    def __init__(self):
        self.used = set()

    def unique(self, title) -> str:
        name, number = sheet_title(title), 1
        while name.casefold() in self.used:
            number += 1
            suffix = f" ({number})"
            name = sheet_title(title)[:SHEET_TITLE_LENGTH - len(suffix)] + suffix
        self.used.add(name.casefold())
        return name
