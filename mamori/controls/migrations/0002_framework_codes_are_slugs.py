"""The shipped NIST CSF 2.0 framework was coded `nist-csf-2.0`, which its own field (a slug:
letters, digits, hyphens, underscores) refuses: the API described a pattern its data broke,
and the framework could not be saved again through a form. It is `nist-csf-2-0` now; an
installation that loaded it has its code, and its requirements' identifiers (code:ref),
renamed here, so loading the shipped data again updates it instead of adding a second one.
"""

from django.db import migrations

RENAMED = {"nist-csf-2.0": "nist-csf-2-0"}


def rename(apps, schema_editor):
    Framework = apps.get_model("controls", "Framework")
    Requirement = apps.get_model("controls", "Requirement")
    for old, new in RENAMED.items():
        framework = Framework.objects.filter(code=old).first()
        if framework is None or Framework.objects.filter(code=new).exists():
            continue
        framework.code = new
        framework.save(update_fields=["code"])
        for requirement in Requirement.objects.filter(framework=framework):
            requirement.uid = f"{new}:{requirement.ref}"
            requirement.save(update_fields=["uid"])


def rename_back(apps, schema_editor):
    Framework = apps.get_model("controls", "Framework")
    Requirement = apps.get_model("controls", "Requirement")
    for old, new in RENAMED.items():
        framework = Framework.objects.filter(code=new).first()
        if framework is None or Framework.objects.filter(code=old).exists():
            continue
        framework.code = old
        framework.save(update_fields=["code"])
        for requirement in Requirement.objects.filter(framework=framework):
            requirement.uid = f"{old}:{requirement.ref}"
            requirement.save(update_fields=["uid"])


class Migration(migrations.Migration):
    dependencies = [("controls", "0001_initial")]

    operations = [migrations.RunPython(rename, rename_back)]
