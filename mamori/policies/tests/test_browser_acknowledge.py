"""Acknowledging the basic policy in a real browser (Playwright + Debian's chromium).

The CISO has published Mamori's model basic policy. An auditor sees 0 % coverage; a member of
staff switches the UI to Japanese, finds the policy on My page, reads the Japanese text and
acknowledges it; the auditor then sees the coverage on the document page and the Art 2 check
on the conformance dashboard go up by exactly one person. No page may trip the Content
Security Policy or throw a JavaScript error.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py. Needs
/usr/bin/chromium; run with `pytest -m browser`, skip with `-m "not browser"`.
"""

import re
from pathlib import Path

import pytest
from django.db import connections

from mamori.core.tests import test_browser as ui
from mamori.policies import coverage, workflow
from mamori.policies.model_policy import load_model_policies
from mamori.policies.models import Acknowledgement, PolicyDocument

expect = ui.expect
pytestmark = ui.pytestmark

# The shared fixtures (assigned, not imported by name, so pytest finds them in this module).
live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser

ART2_CHECK = "policies.art2.basic_policy_acknowledged"
BASIC = "basic-policy"
BASIC_TITLE_JA = "情報セキュリティ基本方針"


@pytest.fixture
def published_org(live_org):
    """The Org, with the model policies loaded (drafts) and the basic policy published by the
    CISO through the workflow steps; committed, so the live server sees it."""
    load_model_policies(live_org.company)
    document = PolicyDocument.objects.get(code=BASIC)
    version = document.versions.get()
    for step in ("submit", "approve", "publish"):
        workflow.STEPS[step].function(live_org.users["ciso"], version)
    version.refresh_from_db()
    assert version.status == version.Status.PUBLISHED
    live_org.basic_policy, live_org.basic_version = document, version
    return live_org


class Session:
    """One user's browser context (own cookies, own language), logging its console and every
    response that failed."""

    def __init__(self, browser, log: dict[str, list[str]], name: str):
        self.context = browser.new_context(locale="en-US",
                                           viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(ui.WAIT_MS)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: log["console"].append(f"{name} {m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: log["console"].append(f"{name} pageerror: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and log["responses"].append(
            f"{name} {r.status} {r.url}"))


@pytest.fixture
def sessions(browser):
    log: dict[str, list[str]] = {"console": [], "responses": []}
    opened: list[Session] = []

    def open_session(name: str) -> Session:
        opened.append(Session(browser, log, name))
        return opened[-1]

    yield open_session, log
    for session in opened:
        session.context.close()
    # While Playwright's event loop runs in this thread, Django keeps the ORM queries the test
    # makes on a connection of their own, which the test database's teardown does not see:
    # PostgreSQL would then refuse to drop the database ("being accessed by other users").
    connections.close_all()


def log_in(page, base: str, username: str, next_path: str):
    """Log in through the form, going on to `next_path` (as from a link in a reminder)."""
    page.goto(f"{base}/accounts/login/?next={next_path}")
    form = ui.form_with(page, "input[name=login]")
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(f"x-{username}-password-1")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(next_path)}$"))


def problems(log: dict[str, list[str]]) -> list[str]:
    """CSP violations, JavaScript errors, console errors and failed requests (bar a missing
    favicon; failed requests are listed with their URL, not as console errors)."""
    failed = [line for line in log["responses"] if not line.endswith("/favicon.ico")]
    errors = [line for line in log["console"]
              if "Content Security Policy" in line or " pageerror: " in line
              or (" error: " in line and "Failed to load resource" not in line)]
    return errors + failed


def percent(text: str) -> float:
    match = re.search(r"(\d+(?:\.\d+)?)\s*%", text)
    assert match, text
    return float(match[1])


def screenshot(page, path: Path) -> None:
    ui.screenshot(page, path)
    assert path.stat().st_size > 10_000, path  # a rendered page, not a blank one


