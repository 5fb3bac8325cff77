"""Trigram indexes for the people search (core.search_indexes): 50,000 people at ten times the
company, searched by staff number, names and e-mail address."""

from django.db import migrations

from mamori.core.search_indexes import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0002_person_list_indexes"),
    ]

    operations = [trigram_indexes(
        "org_person", ("employee_no", "name", "name_kana", "name_latin", "email"))]
