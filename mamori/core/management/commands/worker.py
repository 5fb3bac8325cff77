"""`mamori worker`: run queued tasks. Several workers may run at once, on one host or many:
the database backend claims each task with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL.

Each worker names itself host:pid:random (core.taskhealth.worker_id), so the sweep for
abandoned tasks sees at once that a task's worker on this host has died."""

from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from mamori.core.taskhealth import worker_id


class Command(DbWorkerCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Run queued background tasks (reminders, scans, snapshots).")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id())
