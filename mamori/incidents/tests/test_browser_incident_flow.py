"""Reporting and assessing a card-data leak in a real browser (Playwright + Debian's chromium),
once in Japanese and once in English.

A member of staff reports, through "Report an incident", that members' card numbers may have
been sent outside the company, noticed late in the evening two days ago, and sees their report
(with the warning that personal information may be involved, and no handler's buttons). The
CISO logs in with TOTP, opens the incident and assesses the breach under APPI: personal data,
financial damage, a wrongful purpose, 340 members. The incident page then shows it reportable
on grounds 2 and 3, with the deadlines counted from the day of awareness as day 1 — the
preliminary report's target on day 3 and limit on day 5, the final report on day 60 (60 days
for a wrongful purpose) — and the two reports to the PPC drafted with those due dates. The CISO
moves the incident to "contained" and the timeline gains the status line. No page may trip the
Content Security Policy, throw a JavaScript error or fail to load.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py and the page
helpers of mamori/risks/tests/test_browser_risk_flow.py. Needs /usr/bin/chromium; run with
`pytest -m browser`, skip with `-m "not browser"`.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.core.tests import test_browser as ui
from mamori.incidents import breach
from mamori.incidents.models import BreachAssessment, Incident, IncidentEntry, RegulatoryReport
from mamori.risks.tests import test_browser_risk_flow as flow

expect = ui.expect
pytestmark = ui.pytestmark

# The shared fixtures (assigned, not imported by name, so pytest finds them in this module).
live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page

OTHER_LOCALE = flow.OTHER_LOCALE
details, fill, problems = flow.details, flow.fill, flow.problems
label_in, str_in, text_in = flow.label_in, flow.str_in, flow.text_in

TITLE = "会員のカード番号が外部に送信された疑い"
NOTICED_AT = "23:50"  # late in the evening: the day of awareness is still day 1
PERSONS = 340


def day(value: datetime.date) -> str:
    """A date as the pages show it (the `cell` filter)."""
    return value.strftime("%Y-%m-%d")


def log_in_with_totp(page, base: str, user, password: str):
    """Log in a user who has TOTP already, answering the second-factor challenge."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    ui.log_in(page, base, user.username, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    form = ui.form_with(page, "input[name=code]")
    form.locator("input[name=code]").fill(ui.fresh_totp_code(secret))
    form.locator("button[type=submit]:not([form])").click()  # not the form's "Cancel"
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


def open_in(page, base: str, lang: str, path: str):
    """Go to `path` and switch the UI from the browser's language to the one under test."""
    page.goto(f"{base}{path}")
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "ja" else "ja")
    ui.switch_language(page, lang)
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}$"))


