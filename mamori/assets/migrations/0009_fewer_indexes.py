"""Three indexes of the asset table that no query needs, each paid for by every insert: the
ones Django gives the department and classification keys (the (department, code) and
(classification, code) indexes lead with those columns and serve every lookup by them), and,
on PostgreSQL, the varchar_pattern_ops copy of the code's unique index, which serves only
LIKE 'prefix%' under a non-C collation (Mamori searches codes through the trigram indexes).

The indexes are dropped by name as the database lists them, not by an AlterField run on the
database: on SQLite that rebuilds the whole table, and the rebuild would drop the triggers
that keep its search table (core.search_indexes) in step."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "assets_asset"
KEYS = (["department_id"], ["classification_id"])


def drop_unused_indexes(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
        names = [name for name, c in constraints.items()
                 if c["index"] and not c["unique"] and not c["primary_key"]
                 and c["columns"] in KEYS]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s "
                           "AND indexdef LIKE %s", [TABLE, "%varchar_pattern_ops%"])
            names += [name for (name,) in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def recreate_key_indexes(apps, schema_editor):
    Asset = apps.get_model("assets", "Asset")
    for name in ("department", "classification"):
        schema_editor.add_index(Asset, models.Index(fields=[name], name=f"assets_{name}_key"))


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0008_held_assets_index'),
        ('org', '0005_person_audience_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='asset',
                    name='classification',
                    field=models.ForeignKey(blank=True, db_index=False, editable=False, help_text='Derived from the ratings and the classification levels.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assets', to='assets.classificationlevel', verbose_name='classification'),
                ),
                migrations.AlterField(
                    model_name='asset',
                    name='department',
                    field=models.ForeignKey(db_index=False, help_text='Its information manager is accountable for the asset (Art 3).', on_delete=django.db.models.deletion.PROTECT, related_name='assets', to='org.department', verbose_name='owning department'),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_unused_indexes, recreate_key_indexes),
            ],
        ),
    ]
