"""The Art 3 and Art 5 checks count the assets still held from the partial index
`assets_held` alone, on both databases: the index holds every column their counts read,
`status` included, which SQLite would otherwise read from each of the table's rows."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mamori.assets.conformance import asset_has_accountable_manager, personal_info_classified
from mamori.assets.models import Asset
from mamori.core.testing import postgresql_plan
from mamori.risks.conformance import personal_info_assessed

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL's planner")


def held_asset_counts(org, refresh_statistics: str) -> list[str]:
    """The counts over assets the three checks run, after `refresh_statistics` (SQL) has
    left the table as core.dbstats or autovacuum would."""
    Asset.objects.bulk_create(
        Asset(code=f"P{i}", name_ja=f"台帳{i}", department=org.it, has_personal_info=True)
        for i in range(3))
    with connection.cursor() as cursor:
        cursor.execute(refresh_statistics)
    with CaptureQueriesContext(connection) as captured:
        for check in (asset_has_accountable_manager, personal_info_classified,
                      personal_info_assessed):
            check()
    return [q["sql"] for q in captured.captured_queries
            if q["sql"].startswith("SELECT COUNT") and '"assets_asset"' in q["sql"]]


@on_sqlite
@pytest.mark.django_db
def test_sqlite_counts_from_the_covering_index_of_held_assets(org):
    counts = held_asset_counts(org, "ANALYZE assets_asset")
    assert len(counts) == 3  # one pass each on SQLite (core.conformance.tally)
    with connection.cursor() as cursor:
        for sql in counts:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[3] for row in cursor.fetchall()]
            assert "SCAN assets_asset USING COVERING INDEX assets_held" in plan, plan


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_counts_from_the_index_of_held_assets_alone(org):
    """An index-only scan is priced by the pages known to be visible to all, and a table
    never vacuumed has none: vacuumed first, as autovacuum leaves it, outside a transaction
    (so the test flushes after it).

    On the test's three rows the planner may also price another index on has_personal_info
    the same (its size is what earlier tests left in it), so the other plain indexes are
    dropped for the EXPLAIN, in a transaction rolled back after it: what is asserted is that
    `assets_held` alone can answer each count, without the table."""
    counts = held_asset_counts(org, "VACUUM ANALYZE assets_asset")
    assert len(counts) == 4  # each check's total and failing; Art 5 counts apart
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("""SELECT indexrelid::regclass::text FROM pg_index
                              WHERE indrelid = 'assets_asset'::regclass
                              AND indexrelid <> 'assets_held'::regclass
                              AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)""")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
        plans = [postgresql_plan(sql, off=("enable_seqscan", "enable_bitmapscan"))
                 for sql in counts]
        transaction.set_rollback(True)
    for plan in plans:
        assert "Index Only Scan using assets_held" in plan, plan
