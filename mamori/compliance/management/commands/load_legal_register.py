from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.compliance.loader import LegalRegisterDataError, describe, load_legal_register
from mamori.core.context import Actor, acting_as


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Load or update the legal register shipped with Mamori: its sources, their "
                 "versions and the obligations read from them. Load the frameworks first "
                 "(load_frameworks) so that obligations are mapped to their requirements. "
                 "Applicability decisions, reasons, owning departments, intervals, controls, "
                 "policy sections and mappings the company added are kept.")

    def handle(self, *args, **options):
        try:
            with acting_as(Actor(None, "command:load_legal_register", "command")):
                results = load_legal_register()
        except LegalRegisterDataError as error:
            raise CommandError(str(error)) from error
        total = 0
        for result in results:
            total += result.changes
            self.stdout.write(describe(result))
        if total:
            self.stdout.write(_("%(count)d changes saved") % {"count": total})
        else:
            self.stdout.write(_("the legal register is up to date; nothing changed"))
