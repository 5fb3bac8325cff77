from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.core import io
from mamori.core import roles as r
from mamori.core.context import acting_as, actor_for_user
from mamori.core.models import User
from mamori.identity import hrsync


class Command(BaseCommand):
    """For a scheduler (cron, a systemd timer): compare the HR master with the people register
    and, with --apply, apply it at once, all or nothing, as the named administrator or CISO."""

    @property
    def help(self):
        return _("Compare an HR master file (CSV or XLSX) with the people register; with "
                 "--apply, apply the joiners, movers and leavers.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True,
                            help=_("the administrator or CISO the changes are made as"))
        parser.add_argument("--apply", action="store_true", help=_("apply the differences"))

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None or not r.roles_for(user).changes_everything:
            raise CommandError(_("%(name)s is not an active administrator or CISO")
                               % {"name": options["username"]})
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        with acting_as(actor_for_user(user, "command")):
            try:
                sync, plan = hrsync.preview(path.name, content, user)
                if sync is not None and options["apply"]:
                    plan = hrsync.apply(sync, user)
            except (io.ImportFileError, hrsync.PlanChanged) as exc:
                raise CommandError(str(exc)) from exc
        if plan.errors:
            raise CommandError("\n".join(str(error) for error in plan.errors))
        self.stdout.write(_("%(j)s joiners, %(m)s movers, %(l)s leavers.") % {
            "j": len(plan.joiners), "m": len(plan.movers), "l": len(plan.leavers)})
        if options["apply"]:
            self.stdout.write(_("applied"))
