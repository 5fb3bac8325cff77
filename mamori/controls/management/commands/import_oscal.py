import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.controls.frameworks import describe_result
from mamori.controls.oscal import OscalImportError, import_catalog
from mamori.core.context import Actor, acting_as


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Import an OSCAL catalog (JSON) as a framework, all or nothing. Importing it "
                 "again updates the framework and keeps applicability decisions, "
                 "justifications, control mappings and requirement texts.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the OSCAL catalog, a JSON file"))
        parser.add_argument("--code", help=_("the framework's code (default: from the title)"))

    def handle(self, *args, file, code=None, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(_("%(file)s cannot be read: %(error)s") % {
                "file": file, "error": error.strerror or error}) from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(_("%(file)s is not valid JSON: %(error)s") % {
                "file": file, "error": error}) from error
        try:
            with acting_as(Actor(None, "command:import_oscal", "command")):
                framework = import_catalog(data, code=code)
        except OscalImportError as error:
            raise CommandError(_("%(file)s was not imported: %(error)s") % {
                "file": file, "error": error}) from error
        self.stdout.write(describe_result(framework.load_result))
