"""The change log is read by position (core.seek), not by page number: every entry is reached
once from either end, no page counts or skips the entries before it, and its filters match by
index (a day is a day in Japan)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mamori.core.context import Actor, acting_as
from mamori.core.models import ChangeLogEntry
from mamori.core.seek import seek_page
from mamori.core.testing import api_client
from mamori.org.models import Department

pytestmark = pytest.mark.django_db


def departments(n, prefix="S"):
    with acting_as(Actor(None, "test", "command")):
        for i in range(n):
            Department.objects.create(code=f"{prefix}{i:03d}", name_ja=f"部{i}")


def walk(queryset, first_params, direction, size=7):
    """Every key met following `direction` ("older" or "newer") from `first_params`."""
    seen, params = [], first_params
    while True:
        page = seek_page(queryset, "seq", params, size=size)
        seen.append([e.seq for e in page.object_list])
        step = page.older if direction == "older" else page.newer
        if step is None:
            return seen
        params = {"before": step} if direction == "older" else {"after": step}


def test_pages_reach_every_entry_once_from_either_end(org):
    departments(30)
    everything = ChangeLogEntry.objects.order_by("-seq")
    expected = list(everything.values_list("seq", flat=True))

    from_newest = walk(everything, {}, "older")
    from_oldest = walk(everything, {"after": "0"}, "newer")

    assert [seq for page in from_newest for seq in page] == expected
    assert [seq for page in reversed(from_oldest) for seq in page] == expected
    assert all(page == sorted(page, reverse=True) for page in from_newest + from_oldest)


def test_a_filtered_walk_keeps_to_the_filter(org):
    departments(20)
    only_departments = ChangeLogEntry.objects.filter(model="org.department")
    pages = walk(only_departments, {}, "older", size=6)

    assert sum(len(p) for p in pages) == only_departments.count()
    assert len(pages) == -(-only_departments.count() // 6)


def test_ends_and_malformed_positions(org):
    departments(3)
    everything = ChangeLogEntry.objects.all()
    newest = seek_page(everything, "seq", {}, size=2)
    assert newest.at_newest and newest.newer is None and not newest.at_oldest
    oldest = seek_page(everything, "seq", {"after": "0"}, size=2)
    assert oldest.at_oldest and oldest.older is None and not oldest.at_newest
    assert seek_page(everything, "seq", {"before": "x"}, size=2).object_list == \
        newest.object_list


def test_the_page_neither_counts_nor_skips_rows(org):
    departments(60)
    client = org.client("auditor")
    middle = ChangeLogEntry.objects.order_by("seq")[20].seq
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/changelog/?model=org.department&before={middle}",
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = [e.seq for e in response.context["page"].object_list]
    assert shown and max(shown) < middle
    sql = " ".join(q["sql"] for q in queries.captured_queries if "core_changelogentry" in q["sql"])
    assert "COUNT(" not in sql and "OFFSET" not in sql
    page = response.content.decode()
    assert "newer" in page and "newest" in page and "previous" not in page


def test_a_day_is_a_day_in_japan(org):
    """An entry at 23:30 in Tokyo (14:30 UTC) belongs to that Tokyo day."""
    departments(1)
    entry = ChangeLogEntry.objects.order_by("-seq").first()
    late = timezone.make_aware(datetime.datetime(2026, 3, 10, 23, 30))
    earlier = late - datetime.timedelta(days=30)
    with connection.cursor() as cursor:  # below the ORM: entries are append-only
        # The entries before it earlier still: times are in order in the log (entry_time).
        cursor.execute("UPDATE core_changelogentry SET at = %s WHERE id <> %s",
                       [connection.ops.adapt_datetimefield_value(earlier), entry.pk])
        cursor.execute("UPDATE core_changelogentry SET at = %s WHERE id = %s",
                       [connection.ops.adapt_datetimefield_value(late), entry.pk])
    client = org.client("auditor")

    def shown(query):
        page = client.get(f"/changelog/?{query}").context["page"]
        return entry.seq in [e.seq for e in page.object_list]

    assert shown("since=2026-03-10&until=2026-03-10")
    assert not shown("since=2026-03-11")
    assert not shown("until=2026-03-09")


def test_the_api_counts_the_log_by_its_numbers_and_walks_it_by_seq(org):
    departments(12)
    client = api_client(org.users["auditor"])
    total = ChangeLogEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/changelog/?limit=5").json()
    assert body["count"] == total
    assert not [q for q in queries.captured_queries
                if "COUNT(" in q["sql"] and "core_changelogentry" in q["sql"]]
    filtered = client.get("/api/changelog/?model=org.department&limit=5").json()
    assert filtered["count"] == ChangeLogEntry.objects.filter(model="org.department").count()

    last_seen = body["results"][-1]["seq"]
    with CaptureQueriesContext(connection) as queries:
        older = client.get(f"/api/changelog/?before_seq={last_seen}&limit=5").json()
    assert [e["seq"] for e in older["results"]] == list(range(last_seen - 1, last_seen - 6, -1))
    assert older["count"] == ChangeLogEntry.objects.filter(seq__lt=last_seen).count()
    assert not [q for q in queries.captured_queries
                if "COUNT(" in q["sql"] and "core_changelogentry" in q["sql"]]
    between = client.get(f"/api/changelog/?after_seq=3&before_seq={last_seen}").json()
    assert between["count"] == ChangeLogEntry.objects.filter(seq__gt=3,
                                                              seq__lt=last_seen).count()
    newest = ChangeLogEntry.objects.order_by("-seq").first().seq
    assert client.get(f"/api/changelog/?after_seq={newest}").json()["count"] == 0
    assert client.get("/api/changelog/?before_seq=-5").json()["count"] == 0
    mixed = client.get(f"/api/changelog/?model=org.department&before_seq={last_seen}").json()
    assert mixed["count"] == ChangeLogEntry.objects.filter(model="org.department",
                                                           seq__lt=last_seen).count()


def no_entry_count(queries) -> bool:
    return not [q for q in queries.captured_queries
                if "COUNT(" in q["sql"] and "core_changelogentry" in q["sql"]]


def test_the_api_counts_a_model_action_or_source_from_the_tallies(org):
    """Filtered by model, action or source alone, the total comes from the tallies kept with
    the log (not a COUNT over millions of entries) and is still exact."""
    departments(9)
    with acting_as(Actor(None, "test", "command")):
        Department.objects.filter(code__startswith="S00").first().delete()
    client = api_client(org.users["auditor"])
    for query, expected in (
            ("model=org.department", {"model": "org.department"}),
            ("action=delete", {"action": "delete"}),
            ("source=command", {"source": "command"}),
            ("model=org.department&action=create&source=command",
             {"model": "org.department", "action": "create", "source": "command"}),
            ("model=org.person&action=delete", {"model": "org.person", "action": "delete"})):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/changelog/?{query}&limit=3").json()
        assert body["count"] == ChangeLogEntry.objects.filter(**expected).count(), query
        assert no_entry_count(queries), query
        assert [e["seq"] for e in body["results"]] == list(ChangeLogEntry.objects.filter(
            **expected).order_by("-seq").values_list("seq", flat=True)[:3])
    # Another filter with them: counted entry by entry, as every list is.
    body = client.get("/api/changelog/?model=org.department&actor=test").json()
    assert body["count"] == ChangeLogEntry.objects.filter(model="org.department",
                                                          actor_name="test").count()
    # Someone who may not read the log is told nothing, tallies or not.
    body = api_client(org.users["staff"]).get("/api/changelog/?model=org.department").json()
    assert (body["count"], body["results"]) == (0, [])
