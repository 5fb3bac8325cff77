"""Whose failing objects a reader is shown: the dashboard and GET /api/conformance/ name only
the failing objects the reader may view, link only what they may open, and count the rest
("N of them are outside your scope"); verdicts and counts stay company-wide. The CISO,
administrators and auditors see every failing object; `mamori conformance` runs as the system
and is unchanged."""

import html
import io
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from mamori.core import conformance
from mamori.core.conformance import SYSTEM, Result
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry, User
from mamori.core.roles import roles_for
from mamori.core.tasks import snapshot_conformance
from mamori.core.testing import api_client, query_count
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.org.models import Department, Person

pytestmark = pytest.mark.django_db

ART2 = "org.art2.person_classified"
ART3 = "org.art3.information_manager"
IN_SCOPE = "未分類 営業"  # in Sales East, below the manager's Sales
OUT_OF_SCOPE = ("未分類 システム", "無所属 花子")  # in IT, and in no department


@pytest.fixture
def unclassified(org):
    """Three people failing Art 2 (no category or no department): one in the manager's scope."""
    Person.objects.create(employee_no="Z1", name=IN_SCOPE, category="",
                          department=org.sales_east)
    Person.objects.create(employee_no="Z2", name=OUT_OF_SCOPE[0], category="",
                          department=org.it)
    Person.objects.create(employee_no="Z3", name=OUT_OF_SCOPE[1], category="employee")
    return org


