"""Web endpoints, TLS profiles, the web security settings, and the scans and findings the
scanner writes, through the shared UI/API/scope tests (mamori.core.testing) and the rules of
their own: registering an endpoint does not scan it and refuses addresses outside loopback,
profiles are data the CISO changes (the three shipped ones are part of the installation), and
scans and findings are evidence nobody edits, read by the endpoint's department, the CISO and
auditors.

Nothing here connects anywhere: the scans are hand-made results judged and recorded by
websec.service.record (end-to-end scans of local TLS servers are in test_scanning_records.py)."""

import datetime
import json

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from mamori.core.models import ChangeLogEntry
from mamori.core.scope import ADD, CHANGE, DELETE
from mamori.core.testing import (
    CisoChangesTests,
    ScopedModelTests,
    api_client,
    log_entries,
    query_count,
)
from mamori.websec import profiles, service, tables
from mamori.websec.messages import problem_text
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint, WebSecuritySettings

USERS = ("admin", "ciso", "manager", "auditor", "staff", "it_staff")


def intermediate():
    return TlsProfile.objects.get(code="intermediate")


def make_endpoint(department, port, name=None, **fields):
    values = {"url": f"https://127.0.0.1:{port}/", "server_name": "localhost",
              "profile": intermediate()}
    return WebEndpoint.objects.create(name=name or f"サイト {port}", department=department,
                                      **{**values, **fields})


def bulk_endpoints(department, n, first_port=20000):
    start = first_port + WebEndpoint.objects.count()
    profile = intermediate()
    return WebEndpoint.objects.bulk_create(
        WebEndpoint(name=f"一括 {start + i}", url=f"https://127.0.0.1:{start + i}/",
                    host="127.0.0.1", port=start + i, department=department, profile=profile)
        for i in range(n))


def rows_shown(response):
    assert response.status_code == 200
    return {obj.pk for obj, _cells in response.context["rows"]}


def api_ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# -- hand-made scan results (the shape websec._engine writes) -----------------------------------

GOOD_SUITES = {
    "tls1.2": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
               "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"],
    "tls1.3": ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
}


def scan_result(endpoint, *, tls10=False, hsts=True, at=None) -> dict:
    """A full scan's result: a good ECDSA endpoint of the company CA, optionally accepting
    TLS 1.0 (an encryption failure) or without HSTS (an integrity failure)."""
    at = at or timezone.now()
    suites = {**GOOD_SUITES}
    if tls10:
        suites["tls1.0"] = ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"]
    return {
        "target": {"host": endpoint.host, "port": endpoint.port,
                   "server_name": endpoint.server_name or None},
        "full": True,
        "started_at": at.isoformat(), "finished_at": at.isoformat(),
        "error": None, "error_detail": "",
        "protocols": {"ssl2.0": False, "ssl3.0": False, "tls1.0": tls10, "tls1.1": False,
                      "tls1.2": True, "tls1.3": True},
        "certificate": {
            "subject": "CN=localhost,O=Mamori test",
            "issuer": "CN=Mamori Test Root CA,O=Mamori test",
            "sans": {"dns": ["localhost"], "ip": ["127.0.0.1"]},
            "not_before": (at - datetime.timedelta(days=1)).isoformat(),
            "not_after": (at + datetime.timedelta(days=89)).isoformat(),
            "key_type": "ecdsa", "key_size": 256, "key_curve": "prime256v1",
            "signature_algorithm": "ecdsa-with-SHA256", "self_signed": False,
        },
        "chain": [],
        "trusted": True, "trust_error": None,
        "hostname_matches": True, "hostname_checked": "localhost",
        "client_cert_requested": False, "client_cert_enforced": False,
        "cipher_suites": suites, "key_exchange": {}, "groups": ["prime256v1"],
        "hsts": {"max_age": 63072000} if hsts else None, "http_status": 200,
        "compression": False, "secure_renegotiation": True, "client_renegotiation": False,
        "heartbleed": False, "robot": False, "ccs_injection": False,
        "fallback_scsv": True, "early_data": False,
    }


def record(endpoint, kind="full", **result):
    return service.record(endpoint, kind, scan_result(endpoint, **result))


def test_a_hand_made_good_result_passes_and_a_bad_one_fails_for_its_reasons(org):
    site = make_endpoint(org.sales, 8443)
    good = record(site)
    assert good.passes and good.profile_ok, good.problems
    bad = record(site, tls10=True, hsts=False)
    assert (bad.authentication_ok, bad.encryption_ok, bad.integrity_ok) == (True, False, False)
    assert {p["code"] for p in bad.problems} >= {"enc.protocol", "int.no_hsts"}
    assert set(TlsFinding.objects.open().values_list("code", flat=True)) >= {
        "enc.protocol", "int.no_hsts"}


