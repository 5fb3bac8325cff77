"""Serving capacity: worker sizing, bounded argon2id hashing, refusing an unmigrated database,
and the login rate limit keyed on the client's address behind trusted proxies."""

import threading

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import CommandError, call_command
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, RequestFactory

from mamori.core.clientip import client_ip
from mamori.core.hashers import BoundedArgon2PasswordHasher, hashing_slot
from mamori.core.management.commands.serve import WORKER_MEMORY, default_workers

GiB = 1024 ** 3


def test_default_workers_follow_the_cores_within_memory():
    assert default_workers(2, 24 * GiB) == 3
    assert default_workers(16, 64 * GiB) == 17
    # Little memory: no more than half of it at WORKER_MEMORY each, and at least one.
    assert default_workers(16, 4 * WORKER_MEMORY) == 2
    assert default_workers(4, WORKER_MEMORY) == 1
    assert default_workers(4, None) == 5


def test_hashing_slots_bound_concurrency_with_real_threads(settings):
    settings.MAMORI_HASH_CONCURRENCY = 2
    inside, most = 0, 0
    counter = threading.Lock()
    start = threading.Barrier(8)
    release = threading.Event()
    entered = threading.Semaphore(0)

    def work():
        nonlocal inside, most
        start.wait()
        with hashing_slot():
            with counter:
                inside += 1
                most = max(most, inside)
            entered.release()
            release.wait(timeout=30)
            with counter:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    entered.acquire(timeout=30)
    entered.acquire(timeout=30)  # two are in; the other six wait for a slot, not fail
    with counter:
        assert inside == 2
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert most == 2 and inside == 0


def test_bounded_hasher_is_plain_argon2id_both_ways():
    bounded, plain = BoundedArgon2PasswordHasher(), Argon2PasswordHasher()
    encoded = bounded.encode("a-password", bounded.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert plain.verify("a-password", encoded)
    assert bounded.verify("a-password", plain.encode("a-password", plain.salt()))
    assert not bounded.verify("another", encoded)


def test_production_settings_use_the_bounded_hasher():
    from mamori import settings as mamori_settings

    assert mamori_settings.PASSWORD_HASHERS[0] == "mamori.core.hashers.BoundedArgon2PasswordHasher"


def request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    # No proxy trusted from this address: the header is the client's own text, ignored.
    ("198.51.100.7", "203.0.113.9", "198.51.100.7"),
    # From the trusted proxy: the right-most address it appended.
    ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
    # A client that forges the header: what the proxy appended is still the right-most.
    ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
    # Two trusted proxies in a row are skipped.
    ("10.0.0.5", "203.0.113.9, 10.0.0.6", "203.0.113.9"),
    # Garbage stops the walk at the last address a trusted proxy vouched for.
    ("10.0.0.5", "203.0.113.9, not-an-ip", "10.0.0.5"),
    ("10.0.0.5", None, "10.0.0.5"),
    ("::ffff:10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
])
def test_client_ip_behind_trusted_proxies(settings, remote, forwarded, expected):
    settings.MAMORI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request(remote, forwarded)) == expected


def test_client_ip_without_trusted_proxies_is_the_connection(settings):
    settings.MAMORI_TRUSTED_PROXIES = []
    assert client_ip(request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def login(client, remote, forwarded):
    return client.post("/accounts/login/", {"login": "staff", "password": "wrong-password"},
                       REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
class TestLoginRateLimitPerClient:
    @pytest.fixture(autouse=True)
    def _limits(self, settings):
        settings.MAMORI_TRUSTED_PROXIES = ["10.0.0.5"]
        settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip", "login_failed": "100/m/ip"}

    def test_clients_behind_a_trusted_proxy_are_limited_separately(self, org):
        first, second = Client(), Client()
        for _ in range(3):
            assert login(first, "10.0.0.5", "203.0.113.1").status_code == 200
        assert login(first, "10.0.0.5", "203.0.113.1").status_code == 429
        # Another person behind the same proxy still reaches the login form.
        assert login(second, "10.0.0.5", "203.0.113.2").status_code == 200

    def test_an_untrusted_address_cannot_spoof_the_header(self, org):
        client = Client()
        for n in range(3):
            assert login(client, "198.51.100.7", f"203.0.113.{n}").status_code == 200
        # A fresh forged address does not buy a fresh allowance.
        assert login(client, "198.51.100.7", "203.0.113.200").status_code == 429


@pytest.mark.django_db
def test_serve_refuses_a_database_with_unapplied_migrations():
    last = MigrationRecorder.Migration.objects.filter(app="core").order_by("-name").first()
    last.delete()  # as if this version brought a migration the database has not had yet
    with pytest.raises(CommandError) as refused:
        call_command("serve", "--http", "--bind", "127.0.0.1:1")
    message = str(refused.value)
    assert f"core.{last.name}" in message
    assert "mamori migrate" in message
