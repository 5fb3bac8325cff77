"""The change log's times are in order from the checkpoint's `ordered_from` on, so a range of
days is a range of sequence numbers (core.changelog.entry_time, first_entry_from): the same
entries as asking the times, read from the `seq` index."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from mamori.core import changelog
from mamori.core.context import Actor, acting_as
from mamori.core.filtersets import ChangeLogFilterSet
from mamori.core.models import ChainCheckpoint, ChangeLogEntry
from mamori.org.models import Department

pytestmark = pytest.mark.django_db

# After the entries the fixtures write at the real time: 09:00 in Tokyo, ten days on.
START = timezone.make_aware(datetime.datetime.combine(
    timezone.localdate() + datetime.timedelta(days=10), datetime.time(9, 0)))


class Clock:
    """The time record_many reads (django.utils.timezone.now), moved by the test."""

    def __init__(self, monkeypatch, at):
        self.at = at
        monkeypatch.setattr(changelog.timezone, "now", lambda: self.at)


def write(codes):
    with acting_as(Actor(None, "test", "command")):
        for code in codes:
            Department.objects.create(code=code, name_ja=code)


def test_an_entry_is_never_earlier_than_the_one_before(org, monkeypatch):
    clock = Clock(monkeypatch, START)
    write(["T1"])
    clock.at = START - datetime.timedelta(hours=3)  # the clock set back
    write(["T2"])
    clock.at = START + datetime.timedelta(minutes=1)
    write(["T3"])
    times = list(ChangeLogEntry.objects.order_by("seq").values_list("at", flat=True))
    assert times[-3:] == [START, START, START + datetime.timedelta(minutes=1)]
    assert times == sorted(times)


def entries(query):
    filterset = ChangeLogFilterSet(query, queryset=ChangeLogEntry.objects.order_by("-seq"))
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_days_as_numbers_are_the_days_as_times(org, monkeypatch):
    clock = Clock(monkeypatch, START)
    for day in range(6):  # 1-6 March, two entries a day, one late in the Tokyo evening
        clock.at = START + datetime.timedelta(days=day)
        write([f"D{day}a"])
        clock.at = START + datetime.timedelta(days=day, hours=14, minutes=30)
        write([f"D{day}b"])
    everything = list(ChangeLogEntry.objects.order_by("-seq").values_list("seq", "at"))
    for day in range(-11, 8):
        date = (START + datetime.timedelta(days=day)).date()
        begins = timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))
        ends = begins + datetime.timedelta(days=1)
        for query, expected in (
                ({"since": date}, [s for s, at in everything if at >= begins]),
                ({"until": date}, [s for s, at in everything if at < ends]),
                ({"since": date, "until": date},
                 [s for s, at in everything if begins <= at < ends])):
            qs = entries(query)
            assert list(qs.values_list("seq", flat=True)) == expected, query
    # Within the ordered part the days are asked of the numbers, not the times.
    where = str(entries({"until": START.date()}).query).split("WHERE")[1]
    assert "seq" in where and '"at"' not in where


def test_a_log_written_before_is_asked_its_times(org, monkeypatch):
    """The entries written before times were kept in order keep their times as written:
    a day among them is asked of the times; a day after the first ordered entry is a range
    of numbers again."""
    clock = Clock(monkeypatch, START + datetime.timedelta(days=2))
    write(["OLD1", "OLD2"])
    head = ChainCheckpoint.objects.get(pk=1)
    migration = importlib.import_module(
        "mamori.core.migrations.0008_changelog_times_in_order")
    # What the migration reads of its schema editor is the connection.
    migration.order_from_the_next_entry(apps, SimpleNamespace(connection=connection))
    head.refresh_from_db()
    assert head.ordered_from == head.seq + 1
    # An older entry written with a later time than the one after it, as could happen then.
    first = ChangeLogEntry.objects.order_by("seq").first()
    with connection.cursor() as cursor:  # below the ORM: entries are append-only
        cursor.execute("UPDATE core_changelogentry SET at = %s WHERE id = %s",
                       [connection.ops.adapt_datetimefield_value(
                           START + datetime.timedelta(days=3)), first.pk])
    assert changelog.first_entry_from(START, "default") is None  # nothing ordered yet
    clock.at = START + datetime.timedelta(days=1)  # behind the newest time: not taken
    write(["NEW1"])
    new = ChangeLogEntry.objects.order_by("-seq").first()
    assert new.seq == head.ordered_from
    assert new.at == START + datetime.timedelta(days=3)
    on_day_four = {"since": (START + datetime.timedelta(days=3)).date()}
    assert first.seq in entries(on_day_four).values_list("seq", flat=True)
    clock.at = START + datetime.timedelta(days=5)
    write(["NEW2"])
    later = changelog.first_entry_from(START + datetime.timedelta(days=4), "default")
    assert later == new.seq + 1
    assert list(entries({"since": (START + datetime.timedelta(days=5)).date()})
                .values_list("seq", flat=True)) == [later]


def test_the_api_pages_days_and_positions_by_number(org, monkeypatch):
    """With only positions and days as filters, the API's count and every page at every
    offset, in either order by number, are the entries the filters name, read without a
    COUNT or an OFFSET; with another filter too, as before."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from mamori.core.testing import api_client

    clock = Clock(monkeypatch, START)
    for day in range(4):
        for hour in (1, 15):
            clock.at = START + datetime.timedelta(days=day, hours=hour)
            write([f"A{day}{hour}"])
    client = api_client(org.users["auditor"])
    rows = list(ChangeLogEntry.objects.order_by("-seq").values_list("seq", "at", "model"))
    second = (START + datetime.timedelta(days=1)).date()
    third = (START + datetime.timedelta(days=2)).date()
    middle = rows[4][0]

    def expected(query):
        begins = timezone.make_aware(datetime.datetime.combine(
            query.get("since", datetime.date.min + datetime.timedelta(days=1)),
            datetime.time.min)) if "since" in query else None
        ends = timezone.make_aware(datetime.datetime.combine(
            query["until"] + datetime.timedelta(days=1), datetime.time.min)) if (
            "until" in query) else None
        return [s for s, at, model in rows
                if (begins is None or at >= begins) and (ends is None or at < ends)
                and s < query.get("before_seq", 10**9) and s > query.get("after_seq", 0)
                and model == query.get("model", model)]

    for query in ({"since": second}, {"until": second}, {"since": second, "until": third},
                  {"since": second, "before_seq": middle}, {"after_seq": 2, "until": third},
                  {"since": second, "model": "org.department"}):
        want = expected(query)
        for ordering, order in (("", want), ("seq", want[::-1]), ("-seq", want)):
            for offset in range(len(want) + 2):
                params = {**query, "limit": 3, "offset": offset}
                if ordering:
                    params["ordering"] = ordering
                with CaptureQueriesContext(db) as queries:
                    body = client.get("/api/changelog/", params).json()
                assert body["count"] == len(want), params
                assert [e["seq"] for e in body["results"]] == order[offset:offset + 3], params
                counted = [q for q in queries.captured_queries
                           if ("COUNT(" in q["sql"] or "OFFSET" in q["sql"])
                           and "core_changelogentry" in q["sql"]]
                assert bool(counted) == ("model" in query), (params, counted)


def test_a_lowered_ordered_from_does_not_pass_verification(org, monkeypatch, english):
    """`ordered_from` is not signed; verification checks the times it vouches for, so moving
    it back over entries written out of order (which would hide them from a day filter) is
    reported, while the value the migration sets passes."""
    clock = Clock(monkeypatch, START + datetime.timedelta(days=2))
    # As before times were kept in order: each entry took the clock as it stood.
    monkeypatch.setattr(changelog, "entry_time", lambda Entry, using: clock.at)
    write(["OLD1"])
    clock.at = START
    write(["OLD2"])  # earlier than the entry before it; its hash is sound
    head = ChainCheckpoint.objects.get(pk=1)
    ChainCheckpoint.objects.filter(pk=1).update(ordered_from=head.seq + 1)
    assert changelog.verify().ok
    ChainCheckpoint.objects.filter(pk=1).update(ordered_from=1)
    verdict = changelog.verify()
    assert not verdict.ok
    assert verdict.seq == head.seq
    assert "in order" in verdict.problem
