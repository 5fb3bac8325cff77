"""The shipped TLS profiles (websec/data/tls_profiles.json) and the settings row, created once
after `migrate` (and after a test flush) when none exist."""

from django.apps import apps as global_apps
from django.db import transaction

NAMES = {
    "intermediate": ("Mozilla intermediate（推奨）", "Mozilla intermediate (recommended)"),
    "modern": ("Mozilla modern（ECDSA証明書）", "Mozilla modern (ECDSA certificates)"),
    "modern-rsa": ("modern・RSA証明書可（当社定義）", "Modern with RSA certificates (our own)"),
}


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: the starting profiles are part of the installation, like the schema,
    # so they are not entries in the change log; every later change to them is.
    from mamori.websec.profiles import shipped_data

    TlsProfile = apps.get_model("websec", "TlsProfile")
    WebSecuritySettings = apps.get_model("websec", "WebSecuritySettings")
    with transaction.atomic(using=using):
        if not TlsProfile.objects.using(using).exists():
            data = shipped_data()
            for code, definition in data["profiles"].items():
                ja, en = NAMES.get(code, (code, code))
                TlsProfile.objects.using(using).create(
                    code=code, name_ja=ja, name_en=en, source=data.get("source", ""),
                    version=data.get("version", ""), definition=definition)
        if not WebSecuritySettings.objects.using(using).exists():
            WebSecuritySettings.objects.using(using).create()
