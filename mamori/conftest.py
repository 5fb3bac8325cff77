"""Shared test fixtures: the organisation and one user per role.

Tests talk to the real database (SQLite, or PostgreSQL when DATABASE_URL is set).
"""

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import translation

from mamori.core.models import User
from mamori.org.models import Appointment, Department, Person


@pytest.fixture(scope="session", autouse=True)
def _anchor_file_per_session(tmp_path_factory):
    """The test database's migrations append to the change log before any test runs: their
    heads are anchored in a file of this session's (of each xdist worker's), not in the data
    directory's log-anchor.jsonl, which other test processes and `make run` share."""
    anchor = tmp_path_factory.mktemp("anchor-session") / "log-anchor.jsonl"
    with override_settings(MAMORI_LOG_ANCHOR_FILE=anchor):
        yield


@pytest.fixture(autouse=True)
def _anchor_file_per_test(settings, tmp_path_factory):
    """Each test anchors the change-log head in its own file: the test database is emptied
    between tests, so heads anchored by one test are not in the next one's log. It is kept out
    of the test's own tmp_path, which tests use as a data or media directory."""
    settings.MAMORI_LOG_ANCHOR_FILE = tmp_path_factory.mktemp("anchor") / "log-anchor.jsonl"


@pytest.fixture(autouse=True)
def _plain_http_in_tests(settings):
    # The test client speaks plain HTTP; HTTPS itself is tested in core/tests/test_tls.py.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # argon2id is deliberately slow; test_security.py checks it is the production hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Org:
    """A small organisation: company → (sales → sales-east), (it), plus people and posts."""

    def __init__(self):
        self.company = Department.objects.create(code="D000", name_ja="本社", name_en="Head office")
        self.sales = Department.objects.create(code="D100", name_ja="営業部", name_en="Sales",
                                               parent=self.company)
        self.sales_east = Department.objects.create(code="D110", name_ja="東日本営業課",
                                                    name_en="Sales East", parent=self.sales)
        self.it = Department.objects.create(code="D200", name_ja="システム部", name_en="IT",
                                            parent=self.company)
        self.users = {}
        self.people = {}
        since = datetime.date(2024, 4, 1)
        self.person("ciso", "P001", Person.Category.EXECUTIVE_OFFICER, self.company)
        Appointment.objects.create(person=self.people["ciso"], role=Appointment.Role.CISO,
                                   start_date=since)
        self.person("manager", "P002", Person.Category.EMPLOYEE, self.sales)
        Appointment.objects.create(person=self.people["manager"], department=self.sales,
                                   role=Appointment.Role.INFORMATION_MANAGER, start_date=since)
        self.person("staff", "P003", Person.Category.EMPLOYEE, self.sales_east)
        self.person("it_staff", "P004", Person.Category.DISPATCHED, self.it)
        self.person("auditor", "P005", Person.Category.EMPLOYEE, self.company,
                    system_role=User.SystemRole.AUDITOR)
        self.users["admin"] = User.objects.create_user(
            "admin", password="x-admin-password-1", system_role=User.SystemRole.ADMIN)  # noqa: S106

    def person(self, username, number, category, department, system_role="staff"):
        user = User.objects.create_user(username, password=f"x-{username}-password-1",
                                        system_role=system_role)
        self.users[username] = user
        self.people[username] = Person.objects.create(
            employee_no=number, name=f"テスト {username}", name_latin=f"Test {username}",
            category=category, department=department, user=user)
        return self.people[username]

    def client(self, username) -> Client:
        """A signed-in client. The CISO and administrators have TOTP and a session that
        passed it, as they must."""
        from mamori.core.testing import signed_in_client

        return signed_in_client(self.users[username])


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files (evidence, working papers) go to this test's own directory, which is
    returned, not to the data directory's media."""
    location = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location)}}}
    return location


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture
def english():
    """Messages raised outside a request (the change log's verdicts, imports, commands) follow
    the active language, Japanese by default; tests that read their English text use this."""
    with translation.override("en"):
        yield