def timeline_entries(page):
    return page.get_by_test_id("timeline").locator(".list-group-item .mamori-pre")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_staff_reports_and_the_ciso_assesses_a_card_leak(lang, live_server, live_org,
                                                          make_page, log, tmp_path):
    base = live_server.url
    create_url = reverse("incidents:incident_create")
    aware = timezone.localdate() - datetime.timedelta(days=2)
    staff = live_org.people["staff"]

    # 1. A member of staff opens "Report an incident" from the navigation.
    page = make_page(OTHER_LOCALE[lang])
    ui.log_in(page, base, "staff", "x-staff-password-1")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    open_in(page, base, lang, reverse("core:my_page"))
    item = page.locator(f'a.dropdown-item[href="{create_url}"]')
    page.locator("nav li.dropdown", has=item).locator(".dropdown-toggle").click()
    expect(item).to_have_text(text_in(lang, "Report an incident"))
    item.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(create_url)}$"))

    # 2. The short report, in Japanese whatever the UI's language: the department is theirs.
    expect(page.locator("form [name=department]")).to_have_value(str(staff.department_id))
    fill(page, {
        "title": TITLE,
        "description": "会員から身に覚えのない海外での利用について問合せが続いている。",
        "noticed_at": f"{aware.isoformat()}T{NOTICED_AT}",
        "department": str_in(lang, live_org.sales_east),
        "data_affected": "会員の氏名、カード番号、有効期限",
        "personal_data_suspected": True,
    })
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    incident = Incident.objects.get(title=TITLE)
    assert incident.reported_by == staff and incident.status == Incident.Status.REPORTED
    assert breach.awareness_date(incident.awareness) == aware  # 23:50 Japan time, that day
    incident_url = f"{base}{incident.get_absolute_url()}"

    # 3. They see their report: reported by them, told that the CISO and the information
    #    manager decide on reporting to the PPC (not asked to), and none of the handler's
    #    buttons.
    expect(page.locator(".page-title")).to_contain_text(TITLE)
    shown = details(page)
    assert shown[label_in(lang, Incident, "reported_by")] == str_in(lang, staff)
    assert shown[label_in(lang, Incident, "status")] == text_in(lang, "Reported")
    expect(page.get_by_test_id("assess-pending")).to_contain_text(text_in(
        lang, "Personal information may be involved. The CISO and the department's information "
              "manager are told of this report and decide whether it must be reported to the "
              "Personal Information Protection Commission; you need not do anything about that."))
    expect(page.get_by_test_id("assess-needed")).to_have_count(0)
    for button in ("assess", "move", "escalate", "add-note"):
        expect(page.get_by_test_id(button)).to_have_count(0)
    ui.screenshot(page, tmp_path / "reported.png")

    # 4. The CISO (with TOTP) opens the incident and assesses the breach.
    ciso_page = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso_page, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso_page, base, lang, reverse("incidents:incident_list"))
    ciso_page.get_by_test_id("list-table").get_by_role("link", name=incident.code).click()
    expect(ciso_page).to_have_url(re.compile(rf"{re.escape(incident.get_absolute_url())}$"))
    before = timeline_entries(ciso_page).count()
    assess = ciso_page.get_by_test_id("assess")
    expect(assess).to_have_text(text_in(lang, "Assess the breach (APPI)"))
    assess.click()
    expect(ciso_page).to_have_url(re.compile(rf"/breach-assessments/new/\?incident={incident.pk}$"))
    expect(ciso_page.locator("form [name=incident]")).to_have_value(str(incident.pk))
    fill(ciso_page, {"personal_data": True, "financial_damage": True, "wrongful_purpose": True,
                     "persons_affected": PERSONS, "data_items": "氏名、カード番号、有効期限"})
    ciso_page.get_by_test_id("save").click()
    expect(ciso_page).to_have_url(re.compile(r"/breach-assessments/\d+/$"))
    expect(ciso_page.locator(".alert-success")).to_be_visible()
    assessment = BreachAssessment.objects.get(incident=incident)
    assert assessment.reportable and assessment.grounds_list == [2, 3]
    # How the days are counted: the rule applied, worked out from this incident's awareness.
    panel = ciso_page.get_by_test_id("counting-rule")
    expect(panel).to_contain_text(text_in(
        lang, "Under the rule applied (%(rule)s, in force from %(since)s) the day of "
        "awareness is day 1, whatever the hour (guideline 3-5-3-4).").split("%(")[0])
    for days in (0, 2, 4, 59):  # day 1, the target (day 3), the deadline (day 5), day 60
        expect(panel).to_contain_text(day(aware + datetime.timedelta(days=days)))

    # 5. The incident page: reportable on grounds 2 and 3; the day of awareness is day 1, so
    #    the 3rd and 5th days are 2 and 4 days later, and the 60th (wrongful purpose) 59.
    preliminary_target = aware + datetime.timedelta(days=2)
    preliminary_due = aware + datetime.timedelta(days=4)
    final_due = aware + datetime.timedelta(days=59)
    ciso_page.goto(incident_url)
    outcome = ciso_page.get_by_test_id("breach-outcome")
    expect(outcome).to_contain_text(text_in(lang, "Reportable to the PPC"))
    expect(outcome).to_contain_text(f"{text_in(lang, 'grounds (enforcement rules Art 7)')}: 2,3")
    expect(outcome.get_by_test_id("grounds-named")).to_contain_text(
        text_in(lang, "Art. 7 item 3 (wrongful purpose)"))
    expect(ciso_page.get_by_test_id("preliminary-target")).to_have_text(day(preliminary_target))
    expect(ciso_page.get_by_test_id("preliminary-due")).to_have_text(day(preliminary_due))
    expect(ciso_page.get_by_test_id("final-due")).to_have_text(day(final_due))
    expect(ciso_page.get_by_test_id("assess")).to_have_count(0)
    expect(ciso_page.get_by_test_id("reassess")).to_have_count(1)

    # The two reports to the PPC, drafted with those due dates, not yet submitted.
    reports = ciso_page.get_by_test_id("reports").locator("a.list-group-item")
    expect(reports).to_have_count(2)
    ppc = text_in(lang, "Personal Information Protection Commission (PPC)")
    for row, kind, due in ((reports.nth(0), "Preliminary report (速報)", preliminary_due),
                           (reports.nth(1), "Final report (確報)", final_due)):
        expect(row).to_contain_text(f"{text_in(lang, kind)} → {ppc}")
        expect(row).to_contain_text(f"{text_in(lang, 'due')} {day(due)}")
        expect(row).to_contain_text(text_in(lang, "not submitted"))
    drafted = {(r.kind, r.due_on) for r in incident.reports.filter(
        recipient=RegulatoryReport.Recipient.PPC, submitted_on__isnull=True)}
    assert drafted == {(RegulatoryReport.Kind.PRELIMINARY, preliminary_due),
                       (RegulatoryReport.Kind.FINAL, final_due)}
    # The outcome and both drafts are in the timeline.
    expect(timeline_entries(ciso_page)).to_have_count(before + 3)
    ui.screenshot(ciso_page, tmp_path / "assessed.png")

    # 6. Contained: the lifecycle moves on and the timeline gains the status line.
    move = ciso_page.locator("form", has=ciso_page.get_by_test_id("move"))
    move.locator("[name=status]").select_option(Incident.Status.CONTAINED)
    move.locator("[name=note]").fill("送信先のドメインへの通信を遮断した。")
    ciso_page.get_by_test_id("move").click()
    expect(ciso_page).to_have_url(re.compile(rf"{re.escape(incident.get_absolute_url())}$"))
    expect(ciso_page.locator(".alert-success")).to_be_visible()
    entries = timeline_entries(ciso_page)
    expect(entries).to_have_count(before + 4)
    expect(entries.last).to_contain_text(
        f"{text_in(lang, 'Reported')} → {text_in(lang, 'Contained')}")
    expect(entries.last).to_contain_text("送信先のドメインへの通信を遮断した。")
    assert details(ciso_page)[label_in(lang, Incident, "status")] == text_in(lang, "Contained")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CONTAINED
    assert incident.triaged_at == incident.contained_at is not None
    assert incident.entries.filter(kind=IncidentEntry.Kind.STATUS).count() == 1
    expect(ciso_page.locator("html")).to_have_attribute("lang", lang)  # the choice persisted

    assert not problems(log), "\n".join(problems(log))