# -- web endpoints --------------------------------------------------------------------------------


class TestWebEndpoint(ScopedModelTests):
    """The information manager registers and changes the endpoints of their departments;
    registering does not scan."""

    model = WebEndpoint
    api_path = "/api/websec/endpoints/"

    def in_scope_object(self, org):
        return make_endpoint(org.sales_east, 8443, "東日本会員サイト")

    def out_of_scope_object(self, org):
        return make_endpoint(org.it, 8444, "社内API")

    def create_data(self, org):
        return {"name": "資料請求フォーム", "url": "https://127.0.0.1/form/",
                "server_name": "localhost", "purpose": "application_form",
                "handles_personal_info": True, "handles_card_data": False,
                "department": org.sales.pk, "profile": intermediate().pk,
                "client_cert_required": False, "scan_every_hours": 24,
                "certificate_check_every_hours": 1, "active": True}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "url": "https://127.0.0.2/",
                "department": org.it.pk}

    def update_data(self, org, obj):
        return {"name": obj.name + "（改）", "url": obj.url, "server_name": obj.server_name,
                "purpose": "member_site", "handles_personal_info": True,
                "handles_card_data": True, "department": obj.department_id,
                "profile": TlsProfile.objects.get(code="modern-rsa").pk,
                "client_cert_required": False, "scan_every_hours": 12,
                "certificate_check_every_hours": 2, "active": True}

    def make_rows(self, org, n):
        bulk_endpoints(org.sales, n)

    def resource(self):
        return tables.WebEndpointResource()

    def bad_import_column(self):
        return "purpose"

    def test_registration_parses_the_address_and_does_not_scan(self, org):
        response = org.client("manager").post(self.url("create"),
                                              self.form_data(self.create_data(org)))
        assert response.status_code == 302, response.context["form"].errors
        site = WebEndpoint.objects.get()
        assert (site.host, site.port, site.http_path) == ("127.0.0.1", 443, "/form/")
        assert site.last_full_scan_at is None and site.authentication_ok is None
        assert not TlsScan.objects.exists() and not TlsFinding.objects.exists()
        page = org.client("manager").get(site.get_absolute_url())
        assert page.context["can_scan"] is True
        assert page.context["verdicts"] == [(service.promise_label(p), None)
                                             for p in ("authentication", "encryption",
                                                       "integrity")]

    @pytest.mark.parametrize(("url", "expected"), [
        ("127.0.0.1:8443", ("127.0.0.1", 8443, "/")),
        ("https://127.0.0.1/", ("127.0.0.1", 443, "/")),
        ("127.0.0.2", ("127.0.0.2", 443, "/")),
        ("https://127.0.0.1:8443/apply/form?x=1", ("127.0.0.1", 8443, "/apply/form")),
        ("https://[::1]:8443/", ("::1", 8443, "/")),
    ])
    def test_host_port_and_path_come_from_the_url(self, org, url, expected):
        data = {**self.create_data(org), "url": url}
        response = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["host"], body["port"], body["http_path"]) == expected
        site = WebEndpoint.objects.get(pk=body["id"])
        assert (site.host, site.port, site.http_path) == expected

    @pytest.mark.parametrize("url", [
        "https://192.0.2.10/", "10.0.0.5:8443", "https://8.8.8.8:443/",
        "https://example.invalid/", "http://127.0.0.1:8080/", "ftp://127.0.0.1/", "",
        "https://127.0.0.1:99999/", "https://127.0.0.1:0/", "127.0.0.1:0", "https:///path",
    ])
    def test_an_address_mamori_may_not_scan_is_refused(self, org, url):
        data = {**self.create_data(org), "url": url}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert "url" in response.context["form"].errors
        api = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "url" in api.json(), api.content
        assert not WebEndpoint.objects.exists()

    def test_an_address_cannot_be_changed_to_one_outside_loopback(self, org):
        site = self.in_scope_object(org)
        data = {**self.update_data(org, site), "url": "https://192.0.2.10/"}
        response = org.client("manager").post(self.url("update", site.pk), self.form_data(data))
        assert response.status_code == 400 and "url" in response.context["form"].errors
        api = api_client(org.users["manager"]).patch(f"{self.api_path}{site.pk}/",
                                                     {"url": "192.0.2.10:443"}, format="json")
        assert api.status_code == 400 and "url" in api.json()
        site.refresh_from_db()
        assert (site.url, site.host, site.port) == ("https://127.0.0.1:8443/", "127.0.0.1", 8443)
        assert not log_entries(site, "update").exists()

    def test_an_address_is_registered_once(self, org):
        existing = self.in_scope_object(org)  # 127.0.0.1:8443, server name localhost
        for url in ("https://127.0.0.1:8443/", "127.0.0.1:8443", "https://127.0.0.1:8443/other"):
            data = {**self.create_data(org), "url": url, "department": org.sales_east.pk}
            response = org.client("manager").post(self.url("create"), self.form_data(data))
            assert response.status_code == 400, url
            assert response.context["form"].errors, url
            api = api_client(org.users["manager"]).post(self.api_path, data, format="json")
            assert api.status_code == 400, (url, api.content)
        assert list(WebEndpoint.objects.all()) == [existing]
        # The same address under another server name (SNI) is another endpoint.
        data = {**self.create_data(org), "url": "https://127.0.0.1:8443/",
                "server_name": "members.localhost"}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 302, response.context["form"].errors

    def test_an_address_is_imported_once(self, org):
        self.in_scope_object(org)
        header = self.resource().fields
        row = {**{name: self.file_value(org, name, value)
                  for name, value in self.create_data(org).items()},
               "url": "127.0.0.1:8443"}
        response = org.client("manager").post(self.url("import"), {
            "file": self.csv_upload([header, [row[name] for name in header]])})
        assert response.status_code == 400
        assert response.context["result"].errors
        assert WebEndpoint.objects.count() == 1

    def test_import_updates_the_endpoint_with_the_same_url(self, org):
        site = self.in_scope_object(org)
        header = self.resource().fields
        data = {**self.update_data(org, site), "name": "読込みで改名"}
        row = [self.file_value(org, name, data.get(name)) for name in header]
        response = org.client("manager").post(self.url("import"),
                                              {"file": self.csv_upload([header, row])})
        assert response.status_code == 302
        site.refresh_from_db()
        assert (site.name, site.profile.code) == ("読込みで改名", "modern-rsa")
        assert WebEndpoint.objects.count() == 1

    def test_the_verdict_is_not_written_through_the_api(self, org):
        site = self.in_scope_object(org)
        response = api_client(org.users["ciso"]).patch(f"{self.api_path}{site.pk}/", {
            "authentication_ok": True, "encryption_ok": True, "integrity_ok": True,
            "last_full_scan_at": "2025-04-01T00:00:00+09:00", "host": "192.0.2.1",
            "port": 1}, format="json")
        assert response.status_code == 200, response.json()
        site.refresh_from_db()
        assert (site.authentication_ok, site.last_full_scan_at) == (None, None)
        assert (site.host, site.port) == ("127.0.0.1", 8443)

    def test_staff_and_auditors_do_not_scan(self, org):
        site = self.in_scope_object(org)
        url = reverse("websec:webendpoint_scan", args=[site.pk])
        assert org.client("staff").post(url).status_code == 404
        assert org.client("auditor").post(url).status_code == 403
        assert org.client("auditor").get(site.get_absolute_url()).context["can_scan"] is False
        other = self.out_of_scope_object(org)
        assert org.client("manager").post(
            reverse("websec:webendpoint_scan", args=[other.pk])).status_code == 404
        api = api_client(org.users["auditor"]).post(f"{self.api_path}{site.pk}/scan/")
        assert api.status_code == 403
        assert not TlsScan.objects.exists()

    def test_the_endpoint_page_is_read_with_few_queries(self, org):
        site = self.in_scope_object(org)
        client = org.client("manager")
        record(site, tls10=True)
        client.get(site.get_absolute_url())
        small = query_count(lambda: client.get(site.get_absolute_url()))
        for _ in range(5):
            record(site, tls10=True, hsts=False)
        TlsFinding.objects.bulk_create(
            TlsFinding(endpoint=site, key=f"enc.weak_cipher:suite=S{i}", code="enc.weak_cipher",
                       promise="encryption", level="fail", params={"suite": f"S{i}"},
                       opened_at=timezone.now(), last_seen_at=timezone.now())
            for i in range(10))
        page = client.get(site.get_absolute_url())
        assert len(page.context["findings"]) > 10 and len(page.context["scans"]) == 6
        assert query_count(lambda: client.get(site.get_absolute_url())) == small

    def test_the_list_filters_failing_endpoints(self, org):
        good, bad = self.in_scope_object(org), make_endpoint(org.sales, 8445, "古いサイト")
        record(good)
        record(bad, tls10=True)
        client = org.client("manager")
        assert rows_shown(client.get(self.url("list") + "?failing=true")) == {bad.pk}
        assert rows_shown(client.get(self.url("list") + "?failing=false")) == {good.pk}
        assert api_ids(api_client(org.users["manager"]).get(
            self.api_path + "?failing=true")) == {bad.pk}


