"""`mamori demo`: prepare the database and load the demo organisation, then show the logins."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core import dbstats
from mamori.core.demo import demo_steps
from mamori.core.management.commands.serve import DEFAULT_PORT, is_wildcard, parse_bind, url_host
from mamori.core.tasks import snapshot_conformance
from mamori.core.text import text_table
from mamori.org.demo import COMPANY_EN, COMPANY_JA, DEFAULT_SEED, load_demo


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Create the database and load a fictitious card company (%(company)s) with "
                 "demo logins, to try Mamori.") % {"company": COMPANY_EN}

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=_("Seed for the generated organisation (default: %(default)s)."))
        parser.add_argument(
            "--bind", default=os.environ.get("BIND") or f"127.0.0.1:{DEFAULT_PORT}",
            help=_("The address `mamori serve` will listen on, for the address shown at the "
                   "end (default: the environment variable BIND, or %(default)s)."))

    def handle(self, *args, seed, verbosity, bind, **options):
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        call_command("createcachetable", verbosity=max(0, verbosity - 1))
        result = load_demo(settings.DATA_DIR, self.stdout, seed=seed)
        for step in demo_steps():  # the other apps' demo data (policies, …)
            step(seed)
        # Today's conformance snapshot, so the dashboard's trend starts on the first day.
        snapshot_conformance.call()
        dbstats.refresh()  # planner statistics for the freshly loaded tables
        if not result.logins:
            self.stdout.write(self.style.WARNING(
                _("The demo logins were not found in %(path)s; they are shown only once, when "
                  "the demo is first loaded. Set new passwords with `mamori changepassword "
                  "USERNAME`.") % {"path": result.path}))
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            _("Demo logins for %(company)s (saved in %(path)s):")
            % {"company": COMPANY_JA, "path": result.path}))
        self.write_table(result.logins)
        self.stdout.write("")
        self.stdout.write(_("Start the server with `%(command)s` (`make run` starts it), then "
                            "open %(url)s and sign in with one of the logins above.") % {
            "command": serve_command(bind), "url": address(bind)})
        self.stdout.write(_("`admin` and `ciso` must set up TOTP with an authenticator app at "
                            "their first login."))

    def write_table(self, logins):
        headers = (_("Username"), _("Password"), _("Role"))
        rows = [headers, *((x.username, x.password, x.role) for x in logins)]
        self.stdout.write(text_table(rows, indent="  "), ending="")


def serve_command(bind: str) -> str:
    default = f"127.0.0.1:{DEFAULT_PORT}"
    return "mamori serve" if bind == default else f"mamori serve --bind {bind}"


def address(bind: str) -> str:
    """Where a browser finds the server `mamori serve --bind BIND` starts."""
    try:
        host, port = parse_bind(bind)
    except ValueError:
        return bind
    if is_wildcard(host):
        # Every address of the machine: the user knows which name reaches it.
        return _("https://<this machine's name or address>:%(port)s/") % {"port": port}
    return f"https://{url_host(host)}:{port}/"
