"""A request never waits for a lock without bound: past the limit it is told to try again
(503), and nothing of it is saved. Tested with another connection in a real thread holding
the change log's head (PostgreSQL) or SQLite's write lock."""

import threading

import pytest
from django.db import connection, transaction

from mamori.core.changelog import locked_head
from mamori.org.models import Department


def test_postgresql_connections_carry_the_lock_and_statement_timeouts(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        assert options["timeout"] == settings.DB_LOCK_TIMEOUT  # SQLite's busy timeout
        return
    assert f"-c lock_timeout={int(settings.DB_LOCK_TIMEOUT * 1000)}" in options["options"]
    assert (f"-c statement_timeout={int(settings.DB_STATEMENT_TIMEOUT * 1000)}"
            in options["options"])


@pytest.mark.django_db(transaction=True)
def test_postgresql_session_has_the_lock_timeout(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout")
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        shown = cursor.fetchone()[0]
    assert shown == f"{int(settings.DB_LOCK_TIMEOUT)}s"


def hold_the_write_lock(held, release):
    try:
        with transaction.atomic():
            locked_head("default")  # PostgreSQL: the head row; SQLite: BEGIN IMMEDIATE
            Department.objects.create(code="HOLDER", name_ja="保持")
            held.set()
            release.wait(timeout=60)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/org/departments/new/", "/api/org/departments/"])
def test_a_write_that_waits_too_long_is_told_to_try_again(org, path):
    from mamori.core.testing import api_client

    client = api_client(org.users["admin"]) if path.startswith("/api/") else org.client("admin")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_the_write_lock, args=(held, release))
    holder.start()
    try:
        assert held.wait(timeout=30)
        with connection.cursor() as cursor:  # a short limit for this test's connection
            if connection.vendor == "postgresql":
                cursor.execute("SET lock_timeout = '300ms'")
            else:
                cursor.execute("PRAGMA busy_timeout = 300")
        if path.startswith("/api/"):
            response = client.post(path, {"code": "WAITER", "name_ja": "待機"}, format="json")
            # Japanese, the default language; nothing was saved, and the user is asked to retry.
            assert "もう一度お試しください" in response.json()["detail"]
        else:
            response = client.post(path, {"code": "WAITER", "name_ja": "待機",
                                          "is_active": "on"})
            assert "もう一度お試しください" in response.content.decode()
        assert response.status_code == 503 and response["Retry-After"] == "5"
    finally:
        release.set()
        holder.join(timeout=60)
    assert Department.objects.filter(code="HOLDER").exists()
    assert not Department.objects.filter(code="WAITER").exists()
