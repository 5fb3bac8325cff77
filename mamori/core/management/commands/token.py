from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from mamori.core.context import Actor, acting_as
from mamori.core.models import ApiToken, User


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Issue a personal API token for a user (printed once; only its hash is stored).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help=_("a name for the token"))
        parser.add_argument("--days", type=int, default=settings.MAMORI_API_TOKEN_DAYS,
                            help=_("days until it expires"))

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("no active user named %(name)s") % {
                "name": options["username"]})
        if not 1 <= options["days"] <= 366:
            raise CommandError(_("--days must be between 1 and 366"))
        with acting_as(Actor(None, "command:token", "command")), transaction.atomic():
            _token, raw = ApiToken.issue(user, options["name"], options["days"])
        self.stdout.write(raw)
