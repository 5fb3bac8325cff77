from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mamori.core.keyrotation import RotationError, rotate_secret_key, secret_key_files


class Command(BaseCommand):
    @property
    def help(self):
        return _("Replace Django's secret key in the data directory, keeping the old one as a "
                 "fallback so that sessions and links signed with it stay valid. Stop Mamori "
                 "first.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep", type=int, default=1, metavar="N",
            help=_("How many retired keys to keep as fallbacks (default: %(default)s)."))

    def handle(self, *args, keep, **options):
        try:
            key_file = rotate_secret_key(keep=keep)
        except (RotationError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_(
            "New secret key written to %(key)s; the old one is kept in %(fallbacks)s. Remove "
            "that file once the sessions and links signed with it may lapse (8 hours for "
            "sessions, 3 days for password-reset links), then restart Mamori.") % {
                "key": key_file, "fallbacks": secret_key_files()[1]})