def dashboard_checks(client, language=None) -> dict[str, dict]:
    """Per check on the dashboard: the failing objects listed (label, link) and the texts
    that count the rest (empty when there is none), as the reader sees them on opening the
    check's failing objects (loaded from the check's page then)."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    page = client.get("/dashboard/", **headers).content.decode()
    parts = re.split(r'data-check="([^"]+)"', page)
    checks = {}
    for code, block in zip(parts[1::2], parts[2::2], strict=True):
        details = re.search(r'<details[^>]*hx-get="([^"]+)"', block)
        body = client.get(html.unescape(details.group(1)),
                          **headers).content.decode() if details else ""
        checks[code] = failing_part(body)
    return checks


def failing_part(body: str) -> dict:
    items = re.findall(r"<li>(.*?)</li>", body, re.S)
    return {
        "listed": [(html.unescape(re.sub(r"<[^>]+>", "", item)),
                    (re.findall(r'href="([^"]+)"', item) or [""])[0]) for item in items],
        "outside": " ".join(re.findall(
            r'data-testid="failing-outside-scope">(.*?)</div>', body, re.S)),
        "not_listed": " ".join(re.findall(
            r'data-testid="failing-not-listed">(.*?)</div>', body, re.S)),
    }


def api_checks(data) -> dict[str, dict]:
    return {c["code"]: c for a in data for c in a["checks"]}


def assert_links_open(client, urls):
    for url in urls:
        assert url, "a listed object without a link"
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url


def test_manager_dashboard_names_only_failing_objects_in_scope(unclassified):
    org = unclassified
    client = org.client("manager")
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 failing objects" in page  # the count is the company's
    check_page = client.get(f"/dashboard/{ART2}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 failing objects" in check_page
    for name in OUT_OF_SCOPE:
        assert name not in page and name not in check_page
    assert [label for label, _url in failing_part(check_page)["listed"]] == [IN_SCOPE]
    checks = dashboard_checks(client, "en")
    assert [label for label, _url in checks[ART2]["listed"]] == [IN_SCOPE]
    assert checks[ART2]["outside"] == "2 of them are outside your scope"
    # Everyone reads the organisation chart: every department without a manager is named.
    assert {label for label, _url in checks[ART3]["listed"]} == {
        str(org.company), str(org.sales_east), str(org.it)}
    assert checks[ART3]["outside"] == ""
    assert_links_open(client, [url for c in checks.values() for _label, url in c["listed"]])


def test_manager_api_lists_only_failing_objects_in_scope(unclassified):
    org = unclassified
    response = api_client(org.users["manager"]).get("/api/conformance/")
    assert response.status_code == 200
    for name in OUT_OF_SCOPE:
        assert name not in response.content.decode()
    checks = api_checks(response.json())
    art2 = checks[ART2]
    assert (art2["status"], art2["value"], art2["failing_count"]) == ("fail", 62.5, 3)
    assert [f["label"] for f in art2["failing"]] == [IN_SCOPE]
    assert art2["failing_outside_scope"] == 2
    assert checks[ART3]["failing_outside_scope"] == 0 and len(checks[ART3]["failing"]) == 3
    assert_links_open(org.client("manager"),
                      [f["url"] for c in checks.values() for f in c["failing"]])


@pytest.mark.parametrize("username", ["ciso", "auditor", "admin"])
def test_ciso_auditor_and_admin_see_every_failing_object(unclassified, username):
    org = unclassified
    client = org.client(username)
    checks = dashboard_checks(client)
    assert {label for label, _url in checks[ART2]["listed"]} == {IN_SCOPE, *OUT_OF_SCOPE}
    assert checks[ART2]["outside"] == ""
    assert_links_open(client, [url for c in checks.values() for _label, url in c["listed"]])
    data = api_checks(api_client(org.users[username]).get("/api/conformance/").json())
    assert {f["label"] for f in data[ART2]["failing"]} == {IN_SCOPE, *OUT_OF_SCOPE}
    assert data[ART2]["failing_outside_scope"] == 0


def test_a_long_list_counts_what_is_not_listed_and_what_is_out_of_scope(unclassified):
    org = unclassified
    Person.objects.bulk_create(Person(employee_no=f"S{i:03d}", name=f"営業 {i}",
                                      department=org.sales) for i in range(60))
    checks = dashboard_checks(org.client("manager"), "en")
    assert len(checks[ART2]["listed"]) == conformance.FAILING_SHOWN
    assert checks[ART2]["not_listed"] == "11 more not listed here"  # 61 in scope, 50 listed
    assert checks[ART2]["outside"] == "2 of them are outside your scope"


def test_the_outside_scope_count_in_english_and_japanese(unclassified):
    client = unclassified.client("manager")
    english = client.get(f"/dashboard/{ART2}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 of them are outside your scope" in english
    japanese = client.get(f"/dashboard/{ART2}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "うち 2件はあなたの権限の範囲外です" in japanese
    assert "不適合の対象 3件" in japanese
    dashboard = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "不適合の対象 3件" in dashboard and "不適合の対象を表示" in dashboard


@pytest.mark.parametrize("reader", ["manager", "auditor"])
def test_query_count_stays_constant_as_failing_objects_grow(unclassified, reader):
    org = unclassified
    page = org.client(reader)
    api = api_client(org.users[reader])
    failing = f"/dashboard/{ART2}/?part=failing"
    page.get("/dashboard/")
    api.get("/api/conformance/")
    before = (query_count(lambda: page.get("/dashboard/")),
              query_count(lambda: page.get(failing)),
              query_count(lambda: api.get("/api/conformance/")))
    # More failing objects in the manager's scope (beyond the 50 listed) and outside it.
    Person.objects.bulk_create(Person(employee_no=f"S{i:03d}", name=f"営業 {i}",
                                      department=org.sales) for i in range(60))
    Person.objects.bulk_create(Person(employee_no=f"T{i:03d}", name=f"システム {i}",
                                      department=org.it) for i in range(60))
    Department.objects.bulk_create(
        Department(code=f"N{i}", name_ja=f"新部署{i}", parent=org.company) for i in range(30))
    after = (query_count(lambda: page.get("/dashboard/")),
             query_count(lambda: page.get(failing)),
             query_count(lambda: api.get("/api/conformance/")))
    assert after == before
    outside = {"manager": 62, "auditor": 0}[reader]  # Z2, Z3 and the 60 in IT
    art2 = api_checks(api.get("/api/conformance/").json())[ART2]
    assert (art2["failing_count"], art2["failing_outside_scope"]) == (123, outside)


def test_a_checks_page_is_for_whoever_may_see_the_dashboard(unclassified):
    org = unclassified
    assert org.client("staff").get("/dashboard/").status_code == 403
    assert org.client("staff").get(f"/dashboard/{ART2}/").status_code == 403
    assert org.client("staff").get(f"/dashboard/{ART2}/?part=failing").status_code == 403
    assert org.client("ciso").get("/dashboard/no.such.check/").status_code == 404
    page = org.client("ciso").get(f"/dashboard/{ART2}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="check-status">不適合<' in text
    assert "確認する内容" in text and "不適合の対象 3件" in text
    assert all(name in text for name in (IN_SCOPE, *OUT_OF_SCOPE))
    assert "記録された結果はまだありません。" in text
    snapshot_conformance.call()  # the daily snapshot: the check's history has today
    history = org.client("ciso").get(f"/dashboard/{ART2}/", HTTP_ACCEPT_LANGUAGE="en")
    rows = re.findall(r"<tr><td>(.*?)</td><td>.*?>(\w+)</span></td><td>(.*?)</td><td>(\d+)</td>",
                      history.content.decode())
    assert rows == [(str(timezone.localdate()), "fail", "62.5%", "3")]


def test_one_checks_result_through_the_api(unclassified):
    org = unclassified
    url = f"/api/conformance/{ART2}/"
    assert api_client(org.users["staff"]).get(url).status_code == 403
    assert api_client(org.users["ciso"]).get("/api/conformance/no.such.check/").status_code == 404
    check = api_client(org.users["manager"]).get(url).json()
    whole = api_checks(api_client(org.users["manager"]).get("/api/conformance/").json())[ART2]
    assert check == whole  # the same result as among the others
    assert [f["label"] for f in check["failing"]] == [IN_SCOPE]
    assert check["failing_outside_scope"] == 2


def test_the_command_still_lists_every_failing_object(unclassified):
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("conformance", "--json", stdout=out)
    check = api_checks(json.loads(out.getvalue()))[ART2]
    assert set(check) == {"code", "title", "status", "value", "threshold", "unit",
                          "failing_count", "failing"}  # the command's format is unchanged
    assert {f["label"] for f in check["failing"]} == {IN_SCOPE, *OUT_OF_SCOPE}
    assert all(f["url"].startswith("/org/people/") for f in check["failing"])


def test_failing_objects_must_be_a_scoped_queryset(org):
    with pytest.raises(TypeError, match="queryset"):
        Result.from_failing([org.sales], value=0, threshold=0)
    with pytest.raises(TypeError, match="scope"):
        Result.from_failing(Permission.objects.all(), value=0, threshold=0)


def test_scoping_costs_at_most_two_queries_and_none_for_a_model_the_reader_cannot_see(
        unclassified):
    org = unclassified
    people = Result.from_failing(Person.objects.filter(category=""), value=0, threshold=0)
    assert people.failing_count == 2  # Z1 (Sales East) and Z2 (IT)
    seen = {}

    def read(result, username):
        user = org.users[username]
        roles_for(user)  # computed once per request, before the page reads conformance
        return query_count(lambda: seen.update(s=result.failing_for(user)))

    assert read(people, "manager") == 2  # their share counted, then listed
    assert ([f.label for f in seen["s"].objects], seen["s"].outside_scope) == ([IN_SCOPE], 1)
    assert read(people, "it_staff") == 1  # counted: none of them is their own record
    assert (seen["s"].objects, seen["s"].outside_scope) == ([], 2)
    assert read(people, "auditor") == 1  # reads every row: listed, nothing to count
    assert (len(seen["s"].objects), seen["s"].outside_scope) == (2, 0)
    log = Result.from_failing(ChangeLogEntry.objects.all(), value=0, threshold=0)
    assert read(log, "manager") == 0  # managers read no change log at all: a count only
    assert (seen["s"].objects, seen["s"].outside_scope) == ([], log.failing_count)
    assert len(log.failing_for(SYSTEM).objects) == min(log.failing_count,
                                                       conformance.FAILING_SHOWN)


def test_in_the_demo_company_a_manager_sees_only_their_failing_objects(tmp_path):
    """The penetration test's finding: most failing objects on the demo dashboard were
    outside the information manager's scope and linked to pages that answered 404."""
    load_demo(tmp_path, io.StringIO())
    for step in demo_steps():
        step(DEFAULT_SEED)
    manager = User.objects.get(username="manager")
    everyone = api_checks(conformance.as_json(conformance.evaluate(SYSTEM)))
    checks = api_checks(api_client(manager).get("/api/conformance/").json())
    client = Client()
    client.force_login(manager)
    page = dashboard_checks(client)
    hidden = 0
    for code, check in checks.items():
        all_labels = [f["label"] for f in everyone[code]["failing"]]
        shown = [f["label"] for f in check["failing"]]
        assert set(shown) <= set(all_labels), code
        assert check["failing_count"] == everyone[code]["failing_count"], code
        if check["failing_count"] <= conformance.FAILING_SHOWN:
            assert len(shown) + check["failing_outside_scope"] == check["failing_count"], code
        if check["failing_count"]:
            assert [label for label, _url in page[code]["listed"]] == shown, code
        hidden += check["failing_outside_scope"]
    assert hidden > 0  # the demo has failing objects outside the manager's departments
    assert_links_open(client, [url for c in page.values() for _label, url in c["listed"]])
