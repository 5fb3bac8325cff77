from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.context import Actor, acting_as
from mamori.identity.models import ScimClient


class Command(BaseCommand):
    @property
    def help(self):
        return _("Issue a bearer token for an identity provider's SCIM provisioning (printed "
                 "once; only its hash is stored), or revoke one.")

    def add_arguments(self, parser):
        parser.add_argument("name", help=_("the identity provider's name, e.g. entra"))
        parser.add_argument("--revoke", action="store_true",
                            help=_("revoke the client's token instead"))

    def handle(self, *args, **options):
        name = options["name"]
        with acting_as(Actor(None, "command:scimclient", "command")), transaction.atomic():
            if options["revoke"]:
                client = ScimClient.objects.usable().filter(name=name).first()
                if client is None:
                    raise CommandError(_("no SCIM client named %(name)s holds a token")
                                       % {"name": name})
                client.revoked_at = timezone.now()
                client.save()
                self.stdout.write(_("revoked"))
                return
            if ScimClient.objects.filter(name=name).exists():
                raise CommandError(_("a SCIM client named %(name)s exists already")
                                   % {"name": name})
            _client, token = ScimClient.issue(name)
        self.stdout.write(token)
