"""First login of a CISO (issue 16 #19): straight from the password to TOTP enrolment with no
second password prompt, the secret shown in full, recovery codes in the site layout with a way
on, and one sentence saying why a second factor is required."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from mamori.core.tests.test_browser import fresh_totp_code

WHY_EN = ("The CISO and administrators must use a second factor because they can change "
          "everyone's records.")
WHY_JA = "CISOと管理者は全員の記録を変更できるため、二要素認証が必須です。"


def log_in_with_password(client: Client, username: str, password: str):
    response = client.post(reverse("account_login"), {"login": username, "password": password},
                           follow=True)
    assert response.status_code == 200
    return response


def secret_on(page: str) -> str:
    match = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+=*)"', page)
    assert match, "the activation page shows no secret"
    return match.group(1)


@pytest.mark.django_db
def test_ciso_enrols_totp_right_after_first_login_without_a_second_password_prompt(org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = log_in_with_password(client, "ciso", "x-ciso-password-1")

    # Sent to enrolment, not to a re-authentication form.
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    page = response.content.decode()
    assert 'name="password"' not in page
    assert 'name="code"' in page
    assert WHY_EN in page
    # The full secret, in a selectable monospace field, next to the QR code.
    secret = secret_on(page)
    assert len(secret) >= 16
    assert re.search(r'<input id="authenticator_secret"[^>]*class="[^"]*font-monospace', page)
    assert "data:image/svg+xml;base64," in page

    response = client.post(reverse("mfa_activate_totp"), {"code": fresh_totp_code(secret)},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    page = response.content.decode()
    assert [t.name for t in response.templates][:2] == [
        "mfa/recovery_codes/index.html", "core/base.html"]
    assert re.search(r'<textarea id="recovery_codes"[^>]*>\s*\w+', page)
    assert f'href="{reverse("core:home")}"' in page
    assert 'data-testid="mfa-continue"' in page
    assert WHY_EN in page

    # The way on leads into the application: the session passed its second factor.
    assert client.get(reverse("core:home"), follow=True).redirect_chain[-1:] != [
        (reverse("mfa_activate_totp"), 302)]


@pytest.mark.django_db
def test_removing_the_second_factor_still_asks_for_the_password(org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = log_in_with_password(client, "ciso", "x-ciso-password-1").content.decode()
    client.post(reverse("mfa_activate_totp"), {"code": fresh_totp_code(secret_on(page))})

    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]


@pytest.mark.django_db
def test_why_sentence_in_japanese(org):
    client = Client()
    page = log_in_with_password(client, "admin", "x-admin-password-1").content.decode()
    assert WHY_JA in page


@pytest.mark.django_db
def test_why_sentence_on_the_other_second_factor_pages(org):
    client = org.client("ciso")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert WHY_EN in client.get(reverse("mfa_index")).content.decode()
    # Replacing the recovery codes is not part of the first enrolment: it asks again.
    response = client.get(reverse("mfa_generate_recovery_codes"))
    assert reverse("account_reauthenticate") in response["Location"]
