"""The real UI in a real browser: Playwright driving Debian's chromium against a live server.

An administrator logs in, is made to set up TOTP (the code is computed here, RFC 6238),
switches the UI to Japanese, looks at the conformance dashboard, creates a department and a
person in it through the forms, and finds the person's creation in its history tab. No page
may trip the Content Security Policy.

Needs /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`); never downloads a browser.
Run only these with `pytest -m browser`, skip them with `-m "not browser"`.
"""

import base64
import hashlib
import hmac
import os
import re
import struct
import time
from pathlib import Path

import pytest
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

from mamori.conftest import Org

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WAIT_MS = 15_000
ARTICLES = [str(n) for n in range(1, 13)] + ["web"]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=WAIT_MS)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live_server(request):
    """pytest-django's live server, started under plain-HTTP settings.

    The server builds its middleware once, when it starts, and SecurityMiddleware reads
    SECURE_SSL_REDIRECT then: pytest-django's session-wide server starts before the per-test
    `_plain_http_in_tests` fixture and would redirect every request to https."""
    addr = (request.config.getvalue("liveserver")
            or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def live_org(transactional_db, settings, monkeypatch):
    """The shared organisation, committed so the live server's thread sees it."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    # Playwright's sync API keeps an asyncio loop in this thread; the ORM calls the test
    # makes itself (and the database flush afterwards) would otherwise be refused.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return Org()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def console():
    """Every console message of the page, as 'type: text' (CSP violations land here)."""
    return []


@pytest.fixture
def page(browser, console):
    # An English browser, so switching to Japanese is a visible change.
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    yield page
    context.close()


# --- helpers ----------------------------------------------------------------------------------

def screenshot(page, path) -> None:
    """A full-page screenshot for a person to look at (nothing asserts on it).

    Chromium now and then answers a capture with "Unable to capture screenshot" when the
    machine is busy (a compositor frame was not ready); that says nothing about the page, so
    the capture is tried once more after the page has settled."""
    try:
        page.screenshot(path=str(path), full_page=True)
    except sync_api.Error as error:
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(path), full_page=True)


def totp_code(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) for a base32 secret."""
    secret = re.sub(r"\s", "", secret).upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** digits:0{digits}d}"


