"""The Art 3 and Art 5 checks count the assets still held from the partial index
`assets_held` alone, on SQLite as on PostgreSQL (core/tests/test_query_plans.py there): the
index holds every column their counts read, `status` included, which SQLite would otherwise
read from each of the table's rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mamori.assets.conformance import asset_has_accountable_manager, personal_info_classified
from mamori.assets.models import Asset
from mamori.risks.conformance import personal_info_assessed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner"),
]


def test_the_asset_checks_count_from_the_covering_index_of_held_assets(org):
    Asset.objects.bulk_create(
        Asset(code=f"P{i}", name_ja=f"台帳{i}", department=org.it, has_personal_info=True)
        for i in range(3))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assets_asset")  # as core.dbstats leaves it after a load
    with CaptureQueriesContext(connection) as captured:
        for check in (asset_has_accountable_manager, personal_info_classified,
                      personal_info_assessed):
            check()
    counts = [q["sql"] for q in captured.captured_queries
              if q["sql"].startswith("SELECT COUNT") and '"assets_asset"' in q["sql"]]
    assert len(counts) == 3  # one pass each on SQLite (core.conformance.tally)
    with connection.cursor() as cursor:
        for sql in counts:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[3] for row in cursor.fetchall()]
            assert "SCAN assets_asset USING COVERING INDEX assets_held" in plan, plan
