"""What an endpoint may name and which port it may use (penetration test findings 6 and 8).

Host names — the URL's host and the SNI name — are valid host names (IDNA, no control
characters) wherever an endpoint is written (form, API, import), are stored in their ASCII
form, and are checked again where the scanner puts them on the wire, so a row stored before
the check cannot add a header line to the request the HTTP probe sends either.

An information manager registers only web ports (MAMORI_TLSSCAN_ALLOW_PORTS, default 443 and
8443); the CISO and administrators any port. A failed scan of another port says only that no
TLS server answered, so nobody reading it tells a closed port from a service that is not TLS.

The scanner tests run against the tests' own TLS servers on 127.0.0.1 (tls_servers.py)."""

import json

import pytest
from django.urls import reverse

from mamori.core.testing import api_client, log_entries
from mamori.websec import _engine, service, tables
from mamori.websec.models import TlsFinding, TlsProfile, WebEndpoint
from mamori.websec.scan import Target, scan_targets
from mamori.websec.tests.tls_servers import LOOPBACK, PKI, PlainServer, TLSServer, free_port

pytestmark = pytest.mark.django_db

CRLF_NAME = "x.example\r\nX-Injected: yes"
API = "/api/websec/endpoints/"
PORTS_ENV = "MAMORI_TLSSCAN_ALLOW_PORTS"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return PKI(tmp_path_factory.mktemp("pki"))


def endpoint_data(org, **changes):
    data = {"name": "会員サイト", "url": "https://127.0.0.1:8443/", "server_name": "localhost",
            "purpose": "member_site", "handles_personal_info": True,
            "handles_card_data": False, "department": org.sales.pk,
            "profile": TlsProfile.objects.get(code="intermediate").pk,
            "client_cert_required": False, "scan_every_hours": 24,
            "certificate_check_every_hours": 1, "active": True}
    return {**data, **changes}


def form_post(org, username, data, endpoint=None):
    url = (reverse("websec:webendpoint_update", args=[endpoint.pk]) if endpoint
           else reverse("websec:webendpoint_create"))
    return org.client(username).post(url, {k: "" if v is None else v for k, v in data.items()})


def api_post(org, username, data):
    return api_client(org.users[username]).post(API, data, format="json")


