"""Authentication and security defaults: argon2id, MFA for CISO and administrators, login rate
limiting, API tokens, CSP, closed sign-up, language switching."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mamori.core.models import ApiToken, ChangeLogEntry, User
from mamori.core.testing import api_client


def test_production_hasher_is_argon2id():
    # conftest swaps in a fast hasher for tests; the real setting is read from the module.
    from mamori import settings as mamori_settings

    assert mamori_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().algorithm == "argon2"
    encoded = Argon2PasswordHasher().encode("a-password", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


@pytest.mark.django_db
class TestMfa:
    def test_admin_and_ciso_without_totp_are_sent_to_set_it_up(self, org):
        for name in ("admin", "ciso"):
            client = Client()
            client.force_login(org.users[name])
            response = client.get("/org/people/")
            assert response.status_code == 302
            assert "/accounts/2fa/totp/activate/" in response["Location"]

    def test_others_are_not_forced(self, org):
        for name in ("manager", "auditor", "staff"):
            client = Client()
            client.force_login(org.users[name])
            assert client.get("/org/departments/").status_code == 200

    def test_with_totp_the_ciso_works(self, org):
        assert org.client("ciso").get("/org/people/").status_code == 200

    def test_activation_is_in_the_change_log(self, org):
        org.client("ciso")
        assert ChangeLogEntry.objects.filter(model="mfa.authenticator", action="create").exists()


@pytest.mark.django_db
def test_login_is_rate_limited(org, settings):
    client = Client()
    url = "/accounts/login/"
    for _ in range(5):
        response = client.post(url, {"login": "staff", "password": "wrong-password"})
        assert "_auth_user_id" not in client.session
    # Past 5 failures for this account, even the right password is refused for a while.
    response = client.post(url, {"login": "staff", "password": "x-staff-password-1"})
    assert "_auth_user_id" not in client.session
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Too many failed login attempts" in errors or "ログイン" in errors


@pytest.mark.django_db
def test_password_login_works(org):
    client = Client()
    response = client.post("/accounts/login/", {"login": "staff",
                                                "password": "x-staff-password-1"})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_signup_is_closed(org):
    response = Client().get("/accounts/signup/")
    assert response.status_code == 404  # not mounted at all (core/account_urls.py)
    assert User.objects.filter(username="intruder").count() == 0
    Client().post("/accounts/signup/", {"username": "intruder", "password1": "Zx9!long-pass-1",
                                        "password2": "Zx9!long-pass-1"})
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.django_db
class TestApiTokens:
    def test_token_is_stored_hashed_and_works(self, org):
        token, raw = ApiToken.issue(org.users["staff"], "laptop", 30)
        assert raw not in (token.digest, token.prefix)
        assert token.digest == ApiToken.digest_of(raw)
        client = api_client(org.users["staff"])
        assert client.get("/api/org/people/").status_code == 200
        entry = ChangeLogEntry.objects.filter(model="core.apitoken").first()
        assert entry.after["digest"] == "[redacted]"

    def test_expired_and_revoked_tokens_are_refused(self, org):
        from rest_framework.test import APIClient

        token, raw = ApiToken.issue(org.users["staff"], "old", 30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        assert client.get("/api/org/people/").status_code == 200
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1))
        assert client.get("/api/org/people/").status_code == 401
        token2, raw2 = ApiToken.issue(org.users["staff"], "new", 30)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw2}")
        assert client.get("/api/org/people/").status_code == 200
        assert client.delete(f"/api/tokens/{token2.pk}/").status_code == 204
        assert client.get("/api/org/people/").status_code == 401
        client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert client.get("/api/org/people/").status_code == 401

    def test_create_via_api_shows_token_once(self, org):
        from rest_framework.test import APIClient

        client = APIClient()  # tokens are issued from a signed-in session
        client.cookies = org.client("staff").cookies
        response = client.post("/api/tokens/", {"name": "ci", "days": 7}, format="json")
        assert response.status_code == 201
        raw = response.json()["token"]
        assert raw.startswith("mam_")
        listed = client.get("/api/tokens/").json()["results"]
        assert all("token" not in t or t["token"] in (None, "") for t in listed)

    def test_tokens_page(self, org):
        client = org.client("staff")
        response = client.post("/me/tokens/", {"name": "script", "days": 10})
        assert response.status_code == 200
        raw = response.context["new_token"]
        assert ApiToken.objects.get(digest=ApiToken.digest_of(raw)).user == org.users["staff"]

    def test_users_see_only_their_own_tokens(self, org):
        other, _raw = ApiToken.issue(org.users["manager"], "mine", 30)
        client = api_client(org.users["staff"])
        assert client.get(f"/api/tokens/{other.pk}/").status_code == 404
        assert client.delete(f"/api/tokens/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_security_headers(org):
    response = org.client("staff").get("/me/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]
    # No inline script in our pages: every <script> has a src.
    html = response.content.decode()
    assert html.count("<script") == html.count("<script src=")


@pytest.mark.django_db
def test_swagger_ui_is_served_locally_without_inline_script(org):
    response = org.client("staff").get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert html.count("<script") == html.count("<script src=")


@pytest.mark.django_db
def test_language_switch(org):
    client = org.client("staff")
    client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert 'lang="en"' in client.get("/me/").content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/me/"})
    page = client.get("/me/").content.decode()
    assert 'lang="ja"' in page
    assert "マイページ" in page


@pytest.mark.django_db
def test_staff_sees_only_their_own_person(org):
    client = org.client("staff")
    response = client.get("/org/people/")
    assert [obj.pk for obj, _c in response.context["rows"]] == [org.people["staff"].pk]
    assert client.get(f"/org/people/{org.people['manager'].pk}/").status_code == 404
    rows = api_client(org.users["staff"]).get("/api/org/people/").json()["results"]
    assert [r["id"] for r in rows] == [org.people["staff"].pk]


@pytest.mark.django_db
def test_admin_site_changes_are_logged(org):
    client = org.client("admin")
    User.objects.filter(pk=org.users["admin"].pk).update(is_staff=True, is_superuser=True)
    dept = org.it
    response = client.post(f"/admin/org/department/{dept.pk}/change/", {
        "code": dept.code, "name_ja": "情報システム部", "name_en": dept.name_en,
        "parent": dept.parent_id, "is_active": "on"})
    assert response.status_code == 302
    entry = ChangeLogEntry.objects.filter(model="org.department", object_id=str(dept.pk),
                                          action="update").get()
    assert entry.source == "admin" and entry.actor_name == "admin"


def test_deploy_settings_are_secure_by_default():
    assert django_settings.SESSION_COOKIE_HTTPONLY
    from mamori import settings as mamori_settings

    assert mamori_settings.SECURE_SSL_REDIRECT is True or not mamori_settings.HTTPS
    assert mamori_settings.SECURE_HSTS_SECONDS >= 63072000 or not mamori_settings.HTTPS
    # The language cookie, too, is not for scripts nor for plain HTTP (found by wapiti).
    assert mamori_settings.LANGUAGE_COOKIE_HTTPONLY
    assert mamori_settings.LANGUAGE_COOKIE_SECURE == mamori_settings.HTTPS


@pytest.mark.django_db
def test_api_errors_are_json_and_documented(org, client):
    api = api_client(org.users["staff"])
    response = api.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    page = org.client("staff").get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    schema = org.client("staff").get("/api/schema/?format=json").json()
    responses = schema["paths"]["/api/org/people/{id}/"]["get"]["responses"]
    assert {"401", "403", "404"} <= set(responses)


@pytest.mark.django_db
def test_the_login_page_links_once_to_the_password_reset():
    page = Client().get(reverse("account_login")).content.decode()
    assert page.count(f'href="{reverse("account_reset_password")}"') == 1