# -- TLS profiles ---------------------------------------------------------------------------------


def definition(**changes):
    return {**profiles.shipped_profiles()["intermediate"], **changes}


def test_the_three_profiles_are_installed_not_logged(db):
    installed = {p.code: p for p in TlsProfile.objects.all()}
    assert set(installed) == {"intermediate", "modern", "modern-rsa"}
    shipped = profiles.shipped_data()
    for code, profile in installed.items():
        assert profile.definition == shipped["profiles"][code]
        assert profile.version == shipped["version"] and profile.name_ja and profile.name_en
        assert not profiles.profile_errors(profile.definition)
        assert not log_entries(profile).exists()
    assert installed["modern"].definition["certificate_types"] == ["ecdsa"]
    assert "rsa" in installed["modern-rsa"].definition["certificate_types"]


class TestTlsProfile(CisoChangesTests, ScopedModelTests):
    model = TlsProfile
    api_path = "/api/websec/profiles/"

    # The three shipped profiles exist in every database but are not in the change log (they
    # are part of the installation), so the rows under test are made here.
    def in_scope_object(self, org):
        return TlsProfile.objects.create(code="company-a", name_ja="当社A", name_en="Company A",
                                         definition=definition())

    def out_of_scope_object(self, org):
        return TlsProfile.objects.create(code="company-b", name_ja="当社B",
                                         definition=definition(protocols=["tls1.3"]))

    def create_data(self, org):
        return {"code": "company-c", "name_ja": "当社C", "name_en": "Company C",
                "source": "当社規程", "version": "2025.1",
                "definition": definition(hsts_min_age=31536000)}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "company-d"}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "source": "", "version": "2",
                "definition": {**obj.definition, "protocols": ["tls1.2", "tls1.3"]}}

    def form_data(self, data):
        # The form takes the definition as JSON text.
        return super().form_data({k: json.dumps(v) if isinstance(v, dict) else v
                                  for k, v in data.items()})

    def file_value(self, org, name, value):
        if isinstance(value, dict):
            return json.dumps(value)
        return super().file_value(org, name, value)

    def make_rows(self, org, n):
        start = TlsProfile.objects.count()
        TlsProfile.objects.bulk_create(
            TlsProfile(code=f"profile-{start + i}", name_ja=f"プロファイル{i}",
                       definition=definition()) for i in range(n))

    def resource(self):
        return tables.TlsProfileResource()

    def bad_import_column(self):
        return "definition"

    def test_everyone_reads_the_profiles(self, org):
        response = org.client("staff").get(self.url("list"))
        assert len(response.context["rows"]) == 3
        assert response.context["can_add"] is False
        assert len(api_ids(api_client(org.users["staff"]).get(self.api_path))) == 3

    @pytest.mark.parametrize("changes", [
        {"protocols": ["tls1.2", "tls9.9"]},
        {"protocols": ["TLSv1.2"]},
        {"protocols": []},
        {"protocols": "tls1.2"},
        {"cipher_suites": "TLS_AES_128_GCM_SHA256"},
        {"groups": [1, 2]},
        {"rsa_min_bits": "2048"},
        {"hsts_min_age": -1},
        {"dh_min_bits": True},
        {"certificate_curves": 5},
        {"certificate_curves": "prime256v1"},
    ])
    def test_a_definition_mamori_cannot_judge_by_is_refused(self, org, changes):
        data = {**self.create_data(org), "definition": definition(**changes)}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert "definition" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "definition" in api.json(), api.content
        assert not TlsProfile.objects.filter(code="company-c").exists()

    def test_a_definition_without_certificate_curves_is_accepted(self, org):
        data = {**self.create_data(org), "definition": definition(certificate_curves=None)}
        response = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert response.status_code == 201, response.json()
        profile = TlsProfile.objects.get(code="company-c")
        site = make_endpoint(org.sales, 8443, profile=profile)
        assert record(site).profile_ok  # judged without a curve list

    @pytest.mark.parametrize("value", [[], "intermediate", 3])
    def test_a_definition_must_be_an_object(self, org, value):
        data = {**self.create_data(org), "definition": value}
        response = org.client("ciso").post(self.url("create"), self.form_data(
            {**data, "definition": json.dumps(value)}))
        assert response.status_code == 400
        assert "definition" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "definition" in api.json(), api.content
        assert not TlsProfile.objects.filter(code="company-c").exists()

    def test_a_profile_in_use_is_not_deleted(self, org):
        profile = self.in_scope_object(org)
        make_endpoint(org.sales, 8443, profile=profile)
        response = org.client("ciso").post(self.url("delete", profile.pk))
        assert response.status_code == 302 and response.url == profile.get_absolute_url()
        api = api_client(org.users["ciso"]).delete(f"{self.api_path}{profile.pk}/")
        assert api.status_code == 400
        response = org.client("ciso").post(self.url("bulk_delete"), {"pk": [profile.pk]})
        assert response.status_code == 302
        assert TlsProfile.objects.filter(pk=profile.pk).exists()
        assert not log_entries(profile, "delete").exists()

    def test_a_new_endpoint_gets_the_intermediate_profile(self, org):
        form = org.client("manager").get(reverse("websec:webendpoint_create")).context["form"]
        assert form.initial["profile"] == intermediate().pk