def import_rows(org, username, data):
    """Import one endpoint (the export's columns) as CSV; the response of the import page."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    header = tables.WebEndpointResource().fields
    file_values = {**data, "department": org.sales.code,
                   "profile": TlsProfile.objects.get(pk=data["profile"]).code}
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, [str(file_values[name]) for name in header]])
    upload = SimpleUploadedFile("endpoints.csv", buffer.getvalue().encode(), "text/csv")
    return org.client(username).post(reverse("websec:webendpoint_import"), {"file": upload})


def import_errors(response) -> dict[str, str]:
    assert response.status_code == 400
    return {e.field: e.message for e in response.context["result"].errors}


# -- host names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [CRLF_NAME, "x.example\nHost: evil", "members example",
                                  "members.exa\tmple", "a\u202eexample.com", "_x.example",
                                  "a..example", "-a.example", "1.2.3", "x" * 64 + ".example"])
def test_a_bad_server_name_is_refused_naming_the_field(org, name):
    data = endpoint_data(org, server_name=name)
    response = form_post(org, "manager", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["server_name"]
    api = api_post(org, "manager", data)
    assert api.status_code == 400 and list(api.json()) == ["server_name"], api.content
    assert list(import_errors(import_rows(org, "manager", data))) == ["server_name"]
    assert not WebEndpoint.objects.exists()


def test_the_crlf_name_is_refused_in_words(org):
    response = form_post(org, "manager", endpoint_data(org, server_name=CRLF_NAME))
    [message] = response.context["form"].errors["server_name"]
    assert "line breaks" in message or "改行" in message


def test_a_bad_host_or_a_line_break_in_the_url_is_refused_naming_the_field(org):
    for url in ("https://x.example\r\nX-Injected: yes/", "https://_x.localhost/",
                "https://127.0.0.1:8443/\r\nX-Injected: yes", "https://127.0.0.1:8443/a b"):
        data = endpoint_data(org, url=url)
        response = form_post(org, "manager", data)
        assert response.status_code == 400, url
        assert list(response.context["form"].errors) == ["url"], url
        api = api_post(org, "manager", data)
        assert api.status_code == 400 and list(api.json()) == ["url"], api.content
    assert not WebEndpoint.objects.exists()


def test_a_unicode_server_name_is_stored_in_its_ascii_form(org):
    response = form_post(org, "manager", endpoint_data(org, server_name="Bücher.example"))
    assert response.status_code == 302, response.context["form"].errors
    site = WebEndpoint.objects.get()
    assert site.server_name == "xn--bcher-kva.example"
    assert log_entries(site, "create").get().after["server_name"] == "xn--bcher-kva.example"
    # The API stores it the same way, and knows the two spellings are one name.
    api = api_post(org, "manager", endpoint_data(org, name="会員サイト2",
                                                 url="https://127.0.0.2:8443/",
                                                 server_name="会員.例え.jp"))
    assert api.status_code == 201, api.json()
    assert api.json()["server_name"] == "xn--6oqs4l.xn--r8jz45g.jp"
    assert WebEndpoint.objects.get(pk=api.json()["id"]).server_name == (
        "xn--6oqs4l.xn--r8jz45g.jp")
    again = api_post(org, "manager", endpoint_data(org, name="同じ",
                                                   server_name="xn--bcher-kva.example"))
    assert again.status_code == 400 and "url" in again.json()


def test_a_unicode_host_in_the_url_is_converted(org):
    # Full-width letters map to "localhost" (UTS 46), which is on loopback.
    data = endpoint_data(org, url="https://ｌｏｃａｌｈｏｓｔ:8443/会員/", server_name="")
    response = api_post(org, "manager", data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["host"], body["port"], body["http_path"]) == ("localhost", 8443, "/会員/")
    assert WebEndpoint.objects.get().host == "localhost"


# -- the scanner puts only valid names on the wire ----------------------------------------------


def test_the_http_probe_sends_no_header_line_from_a_bad_name(pki):
    with TLSServer(pki.leaf("good")) as server:
        probe = _engine.http_probe(LOOPBACK, server.port, CRLF_NAME, "/", 5.0)
        good = _engine.http_probe(LOOPBACK, server.port, "localhost", "/", 5.0)
    assert probe["status"] is None and "not a valid host name" in probe["error"]
    assert good["status"] == 200
    assert len(server.requests) == 1  # only the good name's request reached the server
    assert not any(b"X-Injected" in request for request in server.requests)


def test_the_http_probe_sends_the_ascii_name_and_an_encoded_path(pki):
    with TLSServer(pki.leaf("good")) as server:
        probe = _engine.http_probe(LOOPBACK, server.port, "Bücher.example", "/会員 a", 5.0)
    assert probe["status"] == 200, probe
    [request] = server.requests
    lines = request.decode("ascii").split("\r\n")
    assert lines[0] == "GET /%E4%BC%9A%E5%93%A1%20a HTTP/1.1"
    assert lines[1] == f"Host: xn--bcher-kva.example:{server.port}"
    assert set(server.server_names) == {"xn--bcher-kva.example"}


def test_a_scan_with_a_bad_name_connects_nowhere(pki):
    with TLSServer(pki.leaf("good")) as server:
        [result] = scan_targets([Target(LOOPBACK, server.port, server_name=CRLF_NAME)],
                                timeout=60, network_timeout=2, extra_ca_pem=pki.ca_pem)
    assert result["error"] == "refused_bad_name"
    assert server.connections == 0 and not server.requests


def test_a_bad_name_stored_before_the_check_does_not_reach_the_server(org, pki):
    with TLSServer(pki.leaf("good"), hsts="max-age=63072000") as server:
        site = WebEndpoint.objects.create(
            name="古い登録", url=f"https://127.0.0.1:{server.port}/", server_name="localhost",
            department=org.sales, profile=TlsProfile.objects.get(code="intermediate"))
        # As a row written before names were validated would be (no save(), no clean()).
        WebEndpoint.objects.filter(pk=site.pk).update(server_name=CRLF_NAME)
        site.refresh_from_db()
        [row] = service.run([site])
    assert row.status == "failed" and row.result["error"] == "refused_bad_name"
    assert server.connections == 0 and not server.requests
    assert [p["code"] for p in row.problems] == ["scan.error"]


# -- ports --------------------------------------------------------------------------------------


def test_the_manager_may_not_register_a_local_service_port_the_ciso_may(org):
    data = endpoint_data(org, url="127.0.0.1:5432", server_name="")
    response = form_post(org, "manager", data)
    assert response.status_code == 400
    [message] = response.context["form"].errors["url"]
    assert "5432" in message and "443, 8443" in message
    api = api_post(org, "manager", data)
    assert api.status_code == 400 and list(api.json()) == ["url"], api.content
    assert "443, 8443" in api.json()["url"][0]
    errors = import_errors(import_rows(org, "manager", data))
    assert list(errors) == ["url"] and "443, 8443" in errors["url"]
    assert not WebEndpoint.objects.exists()
    # The CISO and administrators may, through the form, the API and the import.
    response = form_post(org, "ciso", data)
    assert response.status_code == 302, response.context["form"].errors
    api = api_post(org, "admin", endpoint_data(org, url="127.0.0.1:9443", name="管理API"))
    assert api.status_code == 201, api.json()
    imported = import_rows(org, "ciso", endpoint_data(org, url="127.0.0.1:9444", name="読込"))
    assert imported.status_code == 302
    assert sorted(WebEndpoint.objects.values_list("port", flat=True)) == [5432, 9443, 9444]


def test_the_manager_keeps_but_does_not_move_an_approved_port(org):
    form_post(org, "ciso", endpoint_data(org, url="127.0.0.1:9443"))
    site = WebEndpoint.objects.get()
    # Editing anything else keeps the address the CISO approved.
    renamed = form_post(org, "manager", endpoint_data(org, url="127.0.0.1:9443", name="改名"),
                        site)
    assert renamed.status_code == 302, renamed.context["form"].errors
    patched = api_client(org.users["manager"]).patch(f"{API}{site.pk}/", {"name": "再改名"},
                                                     format="json")
    assert patched.status_code == 200, patched.json()
    # Another host on that port, or another non-web port, is a new registration.
    for url in ("127.0.0.2:9443", "127.0.0.1:9444"):
        moved = form_post(org, "manager", endpoint_data(org, url=url), site)
        assert moved.status_code == 400 and "url" in moved.context["form"].errors
        api = api_client(org.users["manager"]).patch(f"{API}{site.pk}/", {"url": url},
                                                     format="json")
        assert api.status_code == 400 and "url" in api.json()
    to_web = form_post(org, "manager", endpoint_data(org, url="127.0.0.1:8443"), site)
    assert to_web.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.port) == ("会員サイト", 8443)


def test_the_port_setting_is_honoured(org, monkeypatch):
    monkeypatch.setenv(PORTS_ENV, "443, 9000-9010, nonsense")
    assert form_post(org, "manager", endpoint_data(org, url="127.0.0.1:9005")).status_code == 302
    refused = form_post(org, "manager", endpoint_data(org, url="127.0.0.1:8443", name="旧"))
    assert refused.status_code == 400
    [message] = refused.context["form"].errors["url"]
    assert "443, 9000-9010" in message
    assert form_post(org, "manager", endpoint_data(org, url="127.0.0.2", name="既定")
                     ).status_code == 302
    assert sorted(WebEndpoint.objects.values_list("port", flat=True)) == [443, 9005]


def failure_as_read(row) -> str:
    """What a reader learns from a failed scan (its raw result, its problems, the finding),
    but for when it ran, the endpoint's own port and the scan's context (what was registered,
    not what the scan learned)."""
    result = {k: v for k, v in row.result.items()
              if k not in ("started_at", "finished_at", "context")}
    findings = list(TlsFinding.objects.filter(endpoint=row.endpoint).values_list(
        "code", "params"))
    told = json.dumps([result, row.problems, findings], sort_keys=True, ensure_ascii=False)
    return told.replace(str(row.endpoint.port), "PORT")


def test_a_failed_scan_of_another_port_does_not_tell_closed_from_not_tls(org, monkeypatch):
    def ciso_endpoint(name, port):
        response = form_post(org, "ciso", endpoint_data(org, name=name,
                                                        url=f"127.0.0.1:{port}"))
        assert response.status_code == 302, response.context["form"].errors
        return WebEndpoint.objects.get(name=name)

    with PlainServer() as plain:
        not_tls = ciso_endpoint("データベース", plain.port)
        closed = ciso_endpoint("閉じたポート", free_port())
        rows = service.run([not_tls, closed])
    assert plain.connections  # the service was there, and answered
    assert [row.status for row in rows] == ["failed", "failed"]
    assert failure_as_read(rows[0]) == failure_as_read(rows[1])
    assert rows[0].result["error"] == "unreachable"
    # Where the company lists the port as a web port, the failure keeps what a web server's
    # administrator needs: the TLS handshake itself failed.
    with PlainServer() as plain:
        monkeypatch.setenv(PORTS_ENV, f"443,8443,{plain.port}")
        WebEndpoint.objects.filter(pk=not_tls.pk).update(url=f"https://127.0.0.1:{plain.port}/",
                                                         port=plain.port)
        not_tls.refresh_from_db()
        [row] = service.run([not_tls])
    assert row.result["error"] == "connect" and "TLS" in row.result["error_detail"]
