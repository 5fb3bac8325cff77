"""Staff numbers up to 64 characters: identity providers may send an object id (a
36-character UUID) as the employee number (identity.scim).

Only PostgreSQL's column changes. SQLite does not enforce a varchar's length, and an
AlterField there would rebuild the table, dropping the triggers that keep its search table
(core.search_indexes) in step."""

from django.db import migrations, models


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE org_person ALTER COLUMN employee_no TYPE varchar(64)")


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE org_person ALTER COLUMN employee_no TYPE varchar(32)")


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0005_person_audience_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="person", name="employee_no",
                field=models.CharField(max_length=64, unique=True,
                                       verbose_name="staff number"))],
            database_operations=[migrations.RunPython(widen, narrow)],
        ),
    ]
