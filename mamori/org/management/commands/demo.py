"""`mamori demo`: prepare the database and load the demo organisation, then show the logins."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core import dbstats
from mamori.core.demo import demo_steps
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

    def handle(self, *args, seed, verbosity, **options):
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
        self.stdout.write(_("Start the server with `mamori serve`, then open "
                            "https://127.0.0.1:8443/ and sign in with one of the logins above."))
        self.stdout.write(_("`admin` and `ciso` must set up TOTP with an authenticator app at "
                            "their first login."))

    def write_table(self, logins):
        headers = (_("Username"), _("Password"), _("Role"))
        rows = [headers, *((x.username, x.password, x.role) for x in logins)]
        self.stdout.write(text_table(rows, indent="  "), ending="")
