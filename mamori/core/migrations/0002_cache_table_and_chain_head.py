"""The shared cache table (login rate limiting) and the change log's genesis checkpoint.

Both are created by migrate, so every installation and every test database has them."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def create_genesis_checkpoint(apps, schema_editor):
    from mamori.core.changelog import GENESIS, checkpoint_mac

    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    Checkpoint.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"seq": 0, "head_hash": GENESIS, "mac": checkpoint_mac(0, GENESIS)})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
        migrations.RunPython(create_genesis_checkpoint, migrations.RunPython.noop),
    ]
