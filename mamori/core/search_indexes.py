"""Trigram indexes for the search box (`q=`) of the large registers, on PostgreSQL (issue 15).

A search looks for any part of a few text columns (`icontains`): without an index it reads every
row. pg_trgm's GIN indexes answer `LIKE '%…%'` from the trigrams of the searched text, so a
search that matches few rows reads a few index pages. Each index is on the very expression
Django's `icontains` compares, UPPER(column::text), or the planner would not use it.

pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.
Where it cannot be created, the migration says so and the search reads every row, as before.
SQLite has no such index.
"""

import logging

from django.db import DatabaseError, migrations, transaction

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
