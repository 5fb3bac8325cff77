"""The breach-reporting rules of APPI as amended (2022, 2024) and the response targets per
severity, created once after `migrate` (and after a test flush) when none exist."""

import datetime

from django.apps import apps as global_apps
from django.db import transaction

LEGAL_BASIS = ("個人情報保護法第26条第1項、同法施行規則第7条・第8条、"
               "個人情報保護委員会「個人情報の保護に関する法律についてのガイドライン（通則編）」"
               "3-5-3-3・3-5-3-4")

RULES = [
    # code, ja, en, in force from, acquisition counts under ground 3
    ("appi-2022", "改正個人情報保護法（令和2年改正）による漏えい等報告",
     "Breach reporting under the amended APPI (2020 amendment)",
     datetime.date(2022, 4, 1), False),
    ("appi-2024", "施行規則改正（令和6年）：取得しようとしている個人情報を対象に追加",
     "Enforcement rules as amended in 2024: personal information being acquired included",
     datetime.date(2024, 4, 1), True),
]

TARGETS = [
    # severity, contain within hours, recover within hours
    ("critical", 4, 24),
    ("high", 24, 72),
    ("medium", 72, 168),
    ("low", 168, 720),
]


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: the starting rules are part of the installation, like the schema, so
    # they are not entries in the change log; every later change to them is.
    BreachRule = apps.get_model("incidents", "BreachRule")
    ResponseTarget = apps.get_model("incidents", "ResponseTarget")
    IncidentSettings = apps.get_model("incidents", "IncidentSettings")

    with transaction.atomic(using=using):
        if not BreachRule.objects.using(using).exists():
            for code, ja, en, since, acquisition in RULES:
                BreachRule.objects.using(using).create(
                    code=code, name_ja=ja, name_en=en, effective_from=since,
                    acquisition_counts_as_wrongful=acquisition, legal_basis=LEGAL_BASIS)
        if not ResponseTarget.objects.using(using).exists():
            for severity, contain, recover in TARGETS:
                ResponseTarget.objects.using(using).create(
                    severity=severity, contain_within_hours=contain,
                    recover_within_hours=recover)
        if not IncidentSettings.objects.using(using).exists():
            IncidentSettings.objects.using(using).create()
