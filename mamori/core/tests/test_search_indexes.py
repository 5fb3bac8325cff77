"""The search box (`q=`) read from trigram indexes (core.search_indexes) finds exactly what the
columns' `icontains` finds, on both databases, after every kind of write: a save, an import's
bulk insert and update, a delete, and a rolled-back change."""

import pytest
from django.db import connection, transaction
from django.db.models import Q

from mamori.assets.models import Asset
from mamori.assets.tests.test_asset_import import assets_file, run
from mamori.assets.tests.test_asset_models import make_asset
from mamori.core.search_indexes import contains_any, search_table
from mamori.org.models import Person

pytestmark = pytest.mark.django_db

TERMS = ["CORE", "core", "サーバ", "資産", "er", "r s", "Tokyo", 'say "hi"', "100%", "a_b",
         "品川)", "IMP-0000", "nothing-like-this"]


def icontains_any(queryset, columns, value):
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__icontains": value})
    return queryset.filter(condition)


def assert_same_as_icontains(model):
    rows = model.objects.all()
    for term in TERMS:
        found = set(contains_any(rows, model.SEARCHED, term).values_list("pk", flat=True))
        expected = set(icontains_any(rows, model.SEARCHED, term).values_list(
            "pk", flat=True))
        assert found == expected, term


@pytest.fixture
def assets(org):
    made = [
        make_asset(org.sales, "IT-CORE-1", name_en="Core system servers",
                   name_ja="基幹系サーバ", location="東京（品川）"),
        make_asset(org.sales, "HR-2", name_en="Staff records", location="Tokyo office"),
        make_asset(org.it, "X-3", name_en='They say "hi"', location="100% a_b"),
    ]
    return made


def test_search_finds_what_icontains_finds_after_saves_and_deletes(org, assets):
    assert_same_as_icontains(Asset)
    core, staff, _quoted = assets
    core.name_en = "Mainframe"
    core.code = "IT-MAIN-1"
    core.save()
    staff.delete()
    assert_same_as_icontains(Asset)
    assert not contains_any(Asset.objects.all(), Asset.SEARCHED, "CORE").exists()
    assert list(contains_any(Asset.objects.all(), Asset.SEARCHED, "mainframe")) == [core]


def test_search_follows_an_imports_bulk_insert_and_update(org, assets):
    assert run(org, assets_file(org, 30)).ok
    assert_same_as_icontains(Asset)
    assert contains_any(Asset.objects.all(), Asset.SEARCHED, "IMP-0001").count() == 10
    assert run(org, assets_file(org, 30, shift=1)).ok  # updates every row's Japanese name
    assert_same_as_icontains(Asset)
    assert contains_any(Asset.objects.all(), Asset.SEARCHED, "資産 7 1").count() == 1


def test_a_rolled_back_change_leaves_the_search_as_it_was(org, assets):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_asset(org.sales, "IT-CORE-2")
        raise RuntimeError
    assert list(contains_any(Asset.objects.all(), Asset.SEARCHED, "IT-CORE")) == [assets[0]]


def test_people_search_finds_what_icontains_finds(org):
    Person.objects.create(employee_no="S-100", name="田中 太郎", name_kana="タナカ タロウ",
                          name_latin="Tanaka Taro", email="t.tanaka@example.com",
                          department=org.sales)
    assert_same_as_icontains(Person)
    for term in ("tanaka", "タナカ", "EXAMPLE.COM", "S-10"):
        assert contains_any(Person.objects.all(), Person.SEARCHED, term).exists(), term


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_sqlite_reads_a_long_term_from_the_trigram_table(org, assets):
    sql = str(contains_any(Asset.objects.all(), Asset.SEARCHED, "CORE").query)
    assert "MATCH" in sql and search_table("assets_asset") in sql
    # Two characters have no trigram: compared row by row.
    assert "MATCH" not in str(contains_any(Asset.objects.all(), Asset.SEARCHED, "CO").query)


def test_the_list_page_and_the_api_search(org, assets):
    response = org.client("admin").get("/assets/register/", {"q": "core"})
    assert [obj for obj, _cells in response.context["rows"]] == [assets[0]]
    from mamori.core.testing import api_client

    body = api_client(org.users["admin"]).get("/api/assets/assets/", {"q": "品川"}).json()
    assert [row["code"] for row in body["results"]] == ["IT-CORE-1"]


def test_incident_and_risk_searches_find_what_icontains_finds(org):
    from mamori.incidents.models import Incident
    from mamori.incidents.tests.factories import make_incident
    from mamori.risks.models import Risk
    from mamori.risks.tests.test_risk_models import make_risk

    incident = make_incident(org.sales, "基幹系サーバの停止",
                             description='Core system servers down in Tokyo; 100% a_b "hi"')
    make_incident(org.it, "Lost laptop", description="Left on a train (品川)")
    make_risk(org.sales, "R-CORE-1", title_en="Core system outage", title_ja="基幹系サーバ停止")
    make_risk(org.it, "R-2", title_en="Staff error")
    assert_same_as_icontains(Incident)
    assert_same_as_icontains(Risk)
    incident.description = "Resolved"
    incident.save()
    assert_same_as_icontains(Incident)
    assert not contains_any(Incident.objects.all(), Incident.SEARCHED, "TOKYO").exists()
