"""The query planners' statistics, refreshed after large writes instead of left to chance.

Both databases choose their plans from statistics about each table: PostgreSQL's from
`ANALYZE` (autovacuum runs it eventually: minutes after a bulk load, and not at all if it is
off), SQLite's from `ANALYZE` only (it never gathers them by itself). Straight after a bulk
load, before they exist, list pages that take milliseconds on analysed tables took seconds
(issue 15: a list's last page 186 s on SQLite, change-log filters 41-50 s). So Mamori refreshes
them itself:

- after an import that wrote `MAMORI_ANALYZE_AFTER_ROWS` rows or more (default 1,000): the
  imported model's table, and the change log's when the import added a tenth of it or more
  (or it has no statistics yet), once the import has committed;
- after `mamori demo` and `mamori restore`;
- daily, for every table (`core.tasks.refresh_statistics`).

SQLite analyses every row of each index, one table at a time (each in its own transaction, so
its write lock is held for one table's analysis: 0.25 s for 200,000 assets, 1.8 s for two
million training assignments, 10 s for a change log of five million entries, the one table
an import does not re-analyse once it is large). It is not told to stop early (`PRAGMA
analysis_limit`): SQLite then reads only the first rows of each index, in the index's order,
and on a column of few values (an assignment's status, its programme) sees one value and
takes it for thousands. At ten times the company that made the Art 8 joiners' check read
two million assignments by status instead of 63,000 by programme (0.74 s instead of 7 ms).
PostgreSQL samples a fixed number of rows per table whatever its size.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

# A table is analysed again after an import that added at least this share of its rows
# (PostgreSQL's autovacuum uses the same tenth by default).
STALE_SHARE = 0.1


def refresh(models=(), using: str = "default") -> None:
    """Refresh the statistics of the given models' tables (all tables when none is given)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        for table in [m._meta.db_table for m in models] or _all_tables():
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute("PRAGMA analysis_limit = 0")  # see above: every row
                cursor.execute(f"ANALYZE {quote(table)}")
    elif connection.vendor == "postgresql":
        # Mamori's own tables, named: a bare ANALYZE would also analyse the cluster's shared
        # catalogs (pg_database, pg_authid, ...), whose lock it then holds until its
        # transaction ends, so two databases refreshing at once waited for each other.
        tables = [quote(t) for t in [m._meta.db_table for m in models] or _all_tables()]
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def _all_tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                   if m._meta.managed and not m._meta.proxy})


def estimated_rows(model, using: str = "default") -> int | None:
    """The number of rows the planner's statistics give for `model`'s table; None when it
    has none."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
            found = cursor.fetchone()
            return int(found[0].split()[0]) if found else None
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            tuples = cursor.fetchone()[0]
            return None if tuples < 0 else int(tuples)
    return None


def stale_after(model, added: int, using: str = "default") -> bool:
    """Whether `added` new rows make `model`'s statistics worth refreshing."""
    estimated = estimated_rows(model, using)
    return estimated is None or added >= STALE_SHARE * estimated


def refresh_after_commit(model, rows: int, using: str = "default") -> None:
    """After a write of `rows` rows of `model` (inside its transaction): refresh the statistics
    of its table, and of the change log when they are stale, once it commits, when the write
    was large."""
    if rows < settings.MAMORI_ANALYZE_AFTER_ROWS:
        return
    from mamori.core.models import ChangeLogEntry

    def after_commit():
        models = [model]
        if stale_after(ChangeLogEntry, rows, using):
            models.append(ChangeLogEntry)
        refresh(models, using)

    transaction.on_commit(after_commit, using=using)
