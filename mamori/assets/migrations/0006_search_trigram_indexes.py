"""Trigram indexes for the asset search (core.search_indexes): code, names and location."""

from django.db import migrations

from mamori.core.search_indexes import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ("assets", "0005_classification_rank"),
    ]

    operations = [trigram_indexes("assets_asset", ("code", "name_ja", "name_en", "location"))]
