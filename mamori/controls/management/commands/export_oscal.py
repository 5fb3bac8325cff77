from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.controls.models import Control
from mamori.controls.oscal import dumps, export_catalog


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Write the control catalogue as an OSCAL catalog (JSON), to standard output "
                 "or a file.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help=_("the file to write (default: standard "
                                                     "output)"))

    def handle(self, *args, output=None, **options):
        text = dumps(export_catalog(Control.objects.all()))
        if not output:
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(_("%(file)s cannot be written: %(error)s") % {
                "file": output, "error": error.strerror or error}) from error
        self.stderr.write(_("%(count)d controls written to %(file)s") % {
            "count": Control.objects.count(), "file": output})