def fresh_totp_code(secret: str) -> str:
    """A code with at least a few seconds left in its 30 s window."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.5)
    return totp_code(secret)


def form_with(page, field_selector: str):
    """The form holding the given field (pages also carry the language form)."""
    return page.locator("form", has=page.locator(field_selector))


def log_in(page, base_url: str, username: str, password: str):
    page.goto(f"{base_url}/accounts/login/")
    form = form_with(page, "input[name=login]")
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def activate_totp(page):
    """On the activation page: read the secret, answer with the current code."""
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    form = form_with(page, "input[name=code]")
    form.locator("input[name=code]").fill(fresh_totp_code(secret))
    form.locator("button[type=submit]").click()
    # allauth shows the freshly generated recovery codes next.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.locator("#recovery_codes")).not_to_be_empty()


def copy_with_button(page, target: str, copied: str):
    """Click the copy button beside #target: its live region says `copied` (the clipboard
    itself is read only where the browser lets the test, see the Japanese first login)."""
    button = page.get_by_test_id(f"copy-{target}")
    expect(button).to_be_visible()  # shown by static/mamori/copy.js
    button.click()
    status = page.get_by_test_id(f"copy-status-{target}")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(copied)


def switch_language(page, code: str):
    page.get_by_test_id(f"lang-{code}").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.get_by_test_id(f"lang-{code}")).to_have_class(re.compile(r"\bbtn-primary\b"))


def fill_form(page, values: dict[str, str]):
    """Fill a model form by field name; a select's option is matched by value or label."""
    for name, value in values.items():
        field = page.locator(f"form [name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def create_through_ui(page, list_url: str, values: dict[str, str]):
    """List page → Create → fill the form → Save; ends on the new object's detail page."""
    page.goto(list_url)
    page.get_by_test_id("create").click()
    expect(page).to_have_url(re.compile(r"/new/$"))
    fill_form(page, values)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()


def csp_violations(console: list[str]) -> list[str]:
    return [line for line in console if "Content Security Policy" in line]


# --- the tests --------------------------------------------------------------------------------

def test_admin_sets_up_mfa_and_records_a_person(live_server, live_org, page, console,
                                                 tmp_path):
    base = live_server.url

    # 1-2. Log in; an administrator without a second factor must set up TOTP first.
    password = "x-admin-password-1"
    log_in(page, base, "admin", password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate"))
    # Nothing to do elsewhere yet: no module menu, only this step (and language, log out).
    expect(page.get_by_test_id("setup-step")).to_be_visible()
    expect(page.get_by_test_id("nav-my-page")).to_have_count(0)
    copy_with_button(page, "authenticator_secret", "Copied")
    screenshot(page, tmp_path / "totp-en.png")
    activate_totp(page)  # straight there: no second password prompt after the login
    copy_with_button(page, "recovery_codes", "Copied")
    screenshot(page, tmp_path / "recovery-codes-en.png")
    expect(page.get_by_test_id("setup-step")).to_have_count(0)  # set up: the menu is back

    # 3. English (from the browser's Accept-Language), then Japanese via the language form.
    page.goto(f"{base}/org/departments/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    table = page.get_by_test_id("list-table")
    expect(table).to_contain_text("Head office")
    switch_language(page, "ja")
    expect(page).to_have_url(re.compile(r"/org/departments/$"))
    expect(table).to_contain_text("本社")
    expect(table).not_to_contain_text("Head office")

    # 4. The conformance dashboard: one card per article of the policy, plus the web systems.
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")  # the choice persists
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard).to_be_visible()
    for article in ARTICLES:
        expect(dashboard.locator(f'[data-article="{article}"]')).to_have_count(1)
    expect(dashboard.locator("[data-article]")).to_have_count(len(ARTICLES))
    # A check's failing objects are loaded when opened, in Japanese like the page.
    failing = dashboard.get_by_test_id("failing").first
    expect(failing.locator("summary")).to_contain_text("不適合の対象")
    failing.locator("summary").click()
    expect(failing.get_by_test_id("failing-list")).to_be_visible()
    expect(failing.get_by_test_id("failing-list").locator("li").first).to_be_visible()
    screenshot(page, tmp_path / "dashboard.png")
    # Tabler's stylesheet is applied (not just linked): its .page is a flex column.
    assert page.locator(".page").evaluate("el => getComputedStyle(el).display") == "flex"

    # 5. A department under 本社, then a person in it, through the forms.
    create_through_ui(page, f"{base}/org/departments/", {
        "code": "D300", "name_ja": "品質保証部", "name_en": "Quality assurance",
        "parent": "本社",
    })
    expect(page.locator(".page-title")).to_contain_text("品質保証部")
    create_through_ui(page, f"{base}/org/people/", {
        "employee_no": "P900", "name": "品質 花子", "name_latin": "Hanako Hinshitsu",
        "category": "employee",
        "department": "品質保証部",
    })
    expect(page.locator(".page-title")).to_contain_text("品質 花子")

    # 6. Its history holds exactly one entry: the creation, by admin, from the UI.
    page.get_by_test_id("history-tab").click()
    expect(page).to_have_url(re.compile(r"/org/people/\d+/history/$"))
    entries = page.get_by_test_id("history-entry")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("admin")
    expect(entries.first).to_contain_text("(ui)")
    expect(entries.first.locator(".badge.bg-green-lt")).to_have_count(1)  # action: create

    assert not csp_violations(console), "\n".join(csp_violations(console))
    assert not [line for line in console if line.startswith("pageerror")], console


def test_ciso_first_login_in_japanese_copies_secret_and_codes(live_server, live_org, browser,
                                                              console, tmp_path):
    base = live_server.url
    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))

    log_in(page, base, "ciso", "x-ciso-password-1")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_test_id("setup-step")).to_have_text("二要素認証を設定する")
    copy_with_button(page, "authenticator_secret", "コピーしました")
    secret = page.locator("#authenticator_secret").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, tmp_path / "totp-ja.png")

    activate_totp(page)
    copy_with_button(page, "recovery_codes", "コピーしました")
    codes = page.locator("#recovery_codes").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == codes
    screenshot(page, tmp_path / "recovery-codes-ja.png")
    page.get_by_test_id("mfa-continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    context.close()

    assert not csp_violations(console), "\n".join(csp_violations(console))
    assert not [line for line in console if line.startswith("pageerror")], console


def test_totp_code_matches_rfc_6238():
    # RFC 6238, appendix B: SHA-1 key "12345678901234567890" gives 94287082 at T=59 (8 digits).
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, at=59, digits=8) == "94287082"
    assert totp_code(secret, at=1111111109) == "081804"
