"""The local CA / server certificate, and `mamori serve` answering over HTTPS end to end."""

import ipaddress
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import DNSName, IPAddress, PolicyBuilder, Store

from mamori.core import tls
from mamori.core.tls import ensure_certificates

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def load_chain(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def verifier_for(ca: x509.Certificate, subject):
    return PolicyBuilder().store(Store([ca])).build_server_verifier(subject)


def test_creates_files_with_private_keys_0600(tmp_path):
    paths = ensure_certificates(tmp_path)
    tls_dir = tmp_path / "tls"
    assert paths.ca_cert == tls_dir / "ca.pem"
    assert paths.server_cert == tls_dir / "server.pem"
    assert paths.server_key == tls_dir / "server-key.pem"
    for path in (paths.ca_cert, paths.server_cert, paths.server_key, tls_dir / "ca-key.pem"):
        assert path.is_file()
    assert stat.S_IMODE(tls_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.server_key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tls_dir / "ca-key.pem").stat().st_mode) == 0o600


def test_server_certificate_verifies_against_the_ca(tmp_path):
    paths = ensure_certificates(tmp_path)
    (ca,) = load_chain(paths.ca_cert)
    leaf, chained_ca = load_chain(paths.server_cert)
    assert chained_ca == ca  # server.pem is the full chain

    for subject in (DNSName("localhost"), IPAddress(ipaddress.ip_address("127.0.0.1")),
                    IPAddress(ipaddress.ip_address("::1"))):
        chain = verifier_for(ca, subject).verify(leaf, [])
        assert chain[-1] == ca

    with pytest.raises(x509.verification.VerificationError):
        verifier_for(ca, DNSName("example.com")).verify(leaf, [])

    key = serialization.load_pem_private_key(paths.server_key.read_bytes(), password=None)
    assert key.public_key() == leaf.public_key()


def test_certificate_profile(tmp_path):
    paths = ensure_certificates(tmp_path, ["localhost", "127.0.0.1", "::1", "mamori.example"])
    (ca,) = load_chain(paths.ca_cert)
    leaf = load_chain(paths.server_cert)[0]

    assert ca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value.startswith(
        "Mamori local CA ("
    )
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= timedelta(days=3650)

    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert ipaddress.ip_address("::1") in sans.get_values_for_type(x509.IPAddress)
    assert set(sans.get_values_for_type(x509.DNSName)) == {"localhost", "mamori.example"}
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.ExtendedKeyUsageOID.SERVER_AUTH]
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc < timedelta(days=398)


def test_second_call_keeps_the_certificates(tmp_path):
    first = ensure_certificates(tmp_path)
    serial = load_chain(first.server_cert)[0].serial_number
    ca_serial = load_chain(first.ca_cert)[0].serial_number
    second = ensure_certificates(tmp_path, ["[::1]", "LOCALHOST", "127.0.0.1"])
    assert second == first
    assert load_chain(second.server_cert)[0].serial_number == serial
    assert load_chain(second.ca_cert)[0].serial_number == ca_serial


def test_new_hostname_reissues_the_server_certificate_only(tmp_path):
    first = ensure_certificates(tmp_path)
    serial = load_chain(first.server_cert)[0].serial_number
    (ca,) = load_chain(first.ca_cert)
    ensure_certificates(tmp_path, [*tls.DEFAULT_HOSTNAMES, "mamori.example"])
    leaf = load_chain(first.server_cert)[0]
    assert leaf.serial_number != serial
    assert load_chain(first.ca_cert) == [ca]
    verifier_for(ca, DNSName("mamori.example")).verify(leaf, [])