# -- the settings row ---------------------------------------------------------------------------

SETTINGS_API = "/api/websec/settings/"


def settings_row():
    return WebSecuritySettings.objects.get()


def settings_url(action, row):
    return reverse(f"websec:websecuritysettings_{action}", args=[row.pk])


def test_one_settings_row_exists_and_its_list_redirects_to_it(org):
    row = settings_row()
    assert (row.company_ca_pem, row.expiry_warning_days, row.control) == ("", 30, None)
    assert not log_entries(row).exists()
    response = org.client("staff").get(reverse("websec:websecuritysettings_list"))
    assert response.status_code == 302
    assert response["Location"] == row.get_absolute_url()


@pytest.mark.parametrize("username", ["staff", "it_staff", "manager", "auditor", "ciso"])
def test_everyone_reads_the_settings(org, username):
    row = settings_row()
    response = org.client(username).get(row.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_change"] is (username == "ciso")
    assert response.context["can_delete"] is False
    api = api_client(org.users[username]).get(SETTINGS_API)
    assert [r["id"] for r in api.json()["results"]] == [row.pk]


@pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
def test_others_cannot_change_the_settings(org, username, pki_pem):
    row = settings_row()
    client = org.client(username)
    data = {"company_ca_pem": pki_pem, "expiry_warning_days": 14, "control": ""}
    assert client.get(settings_url("update", row)).status_code == 404
    assert client.post(settings_url("update", row), data).status_code == 404
    api = api_client(org.users[username])
    assert api.patch(f"{SETTINGS_API}{row.pk}/", {"expiry_warning_days": 14},
                     format="json").status_code in (403, 404)
    assert (settings_row().company_ca_pem, settings_row().expiry_warning_days) == ("", 30)
    assert not log_entries(row).exists()


def test_nobody_adds_or_deletes_a_settings_row(org):
    for action in ("create", "delete", "import", "bulk_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"websec:websecuritysettings_{action}",
                    args=[1] if action == "delete" else [])
    row = settings_row()
    for username in ("ciso", "admin"):
        api = api_client(org.users[username])
        assert api.post(SETTINGS_API, {"expiry_warning_days": 2},
                        format="json").status_code == 405
        assert api.delete(f"{SETTINGS_API}{row.pk}/").status_code == 405
        page = org.client(username).get(row.get_absolute_url())
        assert page.context["can_delete"] is False and page.context["can_add"] is False
    assert WebSecuritySettings.objects.count() == 1


@pytest.fixture(scope="module")
def pki_pem(tmp_path_factory):
    from mamori.websec.tests.tls_servers import PKI

    return PKI(tmp_path_factory.mktemp("pki")).ca_pem


def test_ciso_uploads_the_company_ca_and_it_is_logged(org, pki_pem):
    row = settings_row()
    response = org.client("ciso").post(settings_url("update", row), {
        "company_ca_pem": pki_pem, "expiry_warning_days": 14, "control": ""})
    assert response.status_code == 302, response.context["form"].errors
    assert (settings_row().company_ca_pem.strip(), settings_row().expiry_warning_days) == (
        pki_pem.strip(), 14)
    entry = log_entries(row, "update").get()
    assert (entry.actor_name, entry.source) == ("ciso", "ui")
    assert {name for name, _b, _a in entry.changes()} == {"company_ca_pem",
                                                          "expiry_warning_days"}


def test_admin_changes_the_settings_through_the_api(org, pki_pem):
    row = settings_row()
    response = api_client(org.users["admin"]).patch(
        f"{SETTINGS_API}{row.pk}/", {"company_ca_pem": pki_pem + pki_pem}, format="json")
    assert response.status_code == 200, response.json()
    assert log_entries(row, "update").get().source == "api"


BAD_PEMS = [
    "not a certificate",
    "-----BEGIN CERTIFICATE-----\nTUFNT1JJ\n-----END CERTIFICATE-----\n",
    "-----BEGIN PRIVATE KEY-----\nTUFNT1JJ\n-----END PRIVATE KEY-----\n",
]


@pytest.mark.parametrize("pem", [*BAD_PEMS, "truncated"])
def test_a_bad_pem_is_refused(org, pki_pem, pem):
    if pem == "truncated":
        pem = pki_pem[: len(pki_pem) // 2]
    row = settings_row()
    response = org.client("ciso").post(settings_url("update", row), {
        "company_ca_pem": pem, "expiry_warning_days": 30, "control": ""})
    assert response.status_code == 400
    assert "company_ca_pem" in response.context["form"].errors
    api = api_client(org.users["ciso"]).patch(f"{SETTINGS_API}{row.pk}/",
                                              {"company_ca_pem": pem}, format="json")
    assert api.status_code == 400 and "company_ca_pem" in api.json(), api.content
    assert settings_row().company_ca_pem == ""
    assert not log_entries(row).exists()


# -- scans and findings: written by the scanner, read by scope ---------------------------------


@pytest.fixture
def scanned(org):
    """A Sales East endpoint (the manager's) and an IT endpoint, each with a good scan and a
    scan that fails encryption (TLS 1.0) and integrity (no HSTS), which opened findings."""
    east = make_endpoint(org.sales_east, 8443, "東日本会員サイト")
    it = make_endpoint(org.it, 8444, "社内API")
    earlier = timezone.now() - datetime.timedelta(hours=1)
    scans = {}
    for name, site in (("east", east), ("it", it)):
        scans[f"{name}_good"] = record(site, at=earlier)
        scans[f"{name}_bad"] = record(site, tls10=True, hsts=False)
    findings = {name: TlsFinding.objects.get(endpoint=site, code="enc.protocol")
                for name, site in (("east", east), ("it", it))}
    return {"east": east, "it": it, "scans": scans, "findings": findings}


def readable_by(username, data):
    """Which scans and findings `username` reads: the CISO, administrators and auditors all,
    the manager those of Sales East's endpoint, staff none."""
    everything = username in ("admin", "ciso", "auditor")
    scans, findings = set(), set()
    for name in ("east", "it"):
        if everything or (name == "east" and username == "manager"):
            scans |= {data["scans"][f"{name}_good"].pk, data["scans"][f"{name}_bad"].pk}
            findings |= set(TlsFinding.objects.filter(endpoint=data[name]).values_list(
                "pk", flat=True))
    return scans, findings


class ReadOnlyRecords:
    """Tests shared by scans and findings, which only the scanner writes."""

    model = None
    api_path = ""
    data_key = ""  # "scans" or "findings" in the fixture's data

    def url(self, action, *args):
        return reverse(f"websec:{self.model._meta.model_name}_{action}", args=args)

    def readable(self, username, data):
        scans, findings = readable_by(username, data)
        return scans if self.data_key == "scans" else findings

    def objects(self, data):
        if self.data_key == "scans":
            return data["scans"]["east_bad"], data["scans"]["it_bad"]
        return data["findings"]["east"], data["findings"]["it"]

    @pytest.mark.parametrize("username", USERS)
    def test_who_reads_which(self, org, scanned, username):
        expected = self.readable(username, scanned)
        assert rows_shown(org.client(username).get(self.url("list"))) == expected
        assert api_ids(api_client(org.users[username]).get(self.api_path)) == expected
        client = org.client(username)
        api = api_client(org.users[username])
        for obj in self.objects(scanned):
            shown = obj.pk in expected
            assert client.get(self.url("detail", obj.pk)).status_code == (200 if shown else 404)
            assert client.get(self.url("history", obj.pk)).status_code == (200 if shown else 404)
            assert api.get(f"{self.api_path}{obj.pk}/").status_code == (200 if shown else 404)

    def test_the_manager_reads_only_sales_endpoints_records(self, org, scanned):
        client = org.client("manager")
        shown = rows_shown(client.get(self.url("list")))
        assert shown and all(self.model.objects.get(pk=pk).endpoint == scanned["east"]
                             for pk in shown)
        query = f"?endpoint={scanned['it'].pk}"
        assert rows_shown(client.get(self.url("list") + query)) == set()
        assert api_ids(api_client(org.users["manager"]).get(self.api_path + query)) == set()

    def test_nobody_creates_changes_or_deletes_one(self, org, scanned):
        inside, outside = self.objects(scanned)
        for action in ("create", "update", "delete", "bulk_delete", "import"):
            with pytest.raises(NoReverseMatch):
                self.url(action, inside.pk) if action in ("update", "delete") else self.url(
                    action)
        assert self.model not in admin_site._registry
        log_before = ChangeLogEntry.objects.count()
        for username in USERS:
            user = org.users[username]
            for action in (ADD, CHANGE, DELETE):
                assert not self.model.objects.restrict(user, action).exists(), (username,
                                                                                 action)
            page = org.client(username).get(self.url("list"))
            assert page.context["can_add"] is False and page.context["can_import"] is False
            assert page.context["can_bulk_delete"] is False
            api = api_client(user)
            for obj in (inside, outside):
                path = f"{self.api_path}{obj.pk}/"
                assert api.patch(path, {"level": "warning", "authentication_ok": True},
                                 format="json").status_code == 405
                assert api.put(path, {}, format="json").status_code == 405
                assert api.delete(path).status_code == 405
            assert api.post(self.api_path, {"endpoint": inside.endpoint_id},
                            format="json").status_code == 405
        for username in ("admin", "ciso"):
            detail = org.client(username).get(self.url("detail", inside.pk))
            assert detail.context["can_change"] is False
            assert detail.context["can_delete"] is False
        assert self.model.objects.filter(pk__in=[inside.pk, outside.pk]).count() == 2
        # Nothing of websec's was written (the loop's logins wrote tokens and authenticators).
        assert not ChangeLogEntry.objects.filter(seq__gt=log_before,
                                                 model__startswith="websec.").exists()

    def grow(self, org, scanned, n):
        raise NotImplementedError

    @pytest.mark.parametrize("username", ["admin", "manager"])
    def test_list_query_count_is_constant(self, org, scanned, username):
        client = org.client(username)
        client.get(self.url("list"))  # warm caches (content types, sessions)
        self.grow(org, scanned, 3)
        small = query_count(lambda: client.get(self.url("list")))
        before = len(client.get(self.url("list")).context["rows"])
        self.grow(org, scanned, 20)
        assert len(client.get(self.url("list")).context["rows"]) >= before + 10
        assert query_count(lambda: client.get(self.url("list"))) == small

    @pytest.mark.parametrize("username", ["admin", "manager"])
    def test_api_list_query_count_is_constant(self, org, scanned, username):
        api = api_client(org.users[username])
        api.get(self.api_path)  # the token's first use records last_used_at
        self.grow(org, scanned, 3)
        small = query_count(lambda: api.get(self.api_path))
        before = len(api_ids(api.get(self.api_path)))
        self.grow(org, scanned, 20)
        assert len(api_ids(api.get(self.api_path))) >= before + 10
        assert query_count(lambda: api.get(self.api_path)) == small

    def test_export_only_scope(self, org, scanned):
        client = org.client("manager")
        response = client.get(self.url("list") + "?export=csv")
        assert response.status_code == 200
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert len(lines) - 1 == len(self.readable("manager", scanned))
        assert scanned["it"].url not in response.content.decode("utf-8-sig")


class TestTlsScan(ReadOnlyRecords):
    model = TlsScan
    api_path = "/api/websec/scans/"
    data_key = "scans"

    def grow(self, org, scanned, n):
        for i in range(n):
            site = scanned["east"] if i % 2 else scanned["it"]
            record(site, "certificate" if i % 3 else "full", tls10=bool(i % 2))

    def test_the_scan_page_shows_the_report(self, org, scanned):
        bad = scanned["scans"]["east_bad"]
        response = org.client("manager").get(self.url("detail", bad.pk))
        assert response.status_code == 200
        report = response.context["report"]
        verdicts = {p.name: p.ok for p in report.promises}
        assert verdicts == {"authentication": True, "encryption": False, "integrity": False,
                            "profile": False}
        reasons = {p.name: [text for _level, text in p.reasons] for p in report.promises}
        tls10 = problem_text("enc.protocol", {"protocol": "tls1.0"})
        assert tls10 in reasons["encryption"]
        assert problem_text("int.no_hsts") in reasons["integrity"]
        assert reasons["authentication"] == []
        content = response.content.decode()
        assert escape(tls10) in content and 'data-testid="report"' in content
        assert ('href="' + reverse("websec:tlsscan_report", args=[bad.pk, "pdf"])) in content
        assert dict(report.protocols)["TLS 1.0"] is True
        assert "CN=localhost,O=Mamori test" in [value for _label, value in report.certificate]

    def test_report_downloads_only_in_scope(self, org, scanned):
        inside, outside = scanned["scans"]["east_bad"], scanned["scans"]["it_bad"]
        client = org.client("manager")
        pdf = client.get(reverse("websec:tlsscan_report", args=[inside.pk, "pdf"]))
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
        assert pdf["Content-Type"] == "application/pdf"
        raw = client.get(reverse("websec:tlsscan_report", args=[inside.pk, "json"]))
        assert raw.status_code == 200 and raw["Content-Type"].startswith("application/json")
        assert "attachment" in raw["Content-Disposition"]
        assert json.loads(raw.content) == inside.result
        assert service.result_hash(json.loads(raw.content)) == inside.result_sha256
        for fmt in ("pdf", "json"):
            url = reverse("websec:tlsscan_report", args=[outside.pk, fmt])
            assert client.get(url).status_code == 404
            assert org.client("staff").get(
                reverse("websec:tlsscan_report", args=[inside.pk, fmt])).status_code == 404
            assert org.client("auditor").get(url).status_code == 200
        assert client.get(f"/web/scans/{inside.pk}/report.html").status_code == 404

    def test_the_api_gives_the_raw_result_of_one_scan_not_of_the_list(self, org, scanned):
        scan = scanned["scans"]["east_bad"]
        api = api_client(org.users["manager"])
        listed = api.get(self.api_path).json()["results"]
        assert listed and all("result" not in row for row in listed)
        assert {p["code"] for p in next(r for r in listed if r["id"] == scan.pk)[
            "problems"]} >= {"enc.protocol", "int.no_hsts"}
        single = api.get(f"{self.api_path}{scan.pk}/").json()
        assert single["result"] == scan.result
        assert single["result_sha256"] == scan.result_sha256

    def test_a_failed_scan_reads_as_unreachable(self, org, scanned):
        failed = service.record(scanned["east"], "full", {"error": "timeout",
                                                          "error_detail": "no answer"})
        assert failed.status == TlsScan.Status.FAILED and failed.passes is None
        client = org.client("manager")
        response = client.get(self.url("detail", failed.pk))
        assert response.status_code == 200
        # Told once, in words, above the verdicts (all unknown), not as a list of problems.
        text = service.incomplete_text(failed.result)
        assert response.context["report"].incomplete == text
        assert response.context["report"].other == []
        assert escape(text) in response.content.decode()
        assert "サーバが制限時間内に応答しませんでした" in problem_text("scan.error",
                                                           {"error": "timeout"})
        pdf = client.get(reverse("websec:tlsscan_report", args=[failed.pk, "pdf"]))
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"

    def test_the_change_log_records_the_hash_not_the_result(self, org, scanned):
        scan = scanned["scans"]["east_good"]
        entry = log_entries(scan, "create").get()
        assert entry.after["result"] == "[redacted]"
        assert entry.after["result_sha256"] == scan.result_sha256

    def test_the_endpoint_gets_the_latest_verdict(self, org, scanned):
        east = WebEndpoint.objects.get(pk=scanned["east"].pk)
        assert (east.authentication_ok, east.encryption_ok, east.integrity_ok) == (
            True, False, False)
        assert east.last_full_scan_at == scanned["scans"]["east_bad"].started_at


class TestTlsFinding(ReadOnlyRecords):
    model = TlsFinding
    api_path = "/api/websec/findings/"
    data_key = "findings"

    def grow(self, org, scanned, n):
        now = timezone.now()
        start = TlsFinding.objects.count()
        TlsFinding.objects.bulk_create(
            TlsFinding(endpoint=scanned["east"] if i % 2 else scanned["it"],
                       key=f"enc.weak_cipher:suite=S{start + i}", code="enc.weak_cipher",
                       promise="encryption", level="fail", params={"suite": f"S{start + i}"},
                       opened_at=now, last_seen_at=now) for i in range(n))

    def test_a_finding_opens_once_and_reads_in_plain_words(self, org, scanned):
        finding = scanned["findings"]["east"]
        assert finding.opened_by_scan == scanned["scans"]["east_bad"] and finding.is_open
        record(scanned["east"], tls10=True, hsts=False)
        assert TlsFinding.objects.filter(endpoint=scanned["east"],
                                         code="enc.protocol").count() == 1
        text = problem_text("enc.protocol", {"protocol": "tls1.0"})
        response = org.client("manager").get(self.url("detail", finding.pk))
        assert response.context["description"] == text
        body = api_client(org.users["manager"]).get(f"{self.api_path}{finding.pk}/").json()
        assert body["text"] == text and body["params"] == {"protocol": "tls1.0"}
        page = org.client("manager").get(scanned["east"].get_absolute_url())
        assert finding in page.context["findings"]

    def test_a_passing_scan_closes_the_findings(self, org, scanned):
        good = record(scanned["east"])
        assert not TlsFinding.objects.filter(endpoint=scanned["east"]).open().exists()
        finding = TlsFinding.objects.get(pk=scanned["findings"]["east"].pk)
        assert finding.closed_by_scan == good and finding.closed_at == good.started_at
        assert rows_shown(org.client("manager").get(self.url("list") + "?open=true")) == set()
        assert TlsFinding.objects.filter(endpoint=scanned["it"]).open().exists()
