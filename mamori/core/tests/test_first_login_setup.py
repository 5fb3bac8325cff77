"""First login, the rest of issue 16 #19: copy buttons beside the TOTP secret and the recovery
codes, no module menu while a user still has something to set up (only that step, the
language switch and logging out), the start page after a password change, and every allauth
page on the way in the site layout, in Japanese and English."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from mamori.core.models import User
from mamori.core.tests.test_browser import fresh_totp_code
from mamori.core.tests.test_first_login_mfa import log_in_with_password, secret_on

LANGUAGES = ["ja", "en"]
HREF = re.compile(r'href="(/[^"]*)"')
NOT_FOLLOWED = ("/accounts/logout/", "/i18n/", "/static/")
COPIED = {"en": "Copied", "ja": "コピーしました"}
SETUP_LABELS = {
    "en": {"password": "Change your password", "totp": "Set up two-factor authentication"},
    "ja": {"password": "パスワードを変更する", "totp": "二要素認証を設定する"},
}
NEW_PASSWORD = "a-new-long-password-9"


def client_in(lang: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=lang)


def must_change_password(org, username: str) -> None:
    User.objects.filter(pk=org.users[username].pk).update(must_change_password=True)


def enrolled_admin(lang: str) -> tuple[Client, str]:
    """The administrator's first login, through TOTP enrolment: (client, recovery-code page)."""
    client = client_in(lang)
    page = log_in_with_password(client, "admin", "x-admin-password-1").content.decode()
    response = client.post(reverse("mfa_activate_totp"),
                           {"code": fresh_totp_code(secret_on(page))}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    return client, response.content.decode()


def copy_button(page: str, target: str) -> str:
    match = re.search(rf'<button [^>]*data-copy-target="{target}"[^>]*>', page)
    assert match, f"no copy button for #{target}"
    return match.group(0)


def assert_copy_button(page: str, target: str, lang: str) -> None:
    button = copy_button(page, target)
    assert 'type="button"' in button
    # Hidden until static/mamori/copy.js shows it: no dead button without JavaScript.
    assert " hidden" in button
    assert f'data-copied-text="{COPIED[lang]}"' in button
    assert f'data-copy-status="{target}_status"' in button
    status = re.search(rf'<div id="{target}_status"[^>]*>', page)
    assert status, "no live region for the copy button"
    assert 'role="status"' in status.group(0) and 'aria-live="polite"' in status.group(0)
    assert '<script src="/static/mamori/copy.js" defer></script>' in page


def internal_links(page: str) -> list[str]:
    return sorted({h.replace("&amp;", "&") for h in HREF.findall(page)
                   if not h.startswith(NOT_FOLLOWED)})


# --- 1. copy buttons --------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_copy_button_beside_the_secret_and_beside_the_recovery_codes(org, lang):
    client = client_in(lang)
    page = log_in_with_password(client, "admin", "x-admin-password-1").content.decode()
    assert_copy_button(page, "authenticator_secret", lang)
    # Beside the secret: in the same input group.
    assert re.search(r'<div class="input-group">\s*<input id="authenticator_secret"[^>]*>\s*'
                     r'<button [^>]*data-copy-target="authenticator_secret"', page)

    response = client.post(reverse("mfa_activate_totp"),
                           {"code": fresh_totp_code(secret_on(page))}, follow=True)
    assert_copy_button(response.content.decode(), "recovery_codes", lang)


def test_the_copy_script_uses_the_clipboard_then_selects_and_announces():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    script = Path(finders.find("mamori/copy.js")).read_text(encoding="utf-8")
    assert "navigator.clipboard.writeText" in script
    assert "select()" in script and 'execCommand("copy")' in script
    assert "status.textContent" in script


# --- 2. no menu while setting up -------------------------------------------------------------

def assert_setup_layout(client: Client, page: str, lang: str, step: str, step_url: str):
    assert 'aria-label="Modules"' not in page and 'aria-label="機能"' not in page
    assert 'data-testid="nav-my-page"' not in page
    assert 'data-testid="setup-nav"' in page
    assert re.search(rf'<a class="nav-link" href="{re.escape(step_url)}" data-testid="setup-step">'
                     rf'{SETUP_LABELS[lang][step]}</a>', page)
    assert 'id="language-form"' in page
    assert 'action="/accounts/logout/"' in page
    for url in (reverse("core:my_page"), reverse("core:tokens"), reverse("core:dashboard")):
        assert f'href="{url}"' not in page
    # No dead end: every link shown opens a page, none sends the user back elsewhere.
    for href in internal_links(page):
        response = client.get(href)
        assert response.status_code == 200, (href, response.status_code,
                                              response.get("Location"))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_while_enrolling_the_second_factor_only_the_step_language_and_logout(org, lang):
    client = client_in(lang)
    page = log_in_with_password(client, "ciso", "x-ciso-password-1").content.decode()
    assert_setup_layout(client, page, lang, "totp", reverse("mfa_activate_totp"))
    # The 2FA overview is a page of the setup too: same layout.
    page = client.get(reverse("mfa_index")).content.decode()
    assert_setup_layout(client, page, lang, "totp", reverse("mfa_activate_totp"))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_while_a_generated_password_must_be_changed_only_that_step(org, lang):
    must_change_password(org, "staff")
    client = client_in(lang)
    response = log_in_with_password(client, "staff", "x-staff-password-1")
    assert response.redirect_chain[-1][0] == reverse("account_change_password")
    assert_setup_layout(client, response.content.decode(), lang, "password",
                        reverse("account_change_password"))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_menu_is_back_once_set_up(org, lang):
    _client, page = enrolled_admin(lang)
    assert 'data-testid="setup-nav"' not in page
    assert f'href="{reverse("core:dashboard")}"' in page
    page = org.client("staff").get(reverse("core:my_page"),
                                   HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert 'data-testid="setup-nav"' not in page
    assert 'data-testid="nav-my-page"' in page


# --- 3. after a password change: the start page, or the second factor still owed --------------

def change_password(client: Client, old: str):
    return client.post(reverse("account_change_password"), {
        "oldpassword": old, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_land_on_my_page_after_changing_a_generated_password(org, lang):
    must_change_password(org, "staff")
    client = client_in(lang)
    log_in_with_password(client, "staff", "x-staff-password-1")
    response = change_password(client, "x-staff-password-1")
    assert response.redirect_chain == [(reverse("core:my_page"), 302)]
    page = response.content.decode()
    changed = {"en": "Password successfully changed.", "ja": "パスワードを変更しました。"}
    assert changed[lang] in page
    assert 'data-testid="nav-my-page"' in page  # set up: the menu is back


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_ciso_goes_on_to_enrol_after_changing_a_generated_password(org, lang):
    must_change_password(org, "ciso")
    client = client_in(lang)
    response = log_in_with_password(client, "ciso", "x-ciso-password-1")
    assert response.redirect_chain[-1][0] == reverse("account_change_password")
    response = change_password(client, "x-ciso-password-1")
    assert response.redirect_chain == [(reverse("mfa_activate_totp"), 302)]
    page = response.content.decode()
    assert 'name="password"' not in page and 'name="code"' in page
    assert_setup_layout(client, page, lang, "totp", reverse("mfa_activate_totp"))


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "start"), [("ciso", "core:dashboard"),
                                                 ("staff", "core:my_page")])
def test_a_voluntary_password_change_lands_on_the_start_page(org, username, start):
    client = org.client(username)
    response = change_password(client, f"x-{username}-password-1")
    assert response.redirect_chain == [(reverse(start), 302)]


# --- 4. every allauth page on the way in, in the site layout ---------------------------------

def assert_site_layout(response, lang: str) -> None:
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "core/base.html" in names, names
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert "Menu:" not in page and "メニュー:" not in page  # allauth's bare layout
    assert 'href="/static/vendor/tabler/tabler.min.css"' in page
    headings = re.findall(r'<h1 class="page-title">\s*(?:<span>)?([^<]*?)\s*<', page)
    assert len(headings) == 1 and headings[0], headings  # one heading, not empty
    title = re.search(r"<title>\s*([^<]*?)\s*·", page)
    assert title and title.group(1)
    if lang == "ja":
        assert re.search(r"[^\x00-\x7f]", headings[0]), headings[0]  # translated


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pages_of_a_first_login_are_in_the_site_layout(org, lang):
    # Sign-in, then the enrolment and the recovery codes.
    client = client_in(lang)
    assert_site_layout(client.get(reverse("account_login")), lang)
    response = log_in_with_password(client, "admin", "x-admin-password-1")
    assert_site_layout(response, lang)  # TOTP activation
    assert_site_layout(client.get(reverse("mfa_index")), lang)
    assert_site_layout(client.get(reverse("account_change_password")), lang)
    response = client.post(reverse("mfa_activate_totp"),
                           {"code": fresh_totp_code(secret_on(response.content.decode()))},
                           follow=True)
    assert_site_layout(response, lang)  # recovery codes
    # Replacing the codes asks for the password (or a code) first: both pages, then the page.
    response = client.get(reverse("mfa_generate_recovery_codes"), follow=True)
    assert_site_layout(response, lang)
    assert_site_layout(client.get(reverse("mfa_reauthenticate")), lang)
    response = client.post(response.redirect_chain[-1][0],
                           {"password": "x-admin-password-1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_generate_recovery_codes")
    assert_site_layout(response, lang)
    assert 'data-testid="mfa-why"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_second_factor_step_of_a_later_login_is_in_the_site_layout(org, lang):
    _enrolled, _page = enrolled_admin(lang)  # the administrator now has TOTP
    client = client_in(lang)
    response = log_in_with_password(client, "admin", "x-admin-password-1")
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert_site_layout(response, lang)
    page = response.content.decode()
    # Cancel is not a second primary action.
    assert re.search(r'<button class="btn btn-outline-secondary" form="logout-from-stage"', page)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_session_that_skipped_its_second_factor_is_shown_only_the_way_to_sign_in(org, lang):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from mamori.core.testing import signed_in_client

    TOTP.activate(org.users["ciso"], generate_totp_secret())  # enrolled, but not this session
    client = signed_in_client(org.users["ciso"], second_factor=False)
    # The password-reset page is open to every session, so it renders for this one too.
    page = client.get(reverse("account_reset_password"),
                      HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    label = {"en": "Sign in again", "ja": "もう一度ログインする"}[lang]
    assert re.search(rf'href="{reverse("account_login")}" data-testid="setup-step">{label}<',
                     page)
    assert 'data-testid="nav-my-page"' not in page
    response = client.get(reverse("account_login"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert 'name="password"' in response.content.decode()  # signed out, asked to sign in
