"""The starting threat catalogue (the five threats policy Art 5 names), the risk matrix and
its bands, created once after `migrate` (and after a test flush) when none exist."""

from django.apps import apps as global_apps
from django.db import transaction

POLICY_THREATS = [
    # code, ja, en, property harmed
    ("unauthorised-access", "不正アクセス", "Unauthorised access", "C"),
    ("tampering", "改ざん", "Tampering", "I"),
    ("damage", "毀損", "Damage", "A"),
    ("loss", "紛失", "Loss", "A"),
    ("leakage", "漏洩", "Leakage", "C"),
]

DEFAULT_BANDS = [
    # lowest score, ja, en, colour (3 x 3 matrix: scores 1-9)
    (1, "低", "Low", "#2fb344"),
    (3, "中", "Medium", "#f59f00"),
    (6, "高", "High", "#d63939"),
]


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: the starting configuration is part of the installation (like the
    # schema), so it is not a change in the log; every later change to it is.
    RiskBand = apps.get_model("risks", "RiskBand")
    RiskMethodology = apps.get_model("risks", "RiskMethodology")
    Threat = apps.get_model("risks", "Threat")

    with transaction.atomic(using=using):
        if not RiskMethodology.objects.using(using).exists():
            RiskMethodology.objects.using(using).create()
        if not RiskBand.objects.using(using).exists():
            for score, ja, en, colour in DEFAULT_BANDS:
                RiskBand.objects.using(using).create(min_score=score, name_ja=ja, name_en=en,
                                                     colour=colour)
        if not Threat.objects.using(using).exists():
            for code, ja, en, harms in POLICY_THREATS:
                Threat.objects.using(using).create(code=code, name_ja=ja, name_en=en,
                                                   harms=harms, policy_article="5")
