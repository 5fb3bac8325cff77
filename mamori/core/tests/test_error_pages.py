"""Error pages: in the site's layout and the reader's language, with a way back; JSON under
/api/. Run with DEBUG off, as in production (Django shows its debug pages otherwise)."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from mamori.core.views import errors

pytestmark = pytest.mark.django_db

# What each page says, in each language (the titles).
TITLES = {
    400: {"en": "Bad request", "ja": "不正なリクエスト"},
    403: {"en": "Not permitted", "ja": "権限がありません"},
    404: {"en": "Page not found", "ja": "ページが見つかりません"},
    500: {"en": "Server error", "ja": "サーバーエラー"},
    "csrf": {"en": "The form has expired", "ja": "フォームの有効期限が切れました"},
}
HOME = {"en": "Go to the home page", "ja": "ホームへ"}
BACK = {"en": "Back to the previous page", "ja": "前のページへ戻る"}
LANGUAGES = ["ja", "en"]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def in_language(client, language):
    client.cookies["django_language"] = language
    return client


def assert_page(response, status, title, language, *, layout=True):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert f"{title} · Mamori</title>" in body
    assert HOME[language] in body
    assert 'href="/"' in body  # the home page
    assert 'href="/static/mamori/mamori.css"' in body  # styled like the site
    # The layout: the header with the language switch; the plain page has neither.
    assert ('data-testid="lang-en"' in body) is layout
    return body


@pytest.mark.parametrize("language", LANGUAGES)
def test_not_found_in_the_layout_and_language(org, language):
    body = assert_page(in_language(Client(), language).get("/no-such-page/"), 404,
                       TITLES[404][language], language)
    assert "Not Found</h1>" not in body  # not Django's bare page
    signed_in = in_language(org.client("staff"), language).get("/no-such-page/")
    body = assert_page(signed_in, 404, TITLES[404][language], language)
    assert "staff" in body  # the user's menu: the page is the site's, signed in


@pytest.mark.parametrize("language", LANGUAGES)
def test_forbidden_from_a_scoped_view(org, language):
    # The change log is for administrators, the CISO and auditors; its view raises
    # PermissionDenied for staff.
    response = in_language(org.client("staff"), language).get("/changelog/")
    assert_page(response, 403, TITLES[403][language], language)


def test_forbidden_says_why_when_the_refusal_does(org, english):
    response = in_language(org.client("staff"), "en").get("/admin/login/")
    body = assert_page(response, 403, TITLES[403]["en"], "en")
    assert "The administration site is for administrators only." in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_request(language):
    # A Host header not in ALLOWED_HOSTS is a SuspiciousOperation: a 400.
    response = in_language(Client(), language).get("/", HTTP_HOST="attacker.example")
    assert_page(response, 400, TITLES[400][language], language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_csrf_failure(org, language):
    client = in_language(Client(enforce_csrf_checks=True), language)
    response = client.post("/accounts/login/", {"login": "staff", "password": "x"})
    assert_page(response, 403, TITLES["csrf"][language], language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_is_the_plain_page(settings, language):
    settings.ROOT_URLCONF = "mamori.core.tests.failing_urls"
    client = in_language(Client(raise_request_exception=False), language)
    assert_page(client.get("/broken/"), 500, TITLES[500][language], language, layout=False)


def test_the_server_error_page_needs_neither_database_nor_request_context(
        django_assert_num_queries):
    request = RequestFactory().get("/broken/")  # no session, no user, no middleware
    with translation.override("en"), django_assert_num_queries(0):
        response = errors.server_error(request)
    assert_page(response, 500, TITLES[500]["en"], "en", layout=False)


def test_a_page_that_cannot_be_laid_out_falls_back_to_the_plain_page(monkeypatch):
    def broken_layout(*args, **kwargs):
        raise RuntimeError("the layout itself is broken")

    monkeypatch.setattr(errors.loader, "render_to_string", broken_layout)
    response = in_language(Client(), "en").get("/no-such-page/")
    assert_page(response, 404, TITLES[404]["en"], "en", layout=False)


def test_the_way_back_is_offered_only_to_a_page_of_this_site():
    client = in_language(Client(), "en")
    body = client.get("/no-such-page/", HTTP_REFERER="http://testserver/risks/register/"
                      ).content.decode()
    assert BACK["en"] in body and 'href="http://testserver/risks/register/"' in body
    body = client.get("/no-such-page/", HTTP_REFERER="https://elsewhere.example/").content.decode()
    assert BACK["en"] not in body and "elsewhere.example" not in body


def csrf_checking(client):
    client.handler.enforce_csrf_checks = True
    return client


def test_the_api_answers_errors_in_json(org, settings):
    settings.ROOT_URLCONF = "mamori.core.tests.failing_urls"
    client = Client(raise_request_exception=False)
    cases = [
        (client.get("/api/no-such-thing/"), 404),
        (client.get("/api/broken/"), 500),
        (client.get("/api/org/people/", HTTP_HOST="attacker.example"), 400),
        (csrf_checking(org.client("staff")).post("/api/tokens/", {}), 403),
    ]
    for response, status in cases:
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert isinstance(response.json()["detail"], str)
