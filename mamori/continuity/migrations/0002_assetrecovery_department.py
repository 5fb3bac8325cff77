"""Asset recoveries carry their asset's department (kept in step by core.copies), so an
information manager's list is scoped by an index instead of a join to every asset."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_departments(apps, schema_editor):
    Asset = apps.get_model("assets", "Asset")
    AssetRecovery = apps.get_model("continuity", "AssetRecovery")
    # A plain update: the copy is derived from the asset, whose changes are logged already.
    AssetRecovery.objects.using(schema_editor.connection.alias).update(
        department_id=Subquery(Asset.objects.filter(pk=OuterRef("asset_id"))
                               .values("department_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("continuity", "0001_initial"),
        ("org", "0005_person_audience_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="assetrecovery",
            name="department",
            field=models.ForeignKey(editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="org.department",
                                    verbose_name="department"),
        ),
        migrations.RunPython(copy_departments, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assetrecovery",
            name="department",
            field=models.ForeignKey(editable=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="org.department",
                                    verbose_name="department"),
        ),
        migrations.AlterModelOptions(
            name="assetrecovery",
            options={"ordering": ["asset_id"], "verbose_name": "asset recovery",
                     "verbose_name_plural": "asset recoveries"},
        ),
        migrations.AddIndex(
            model_name="assetrecovery",
            index=models.Index(fields=["department", "asset"],
                               name="continuity__departm_15d634_idx"),
        ),
    ]
