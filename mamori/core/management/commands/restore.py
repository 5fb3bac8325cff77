from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.core.backup import BackupError, RestoreReport, check_restored, restore


class Command(BaseCommand):
    # The target may be an empty database: nothing may be read from it before the restore.
    requires_system_checks = []

    @property
    def help(self):
        return _("Restore a `mamori backup` archive into this data directory and database, then "
                 "check it: the change log verifies, evidence files match their SHA-256, and "
                 "tasks left running are marked failed. Stop Mamori first.")

    def add_arguments(self, parser):
        parser.add_argument("src", metavar="SRC", nargs="?",
                            help=_("The archive made by `mamori backup`."))
        parser.add_argument(
            "--force", action="store_true",
            help=_("Replace a database and data directory that already hold data."))
        parser.add_argument(
            "--check", action="store_true",
            help=_("Only run the restore check on the current database (after `mamori "
                   "migrate` of an older backup)."))

    def handle(self, *args, src, force, check, **options):
        if check:
            report = RestoreReport()
            check_restored(report)
        elif not src:
            raise CommandError(_("Name the archive to restore (SRC), or pass --check."))
        else:
            try:
                report = restore(Path(src), force=force,
                                 out=lambda text: self.stderr.write(self.style.WARNING(text)))
            except (BackupError, OSError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(_("Restored the %(vendor)s database and %(files)s evidence "
                                "files.") % {"vendor": report.database,
                                             "files": report.media_files})
        self.stdout.write(report.chain_message)
        self.stdout.write(_("Evidence files checked: %(checked)s, not matching: %(bad)s.")
                          % {"checked": report.evidence_checked, "bad": len(report.evidence_bad)})
        for problem in report.evidence_bad:
            self.stderr.write(problem)
        self.stdout.write(_("Tasks left running and now marked failed: %(count)s.")
                          % {"count": report.tasks_reset})
        if report.pending_migrations:
            self.stderr.write(_("The restored database needs %(count)s migrations: run `mamori "
                                "migrate`, then `mamori restore --check`.")
                              % {"count": len(report.pending_migrations)})
        if not report.ok:
            self.stderr.write(self.style.ERROR(_("Restore check FAILED.")))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(_("Restore check passed.")))
