from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.core.context import Actor, acting_as
from mamori.org.models import Department
from mamori.policies.model_policy import load_model_policies


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Load Mamori's model basic policy and internal rules (Japanese and English) "
                 "as drafts owned by the given department, to adapt and approve.")

    def add_arguments(self, parser):
        parser.add_argument("department", help=_("code of the owning department"))

    def handle(self, *args, department, **options):
        owner = Department.objects.filter(code=department).first()
        if owner is None:
            raise CommandError(_("no department with code %(code)s") % {"code": department})
        with acting_as(Actor(None, "command:load_model_policies", "command")):
            drafts = load_model_policies(owner)
        for draft in drafts:
            self.stdout.write(_("draft created: %(version)s") % {"version": draft})
        if not drafts:
            self.stdout.write(_("all model documents exist already; nothing loaded"))
