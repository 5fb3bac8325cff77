"""Trigram indexes for the incident search (core.search_indexes): code, title and
description; pg_trgm's indexes on PostgreSQL, an FTS5 trigram table on SQLite."""

from django.db import migrations

from mamori.core.search_indexes import search_indexes

SEARCHED = ("code", "title", "description")


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0005_list_indexes"),
    ]

    operations = search_indexes("incidents_incident", SEARCHED)
