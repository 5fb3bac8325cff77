"""Planner statistics are refreshed after a large import, after the demo and daily
(core.dbstats), on SQLite and PostgreSQL: what the database itself records is read back."""

import threading

import pytest
import tablib
from django.db import connection

from mamori.assets.models import Asset
from mamori.core import dbstats, io
from mamori.core.models import ChangeLogEntry
from mamori.core.tasks import refresh_statistics
from mamori.org.forms import PersonForm
from mamori.org.models import Person
from mamori.org.tables import PersonResource


def forget_statistics():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")


def people(count):
    data = tablib.Dataset(headers=["employee_no", "name", "category", "department", "status"])
    for i in range(count):
        data.append([f"ST-{i:04d}", f"統計 {i}", "employee", "D100", "active"])
    return data


def test_a_large_import_refreshes_its_tables_statistics(org, settings, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    """The imported table's, and the change log's when the import is a large enough share
    of it: here any share (on PostgreSQL the log's statistics may come from earlier tests of
    this database, and cannot be forgotten as SQLite's are)."""
    settings.MAMORI_ANALYZE_AFTER_ROWS = 20
    monkeypatch.setattr(dbstats, "STALE_SHARE", 0.0)
    forget_statistics()
    with django_capture_on_commit_callbacks(execute=True):
        result = io.import_dataset(PersonResource(), PersonForm, people(25), org.users["admin"])

    assert result.ok
    assert dbstats.estimated_rows(Person) == Person.objects.count()
    assert dbstats.estimated_rows(ChangeLogEntry) == ChangeLogEntry.objects.count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics can be forgotten")
def test_a_table_without_statistics_is_analysed_whatever_the_share(org):
    forget_statistics()
    assert dbstats.estimated_rows(ChangeLogEntry) is None
    assert dbstats.stale_after(ChangeLogEntry, 1)
    dbstats.refresh([ChangeLogEntry])
    assert dbstats.estimated_rows(ChangeLogEntry) == ChangeLogEntry.objects.count() > 0
    assert not dbstats.stale_after(ChangeLogEntry, 1)  # one entry beside the org's: no


def test_a_small_import_leaves_the_statistics_alone(org, settings,
                                                    django_capture_on_commit_callbacks):
    settings.MAMORI_ANALYZE_AFTER_ROWS = 20
    dbstats.refresh([Person])
    before = dbstats.estimated_rows(Person)
    with django_capture_on_commit_callbacks(execute=True):
        result = io.import_dataset(PersonResource(), PersonForm, people(3), org.users["admin"])

    assert result.ok
    assert dbstats.estimated_rows(Person) == before != Person.objects.count()


def test_the_daily_refresh_covers_every_table(org):
    forget_statistics()
    refresh_statistics.call()

    assert dbstats.estimated_rows(Person) == Person.objects.count()


def test_a_refresh_of_every_table_leaves_the_clusters_shared_catalogs_alone(org):
    """PostgreSQL: two databases (two test workers, or two Mamoris on one server) refreshing
    at once must not wait for each other. A bare ANALYZE locked the shared catalogs until its
    transaction ended; another database's refresh then timed out (CI, stop 40)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's shared catalogs")
    dbstats.refresh()  # inside this test's transaction, which stays open below
    outcome = []

    def analyse_a_shared_catalog():
        other = connection.copy()
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute("ANALYZE pg_catalog.pg_database")
            outcome.append("analysed")
        except Exception as error:  # the error is the outcome
            outcome.append(str(error))
        finally:
            other.close()

    thread = threading.Thread(target=analyse_a_shared_catalog)
    thread.start()
    thread.join(timeout=30)
    assert outcome == ["analysed"]


def test_an_import_small_beside_the_change_log_leaves_the_logs_statistics_alone(
        org, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Re-analysing five million log entries takes SQLite ten seconds under its write lock:
    an import re-analyses the log only when it added a tenth of it (here, a share of 20 times
    the log: never)."""
    settings.MAMORI_ANALYZE_AFTER_ROWS = 20
    monkeypatch.setattr(dbstats, "STALE_SHARE", 20.0)
    dbstats.refresh([ChangeLogEntry])
    before = dbstats.estimated_rows(ChangeLogEntry)
    with django_capture_on_commit_callbacks(execute=True):
        result = io.import_dataset(PersonResource(), PersonForm, people(25), org.users["admin"])

    assert result.ok
    assert dbstats.estimated_rows(Person) == Person.objects.count()
    assert dbstats.estimated_rows(ChangeLogEntry) == before < ChangeLogEntry.objects.count()


def test_every_row_is_analysed_so_a_column_of_few_values_is_seen_as_such(org):
    """SQLite told to stop early (PRAGMA analysis_limit) read the first rows of an index only,
    all of one value, and took a column of two values for one of thousands: the planner then
    chose that index over a selective one (issue 15)."""
    Asset.objects.bulk_create(
        Asset(code=f"ST-{i:05d}", name_ja=f"統計 {i}", asset_type="information",
              department=org.sales, has_personal_info=bool(i % 2)) for i in range(6000))
    dbstats.refresh([Asset])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = %s",
                           [index_named(Asset, ["has_personal_info", "code"])])
            per_value = int(cursor.fetchone()[0].split()[1])
        assert per_value == 3000  # rows per value of has_personal_info: 6,000 / 2
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_distinct FROM pg_stats WHERE tablename = %s "
                           "AND attname = 'has_personal_info'", [Asset._meta.db_table])
            assert cursor.fetchone()[0] == 2
    assert dbstats.estimated_rows(Asset) == Asset.objects.count()


def index_named(model, fields) -> str:
    return next(index.name for index in model._meta.indexes if index.fields == fields)
