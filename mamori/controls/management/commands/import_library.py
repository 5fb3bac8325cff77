from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.controls.frameworks import describe_result
from mamori.controls.library import (
    LibraryError,
    describe_mapping_set,
    import_libraries,
    read_library_file,
)
from mamori.core.context import Actor, acting_as


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Import CISO Assistant libraries (YAML): their frameworks and the requirement "
                 "mappings between frameworks, all files or nothing. Importing a library again "
                 "updates it and keeps applicability decisions, justifications, control "
                 "mappings and requirement texts.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE",
                            help=_("a library file (YAML); the mapping sets of one may name "
                                   "the requirements of another given with it"))

    def handle(self, *args, files, **options):
        libraries, errors = [], []
        for file in files:  # every file read and checked, and every error told
            try:
                libraries.append(read_library_file(file))
            except LibraryError as error:
                errors += error.errors
        if errors:
            raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(errors))
        try:
            with acting_as(Actor(None, "command:import_library", "command")):
                result = import_libraries(libraries)
        except LibraryError as error:
            raise CommandError(_("Nothing was imported:") + "\n" + str(error)) from error
        for synced in result.frameworks:
            self.stdout.write(describe_result(synced))
        for mapping_set in result.mapping_sets:
            self.stdout.write(describe_mapping_set(mapping_set))
        if result.changes:
            self.stdout.write(_("%(count)d changes saved") % {"count": result.changes})
        else:
            self.stdout.write(_("everything is up to date; nothing changed"))
