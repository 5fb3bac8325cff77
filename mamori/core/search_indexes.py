"""Trigram indexes for the search box (`q=`) of the large registers (issue 15).

A search looks for any part of a few text columns (`icontains`): without an index it reads every
row (200,000 assets: 200-450 ms). Both databases can answer it from the trigrams (every run of
three characters) of those columns instead:

- PostgreSQL: pg_trgm's GIN indexes answer `LIKE '%…%'`. Each index is on the very expression
  Django's `icontains` compares, UPPER(column::text), or the planner would not use it, so the
  search stays an ordinary `icontains` there. pg_trgm is a trusted extension (PostgreSQL 13
  and later): the database's owner may create it.
- SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34 and later) holds the columns'
  text (`<table>_search`, "external content": it indexes the register's rows, it does not copy
  them). Triggers on the register keep it in the same transaction as every insert, update and
  delete, bulk writes included. `contains_any()` asks it for a term of three characters or more
  (a shorter one has no trigram; it is compared row by row, as before).

Where either cannot be created, the migration says so and the search reads every row.
"""

import logging

from django.db import DatabaseError, connections, migrations, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def trigram_indexes(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation creating (and, reversed, dropping) the indexes."""

    def create(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            logger.warning("pg_trgm could not be created (%s): searching %s reads every row",
                           error, table)
            return
        with connection.cursor() as cursor:
            for column in columns:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {index_name(table, column)} ON {table} "
                    f"USING gin (UPPER({column}::text) gin_trgm_ops)")

    def drop(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for column in columns:
                cursor.execute(f"DROP INDEX IF EXISTS {index_name(table, column)}")

    return migrations.RunPython(create, drop)


def search_indexes(table: str, columns: tuple[str, ...]) -> list[migrations.RunPython]:
    """The migration operations indexing `columns` of `table` for the search on each database:
    pg_trgm's indexes on PostgreSQL, the FTS5 trigram table on SQLite (each does nothing on
    the other database)."""
    return [trigram_indexes(table, columns), sqlite_search_table(table, columns)]


def search_table(table: str) -> str:
    return f"{table}_search"


def sqlite_search_table(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation creating (and, reversed, dropping) SQLite's FTS5 trigram table
    for `table`'s `columns`, its triggers, and its index of the rows already there."""

    def create(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        fts = search_table(table)
        listed = ", ".join(columns)
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{table}', "
                    f"content_rowid='id', tokenize='trigram')")
        except DatabaseError as error:
            logger.warning("SQLite's FTS5 trigram tables are not available (%s): searching "
                           "%s reads every row", error, table)
            return
        with connection.cursor() as cursor:
            for statement in _sqlite_triggers(table, columns):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
        _known_search_tables.clear()

    def drop(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        fts = search_table(table)
        with connection.cursor() as cursor:
            for trigger in ("ai", "ad", "au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {fts}")
        _known_search_tables.clear()

    return migrations.RunPython(create, drop)


def _sqlite_triggers(table: str, columns: tuple[str, ...]) -> list[str]:
    """The triggers that keep `table`'s FTS5 table in step with its rows. The names come
    from the migration, never from input (hence the noqa). FTS5's 'delete' command takes a
    row's old values, to find the trigrams to remove; an update whose searched columns are
    unchanged (a status, a rating) leaves the index alone."""
    fts = search_table(table)
    listed = ", ".join(columns)
    old = ", ".join(f"old.{c}" for c in columns)
    new = ", ".join(f"new.{c}" for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new});"  # noqa: S608
    delete = f"INSERT INTO {fts}({fts}, rowid, {listed}) VALUES ('delete', old.id, {old});"  # noqa: S608
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {listed} ON {table} WHEN {changed} "
        f"BEGIN {delete} {insert} END",
    ]


_known_search_tables: dict[str, bool] = {}  # "alias table" -> whether it exists


def _has_search_table(using: str, table: str) -> bool:
    key = f"{using} {table}"
    if key not in _known_search_tables:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                           [search_table(table)])
            _known_search_tables[key] = cursor.fetchone() is not None
    return _known_search_tables[key]


def contains_any(queryset, columns: tuple[str, ...], value: str):
    """`queryset` narrowed to the rows where any of `columns` contains `value`, ignoring case:
    what OR-ed `icontains` give, read from the trigram index where there is one."""
    using = queryset.db
    table = queryset.model._meta.db_table
    if (connections[using].vendor == "sqlite" and len(value) >= 3
            and _has_search_table(using, table)):
        fts = search_table(table)
        phrase = '"' + value.replace('"', '""') + '"'  # the whole term, as one substring
        matching = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608 (names only)
        return queryset.filter(pk__in=RawSQL(matching, [phrase]))  # noqa: S611 (term passed)
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__icontains": value})
    return queryset.filter(condition)
