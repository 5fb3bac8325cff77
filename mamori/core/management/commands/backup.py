from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.core.backup import BackupError, backup


class Command(BaseCommand):
    @property
    def help(self):
        return _("Write one archive with the database, the keys, the evidence files and the "
                 "local CA, and a manifest of their SHA-256. Mamori may keep running.")

    def add_arguments(self, parser):
        parser.add_argument("dest", metavar="DEST", help=_("The archive file to create (tar)."))
        parser.add_argument(
            "--without-log-key", action="store_true",
            help=_("Leave the change-log key out of the archive, to back it up separately."))

    def handle(self, *args, dest, without_log_key, **options):
        try:
            result = backup(Path(dest), include_log_key=not without_log_key)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(_("Backup written to %(path)s: %(count)s files, %(vendor)s database, "
                            "change-log key %(log_key)s.") % {
            "path": result.path, "count": len(manifest["members"]),
            "vendor": manifest["database"]["vendor"], "log_key": {
                "included": _("included"), "environment": _("in MAMORI_LOG_KEY, not included"),
                "left out": _("left out")}[manifest["log_key"]]})
