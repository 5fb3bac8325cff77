from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.core.keyrotation import RotationError, rotate_log_key


class Command(BaseCommand):
    @property
    def help(self):
        return _("Replace the change-log key: verify the chain with the current key, keep it "
                 "in the key history file and sign the checkpoint with a new key. Stop Mamori "
                 "(server, workers, scheduler) first.")

    def handle(self, *args, **options):
        try:
            done = rotate_log_key()
        except (RotationError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_(
            "New change-log key written to %(key)s; the checkpoint (entry %(seq)s) is signed "
            "with it. The old key is kept in %(history)s: back up both, then start Mamori "
            "again.") % {"key": done.key_file, "seq": done.seq, "history": done.history_file})
