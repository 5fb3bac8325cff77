"""The continuity settings row, created once after `migrate` (and after a test flush)."""

from django.apps import apps as global_apps
from django.db import transaction


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # A historical model: the starting settings are part of the installation, not a change.
    ContinuitySettings = apps.get_model("continuity", "ContinuitySettings")
    with transaction.atomic(using=using):
        if not ContinuitySettings.objects.using(using).exists():
            ContinuitySettings.objects.using(using).create()
