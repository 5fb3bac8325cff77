"""Trigram indexes for the searches of nonconformities (code, title, requirement) and
improvement actions (code, title) (core.search_indexes): pg_trgm's indexes on PostgreSQL, an
FTS5 trigram table on SQLite."""

from django.db import migrations

from mamori.core.search_indexes import search_indexes


class Migration(migrations.Migration):

    dependencies = [
        ("improvement", "0001_initial"),
    ]

    operations = [
        *search_indexes("improvement_nonconformity", ("code", "title", "requirement")),
        *search_indexes("improvement_improvementaction", ("code", "title")),
    ]
