"""SQLite's trigram table for the asset search (core.search_indexes): code, names and
location, as PostgreSQL's indexes of 0006."""

from django.db import migrations

from mamori.core.search_indexes import sqlite_search_table


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0006_search_trigram_indexes"),
    ]

    operations = [sqlite_search_table("assets_asset", ("code", "name_ja", "name_en", "location"))]