def test_expiring_server_certificate_is_reissued(tmp_path, monkeypatch):
    # Issue a certificate that, by the time "now" comes round again, has only 10 days left.
    monkeypatch.setattr(tls, "SERVER_DAYS", 40)
    first = ensure_certificates(tmp_path)
    old = load_chain(first.server_cert)[0]
    monkeypatch.setattr(tls, "SERVER_DAYS", 365)
    real_datetime = tls.datetime

    class Later(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime.now(tz) + timedelta(days=30)

    monkeypatch.setattr(tls, "datetime", Later)
    ensure_certificates(tmp_path)
    new = load_chain(first.server_cert)[0]
    assert new.serial_number != old.serial_number
    assert new.not_valid_after_utc > datetime.now(UTC) + timedelta(days=360)


def test_mismatched_key_is_reissued(tmp_path):
    first = ensure_certificates(tmp_path)
    serial = load_chain(first.server_cert)[0].serial_number
    # As if the process died after writing a new key but before writing its certificate.
    first.server_key.write_bytes((tmp_path / "tls" / "ca-key.pem").read_bytes())
    ensure_certificates(tmp_path)
    assert load_chain(first.server_cert)[0].serial_number != serial
    assert stat.S_IMODE(first.server_key.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("[::1]:9000", ("::1", 9000)),
        ("[::1]", ("::1", 8443)),
        ("localhost", ("localhost", 8443)),
        ("0.0.0.0:443", ("0.0.0.0", 443)),  # noqa: S104  (parsing only)
    ],
)
def test_parse_bind(bind, expected):
    from mamori.core.management.commands.serve import parse_bind

    assert parse_bind(bind) == expected


@pytest.mark.parametrize(
    "bind", ["[::1", "[::1]x", "[::1]:", "host:", "host:0", "host:http", ":8443"]
)
def test_parse_bind_rejects(bind):
    from mamori.core.management.commands.serve import parse_bind

    with pytest.raises(ValueError):
        parse_bind(bind)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"mamori serve exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.25)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def test_serve_answers_over_https_with_the_generated_ca(tmp_path):
    data_dir = tmp_path / "data"
    env = {
        key: value for key, value in os.environ.items()
        # The server must run on its embedded defaults, whatever this shell is configured for.
        if not key.startswith(("MAMORI_", "DJANGO_", "GUNICORN_")) and key != "DATABASE_URL"
    }
    env.update(MAMORI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="mamori.settings")
    command = [sys.executable, "-m", "mamori.cli"]

    migrate = subprocess.run(
        [*command, "migrate", "--noinput"], env=env, cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=300,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_for_port(port, server)
            # Trust only the CA this server generated, and never go through a proxy.
            context = ssl.create_default_context(cafile=data_dir / "tls" / "ca.pem")
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
            )
            url = f"https://127.0.0.1:{port}/accounts/login/"
            with opener.open(url, timeout=30) as response:
                status, final_url, headers = response.status, response.url, response.headers
        except Exception as error:
            raise AssertionError(f"{error!r}\n--- server output ---\n{log.read_text()}") from error
        assert status == 200
        assert final_url == url
        assert "max-age=" in headers["Strict-Transport-Security"]
        assert headers["Content-Security-Policy"]
        assert headers["Server"] == "Mamori"  # not gunicorn's name
        # TLS 1.2 without forward secrecy and AEAD is refused (Mozilla intermediate).
        weak = ssl.create_default_context(cafile=data_dir / "tls" / "ca.pem")
        weak.maximum_version = ssl.TLSVersion.TLSv1_2
        weak.set_ciphers("ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:AES128-SHA")
        with pytest.raises(ssl.SSLError), socket.create_connection(("127.0.0.1", port)) as raw:
            weak.wrap_socket(raw, server_hostname="127.0.0.1")
        strong = ssl.create_default_context(cafile=data_dir / "tls" / "ca.pem")
        strong.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", port)) as raw, strong.wrap_socket(
                raw, server_hostname="127.0.0.1") as tls:
            assert "GCM" in tls.cipher()[0] or "CHACHA20" in tls.cipher()[0]
        assert f"https://127.0.0.1:{port}/" in log.read_text()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_server_certificate_fits_the_default_tls_profile(tmp_path, monkeypatch):
    """At most 366 days (Mozilla intermediate); one issued for longer before is issued again."""
    paths = ensure_certificates(tmp_path)
    leaf = load_chain(paths.server_cert)[0]
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= timedelta(days=366)
    monkeypatch.setattr(tls, "SERVER_DAYS", 397)
    (paths.server_cert).unlink()
    long = load_chain(ensure_certificates(tmp_path).server_cert)[0]
    assert long.not_valid_after_utc - long.not_valid_before_utc > timedelta(days=366)
    monkeypatch.setattr(tls, "SERVER_DAYS", 365)
    again = load_chain(ensure_certificates(tmp_path).server_cert)[0]
    assert again.serial_number != long.serial_number
    assert again.not_valid_after_utc - again.not_valid_before_utc <= timedelta(days=366)
