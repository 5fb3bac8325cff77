import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core.schedule import enqueue_due, periodic_tasks


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Enqueue periodic tasks when they are due; `mamori worker` runs them.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help=_("enqueue what is due now and exit"))
        parser.add_argument("--interval", type=int, default=60,
                            help=_("seconds between checks (default 60)"))

    def handle(self, *args, **options):
        names = ", ".join(p.name for p in periodic_tasks())
        self.stdout.write(_("periodic tasks: %(names)s") % {"names": names})
        while True:
            for line in enqueue_due():
                self.stdout.write(_("enqueued %(task)s") % {"task": line})
            if options["once"]:
                return
            time.sleep(options["interval"])
