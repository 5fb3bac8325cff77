"""The settings row, created once after `migrate` (and after a test flush)."""

from django.apps import apps as global_apps
from django.db import transaction


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # A historical model: the row is part of the installation, like the schema, so it is not
    # an entry in the change log; every later change to it is.
    TrainingSettings = apps.get_model("training", "TrainingSettings")
    with transaction.atomic(using=using):
        if not TrainingSettings.objects.using(using).exists():
            TrainingSettings.objects.using(using).create()
