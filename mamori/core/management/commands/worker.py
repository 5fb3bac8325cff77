"""`mamori worker`: run queued tasks. Several workers may run at once, on one host or many:
the database backend claims each task with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL."""

from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Run queued background tasks (reminders, scans, snapshots).")
