"""The settings row and the policy's articles as rows, created once after `migrate` (and
after a test flush)."""

from django.apps import apps as global_apps
from django.db import transaction

from mamori.core.conformance import ARTICLES


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: these rows are part of the installation, like the schema, so they
    # are not entries in the change log; every later change to the settings is.
    AuditSettings = apps.get_model("audits", "AuditSettings")
    PolicyArticle = apps.get_model("audits", "PolicyArticle")
    with transaction.atomic(using=using):
        if not AuditSettings.objects.using(using).exists():
            AuditSettings.objects.using(using).create()
        present = set(PolicyArticle.objects.using(using).values_list("number", flat=True))
        PolicyArticle.objects.using(using).bulk_create(
            PolicyArticle(number=number, position=position)
            for position, (number, _title) in enumerate(ARTICLES) if number not in present)
