"""The query planners' statistics, refreshed after large writes instead of left to chance.

Both databases choose their plans from statistics about each table: PostgreSQL's from
`ANALYZE` (autovacuum runs it eventually: minutes after a bulk load, and not at all if it is
off), SQLite's from `ANALYZE` only (it never gathers them by itself). Straight after a bulk
load, before they exist, list pages that take milliseconds on analysed tables took seconds
(issue 15: a list's last page 186 s on SQLite, change-log filters 41-50 s). So Mamori refreshes
them itself:

- after an import that wrote `MAMORI_ANALYZE_AFTER_ROWS` rows or more (default 1,000), for the
  imported model's table and the change log, once the import has committed;
- after `mamori demo` and `mamori restore`;
- daily, for every table (`core.tasks.refresh_statistics`).

Both are bounded: PostgreSQL samples a fixed number of rows per table, and SQLite is told to
look at no more than ANALYSIS_LIMIT rows per index (`PRAGMA analysis_limit`), so refreshing a
table of millions of rows takes well under a second and holds SQLite's write lock only that
long.
"""

from django.conf import settings
from django.db import connections, transaction

ANALYSIS_LIMIT = 2000


def refresh(models=(), using: str = "default") -> None:
    """Refresh the statistics of the given models' tables (all tables when none is given)."""
    connection = connections[using]
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            for table in tables or [""]:
                cursor.execute(f"ANALYZE {table}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}" if tables else "ANALYZE")


def refresh_after_commit(model, rows: int, using: str = "default") -> None:
    """After a write of `rows` rows of `model` (inside its transaction): refresh the statistics
    of its table and the change log's once it commits, when the write was large."""
    if rows < settings.MAMORI_ANALYZE_AFTER_ROWS:
        return
    from mamori.core.models import ChangeLogEntry

    transaction.on_commit(lambda: refresh([model, ChangeLogEntry], using), using=using)
