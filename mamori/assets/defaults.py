"""The starting rating scale and classification labels, created once after `migrate` (and
after a test flush) when none exist. Changes to them later are the organisation's own."""

from django.apps import apps as global_apps
from django.db import transaction

# The four classes of the model asset handling rules (policies/data/model, Art 2), one per
# step of the default 1-4 confidentiality scale, so a new installation and its rules agree.
DEFAULT_LEVELS = [
    # code, ja, en, min rating
    ("public", "公開", "Public", 1),
    ("internal", "社外秘", "Internal", 2),
    ("confidential", "秘", "Secret", 3),
    ("top-secret", "極秘", "Top Secret", 4),
]


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: the starting configuration is part of the installation (like the
    # schema), so it is not a change in the log; every later change to it is.
    AssetSettings = apps.get_model("assets", "AssetSettings")
    ClassificationLevel = apps.get_model("assets", "ClassificationLevel")

    with transaction.atomic(using=using):
        if not AssetSettings.objects.using(using).exists():
            AssetSettings.objects.using(using).create()
        if not ClassificationLevel.objects.using(using).exists():
            for code, ja, en, rating in DEFAULT_LEVELS:
                ClassificationLevel.objects.using(using).create(
                    code=code, name_ja=ja, name_en=en, min_rating=rating)
