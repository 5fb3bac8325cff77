from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core.changelog import verify


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Recompute the change-log hash chain and its signed checkpoint. Exits with "
                 "status 0 when intact, 1 naming the first broken entry otherwise.")

    def handle(self, *args, **options):
        verdict = verify()
        if verdict.ok:
            self.stdout.write(_("change log intact: %(n)s entries verified") % {
                "n": verdict.checked})
            return
        self.stderr.write(_("change log BROKEN: %(problem)s") % {"problem": verdict.problem})
        raise SystemExit(1)
