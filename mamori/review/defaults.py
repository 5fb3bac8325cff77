"""The settings row and the built-in measures, created after `migrate` (and after a test
flush). A built-in measure's text follows Mamori's definition (review.calculators) on every
migrate; what the company decides about it (target, frequency, owner, whether it is
active) is never overwritten."""

from django.apps import apps as global_apps
from django.db import transaction
from django.utils import translation


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: these rows are part of the installation, like the schema, so they
    # are not entries in the change log; every later change to them is.
    from mamori.review.calculators import BUILTINS

    ReviewSettings = apps.get_model("review", "ReviewSettings")
    Measure = apps.get_model("review", "Measure")
    with transaction.atomic(using=using):
        if not ReviewSettings.objects.using(using).exists():
            ReviewSettings.objects.using(using).create()
        stored = {m.builtin: m for m in Measure.objects.using(using).exclude(builtin="")}
        for builtin in BUILTINS.values():
            with translation.override("en"):
                # Stored in English (exports, the API); a page shows it in the reader's
                # language (Measure.get_description_display).
                description = str(builtin.description)
            text = {"title_ja": builtin.title_ja, "title_en": builtin.title_en,
                    "description": description, "unit": builtin.unit,
                    "direction": builtin.direction, "by_department": builtin.by_department}
            measure = stored.get(builtin.key)
            if measure is None:
                Measure.objects.using(using).create(
                    code=builtin.key.replace("_", "-"), builtin=builtin.key,
                    target=builtin.target, **text)
            elif any(getattr(measure, k) != v for k, v in text.items()):
                Measure.objects.using(using).filter(pk=measure.pk).update(**text)
