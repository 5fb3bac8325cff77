from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.controls.frameworks import FrameworkDataError, describe_result, load_builtin_frameworks
from mamori.controls.library import describe_mapping_set
from mamori.core.context import Actor, acting_as


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Load or update the frameworks shipped with Mamori (APPI guidelines, ISO/IEC "
                 "27001:2022 Annex A, NIST CSF 2.0). Applicability decisions, justifications, "
                 "control mappings and requirement titles and texts already present are kept.")

    def handle(self, *args, **options):
        try:
            with acting_as(Actor(None, "command:load_frameworks", "command")):
                frameworks = load_builtin_frameworks()
        except FrameworkDataError as error:
            raise CommandError(str(error)) from error
        total = 0
        for framework in frameworks:
            result = framework.load_result
            total += result.changes
            self.stdout.write(describe_result(result))
        for mapping_set in frameworks.mapping_sets:
            total += mapping_set.changes
            self.stdout.write(describe_mapping_set(mapping_set))
        if total:
            self.stdout.write(_("%(count)d changes saved") % {"count": total})
        else:
            self.stdout.write(_("all frameworks are up to date; nothing changed"))
