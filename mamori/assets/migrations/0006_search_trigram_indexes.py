"""Trigram indexes for the asset search (`q=`: code, names and location, any part of them) on
PostgreSQL (issue 15): a search that matches few of 200,000 assets reads a few index pages
instead of every row. pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's
owner may create it. Where it cannot be created, the search still works, reading every row,
and this migration says so rather than failing.

Each index is on the very expression Django's `icontains` compares, UPPER(column::text), or
the planner would not use it. SQLite has no such index: its search reads every row."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

SEARCHED = ("code", "name_ja", "name_en", "location")


def index_name(column: str) -> str:
    return f"assets_asset_{column}_trgm"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        logger.warning("pg_trgm could not be created (%s): the asset search reads every row",
                       error)
        return
    with connection.cursor() as cursor:
        for column in SEARCHED:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index_name(column)} ON assets_asset "  # noqa: S608
                f"USING gin (UPPER({column}::text) gin_trgm_ops)")


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for column in SEARCHED:
            cursor.execute(f"DROP INDEX IF EXISTS {index_name(column)}")


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0005_classification_rank"),
    ]

    operations = [migrations.RunPython(create, drop)]
