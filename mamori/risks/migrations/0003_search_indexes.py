"""Trigram indexes for the risk search (core.search_indexes): code and titles; pg_trgm's
indexes on PostgreSQL, an FTS5 trigram table on SQLite."""

from django.db import migrations

from mamori.core.search_indexes import search_indexes

SEARCHED = ("code", "title_ja", "title_en")


class Migration(migrations.Migration):

    dependencies = [
        ("risks", "0002_level_criteria"),
    ]

    operations = search_indexes("risks_risk", SEARCHED)