def test_staff_acknowledges_the_basic_policy(live_server, published_org, sessions, tmp_path):
    base = live_server.url
    org = published_org
    open_session, log = sessions
    document_url = f"{base}{org.basic_policy.get_absolute_url()}"
    audience = coverage.coverage(org.basic_policy).total
    # Officers, executive officers, employees and dispatched workers still employed: the
    # CISO, the manager, staff, it_staff (dispatched) and the auditor; the admin is no person.
    assert audience == 5

    # 1. The auditor (no second factor required) sees nobody has acknowledged yet.
    auditor = open_session("auditor").page
    log_in(auditor, base, "auditor", org.basic_policy.get_absolute_url())
    coverage_box = auditor.get_by_test_id("coverage-percent")
    expect(coverage_box).to_have_text(re.compile(r"^\s*0(\.0)?%\s*$"))
    before = percent(coverage_box.inner_text())
    auditor.goto(f"{base}/dashboard/")
    check = auditor.locator(f'[data-check="{ART2_CHECK}"]')
    expect(check).to_have_count(1)
    expect(check).to_contain_text("measured: 0.0%")

    # 2. Staff logs in and switches the UI to Japanese.
    staff = open_session("staff").page
    log_in(staff, base, "staff", "/me/")
    expect(staff.locator("html")).to_have_attribute("lang", "en")
    ui.switch_language(staff, "ja")
    expect(staff).to_have_url(re.compile(r"/me/$"))

    # 3. My page lists the basic policy, by its Japanese title, to read.
    panel = staff.get_by_test_id("to-acknowledge")
    expect(panel).to_contain_text(BASIC_TITLE_JA)
    read = staff.get_by_test_id(f"read-{BASIC}")
    expect(read).to_have_count(1)
    screenshot(staff, tmp_path / "my-page-before.png")
    read.click()

    # 4. The version page shows the Japanese text, rendered from Markdown.
    expect(staff).to_have_url(re.compile(rf"{org.basic_version.get_absolute_url()}$"))
    expect(staff.locator("html")).to_have_attribute("lang", "ja")
    expect(staff.locator(".page-title")).to_contain_text(BASIC_TITLE_JA)
    article_1 = staff.locator(".mamori-policy-text h2#art-1")
    expect(article_1).to_contain_text("第1条")
    expect(staff.locator(".mamori-policy-text h2")).to_have_count(
        len(org.basic_policy.sections.all()))
    expect(staff.get_by_test_id("text-language").locator(".active")).to_have_text("日本語")
    expect(staff.get_by_test_id("acknowledge-end")).to_be_visible()  # also below the text
    screenshot(staff, tmp_path / "version.png")

    # 5. Acknowledge: a success message, the button gone, the evidence recorded.
    staff.get_by_test_id("acknowledge").click()
    expect(staff.locator(".alert-success")).to_be_visible()
    expect(staff.locator(".alert-success")).to_contain_text(BASIC_TITLE_JA)
    expect(staff.get_by_test_id("acknowledge")).to_have_count(0)
    expect(staff.get_by_test_id("acknowledge-end")).to_have_count(0)
    ack = Acknowledgement.objects.get(person=org.people["staff"])
    assert ack.version == org.basic_version
    assert ack.content_hash == org.basic_version.content_hash
    assert ack.session and ack.user_agent  # evidence of the session and the browser

    # 6. My page no longer lists it.
    staff.goto(f"{base}/me/")
    expect(staff.get_by_test_id(f"read-{BASIC}")).to_have_count(0)
    expect(panel.locator(".list-group-item")).to_have_count(1)  # "nothing to acknowledge"
    expect(panel.locator(".list-group-item a")).to_have_count(0)
    expect(panel.locator(".card-footer")).to_contain_text(f"{BASIC_TITLE_JA} v1")
    screenshot(staff, tmp_path / "my-page-after.png")

    # 7. The auditor sees the coverage go up by exactly one person of the audience.
    expected = round(100.0 * 1 / audience, 1)
    auditor.goto(document_url)
    expect(coverage_box).not_to_have_text(re.compile(r"^\s*0(\.0)?%\s*$"))
    after = percent(coverage_box.inner_text())
    assert after - before == pytest.approx(100.0 / audience, abs=0.05)
    assert after == expected
    expect(auditor.locator(".card", has=coverage_box)).to_contain_text(f"1 of {audience}")
    screenshot(auditor, tmp_path / "document.png")
    auditor.get_by_test_id("coverage-link").click()
    expect(auditor).to_have_url(re.compile(r"/coverage/$"))
    expect(auditor.get_by_test_id("coverage-percent")).to_have_text(f"{expected}%")
    expect(auditor.get_by_test_id("remind")).to_have_count(0)  # reminders are the owners'
    screenshot(auditor, tmp_path / "coverage.png")
    auditor.goto(f"{base}/dashboard/")
    expect(check).to_contain_text(f"measured: {expected}%")
    expect(check).to_contain_text(f"{audience - 1} failing objects")
    # Opening the failing objects loads them from the check's page: the four who have not
    # acknowledged, each a link to the person.
    check.get_by_text(f"{audience - 1} failing objects").click()
    failing = check.get_by_test_id("failing-list")
    expect(failing.locator("li a")).to_have_count(audience - 1)
    staff_url = org.people["staff"].get_absolute_url()
    expect(failing.locator(f'a[href="{staff_url}"]')).to_have_count(0)  # acknowledged
    screenshot(auditor, tmp_path / "dashboard.png")

    assert not problems(log), "\n".join(problems(log))
