"""The asset table keeps no index that no query needs (each one costs every insert of an
import), and migration 0009, which dropped three, left SQLite's search triggers in place."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TABLE = "assets_asset"


def test_no_index_of_its_own_for_the_keys_a_composite_index_leads_with():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    indexed = [c["columns"] for c in constraints.values() if c["index"]]
    for key in ("department_id", "classification_id"):
        assert [key] not in indexed
        assert [key, "code"] in indexed  # what serves the lookups by the key
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
            assert not [d for (d,) in cursor.fetchall() if "pattern_ops" in d]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's search table")
def test_the_search_triggers_survived_the_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                       "AND tbl_name = %s", [TABLE])
        assert len(cursor.fetchall()) == 3  # insert, delete, update
