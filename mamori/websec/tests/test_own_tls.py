"""Issue 16 #13: Mamori's own HTTPS, started as `mamori serve` starts it, passes Mamori's own
scan against its default TLS profile (Mozilla intermediate): certificate, HSTS, TLS 1.2 suites
and, through the OpenSSL configuration `serve` starts itself with, the key-exchange groups."""

import os
import subprocess
import sys

import pytest

from mamori.core.tests.test_tls import PROJECT_ROOT, free_port, wait_for_port
from mamori.websec import service
from mamori.websec.models import TlsScan, WebSecuritySettings
from mamori.websec.tests.records import endpoint

pytestmark = pytest.mark.django_db


def test_mamori_serve_passes_its_own_default_tls_profile(org, tmp_path):
    data_dir = tmp_path / "data"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAMORI_", "DJANGO_", "GUNICORN_")) and key != "DATABASE_URL"}
    env.update(MAMORI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="mamori.settings")
    command = [sys.executable, "-m", "mamori.cli"]
    migrate = subprocess.run([*command, "migrate", "--noinput"], env=env, cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        settings = WebSecuritySettings.current()
        settings.company_ca_pem = (data_dir / "tls" / "ca.pem").read_text()
        settings.save()
        [row] = service.run([endpoint(org, port, name="Mamori自身")])
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert row.status == TlsScan.Status.DONE, row.result.get("error")
    assert row.authentication_ok and row.encryption_ok and row.integrity_ok, row.problems
    assert row.problems == [], row.problems
    assert set(row.result["groups"]) == {"X25519", "prime256v1", "secp384r1"}, row.result
    # The OpenSSL configuration was written where serve said.
    assert "Groups = X25519:P-256:P-384" in (data_dir / "tls" / "openssl.cnf").read_text()


# A TLS server with OpenSSL's default groups (X448 and secp521r1 among them), and a scan of it
# run in a process whose OPENSSL_CONF is Mamori's: as the embedded worker and a web worker
# (the API's scan) inherit it from `serve`.
SERVER = """
import socket, ssl, sys
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
while True:
    connection, _ = listener.accept()
    try:
        context.wrap_socket(connection, server_side=True).close()
    except OSError:
        pass
"""
SCAN_GROUPS = """
import sys
from sslyze.server_connectivity import ServerConnectivityInfo, check_connectivity_to_server
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation
from mamori.websec._engine import enumerate_groups
location = ServerNetworkLocation("localhost", int(sys.argv[1]), ip_address="127.0.0.1")
network = ServerNetworkConfiguration(tls_server_name_indication="localhost")
info = ServerConnectivityInfo(server_location=location, network_configuration=network,
                              tls_probing_result=check_connectivity_to_server(location, network))
print(" ".join(sorted(enumerate_groups(info))))
"""


def test_the_scanner_is_not_narrowed_by_the_servers_openssl_configuration(tmp_path):
    from mamori.core import tls

    certs = tls.ensure_certificates(tmp_path)
    config = tls.write_openssl_config(tmp_path)
    port = free_port()
    plain = {key: value for key, value in os.environ.items() if key != "OPENSSL_CONF"}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(certs.server_cert), str(certs.server_key)],
        env=plain, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        scanned = subprocess.run(
            [sys.executable, "-c", SCAN_GROUPS, str(port)], cwd=PROJECT_ROOT,
            env={**plain, "OPENSSL_CONF": str(config)}, capture_output=True, text=True,
            timeout=120)
    finally:
        server.kill()
        server.wait()
    assert scanned.returncode == 0, scanned.stderr
    assert {"X448", "secp521r1"} <= set(scanned.stdout.split()), scanned.stdout
