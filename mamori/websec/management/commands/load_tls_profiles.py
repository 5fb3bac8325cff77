import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from mamori.core.context import Actor, acting_as
from mamori.websec.models import TlsProfile
from mamori.websec.profiles import load_mozilla_guidelines, shipped_data


class Command(BaseCommand):
    @property
    def help(self):
        return _("Load TLS profiles: the shipped ones, or Mozilla's published server-side TLS "
                 "guidelines JSON given as FILE (a newer version updates the profiles of the "
                 "same name; the company's own profiles are left alone).")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=_("Mozilla guidelines JSON"))

    def handle(self, *args, file=None, **options):
        if file:
            try:
                with open(file, encoding="utf-8") as handle:
                    data = load_mozilla_guidelines(json.load(handle))
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                    "file": file, "error": exc}) from exc
        else:
            data = shipped_data()
        with acting_as(Actor(None, "command:load_tls_profiles", "command")), \
                transaction.atomic():
            count = save_profiles(data)
        self.stdout.write(_("%(count)s profiles loaded (version %(version)s).") % {
            "count": count, "version": data.get("version", "")})


def save_profiles(data: dict) -> int:
    count = 0
    for code, definition in data["profiles"].items():
        profile = TlsProfile.objects.filter(code=code).first() or TlsProfile(
            code=code, name_ja=definition.get("name_ja", code),
            name_en=definition.get("name_en", code))
        profile.source, profile.version = data.get("source", ""), data.get("version", "")
        profile.definition = definition
        profile.full_clean()
        profile.save()
        count += 1
    return count
