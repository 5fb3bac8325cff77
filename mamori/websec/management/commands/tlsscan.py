"""`mamori tlsscan`: scan endpoints now. The module imports only Django's command machinery;
the scanner, the models and the report are imported when the command runs (and the scan
engine, sslyze, only in the child process that scans), so `--help` and the start of a scan
do not wait for them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    # Django's system checks import every URL configuration and view (most of the start-up
    # time); `mamori check` runs them, a scan does not need them.
    requires_system_checks = []

    @property
    def help(self):
        return _("Scan web endpoints now (all active ones, or those named by id or name) and "
                 "print each verdict; exit status 1 when one fails.")

    def add_arguments(self, parser):
        parser.add_argument("endpoints", nargs="*", help=_("endpoint ids or names"))
        parser.add_argument("--certificate-only", action="store_true",
                            help=_("check only the certificates"))

    def handle(self, *args, endpoints, certificate_only, **options):
        from mamori.websec import scan

        scan.warm_up()  # the scanner's process loads sslyze while the endpoints are read
        from mamori.core.context import Actor, acting_as
        from mamori.websec import service
        from mamori.websec.models import WebEndpoint

        chosen = WebEndpoint.objects.filter(active=True).select_related("profile")
        if endpoints:
            ids = [int(e) for e in endpoints if e.isdigit()]
            names = [e for e in endpoints if not e.isdigit()]
            chosen = WebEndpoint.objects.filter(pk__in=ids) | WebEndpoint.objects.filter(
                name__in=names)
            found = {str(e.pk) for e in chosen} | {e.name for e in chosen}
            unknown = [e for e in endpoints if e not in found]
            if unknown:
                raise CommandError(_("Unknown endpoints: %(names)s") % {
                    "names": ", ".join(unknown)})
        kind = "certificate" if certificate_only else "full"
        with acting_as(Actor(None, "command:tlsscan", "command")):
            rows = service.run(chosen.select_related("profile"), kind)
        failed = False
        for row in rows:
            failed |= not row.passes
            self.stdout.write(f"{row.endpoint.name} ({row.endpoint.host}:{row.endpoint.port}): "
                              f"{service.outcome_text(row)}")
        if failed:
            raise SystemExit(1)
