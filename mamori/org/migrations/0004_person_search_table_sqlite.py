"""SQLite's trigram table for the people search (core.search_indexes), as PostgreSQL's indexes
of 0003."""

from django.db import migrations

from mamori.core.search_indexes import sqlite_search_table


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0003_person_search_trigram_indexes"),
    ]

    operations = [sqlite_search_table(
        "org_person", ("employee_no", "name", "name_kana", "name_latin", "email"))]
