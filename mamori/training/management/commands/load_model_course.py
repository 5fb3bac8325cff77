from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core.context import Actor, acting_as
from mamori.training.model_course import load_model_course


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Create Mamori's model training course and its quiz (unless it exists).")

    def handle(self, *args, **options):
        with acting_as(Actor(None, "command:load_model_course", "command")):
            course = load_model_course()
        if course is None:
            self.stdout.write(_("The model course exists already; nothing was changed."))
        else:
            self.stdout.write(_("Created the course %(code)s with %(count)d questions.")
                              % {"code": course.code, "count": course.questions.count()})
