"""`mamori worker`: run queued tasks. Several workers may run at once, on one host or many:
the database backend claims each task with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL.

Each worker names itself host:pid:random (core.taskhealth.worker_id), so the sweep for
abandoned tasks sees at once that a task's worker on this host has died.

`--with-scheduler` also enqueues the periodic tasks when due (core.embedded: what
`mamori serve` starts beside the web server)."""

import argparse

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
        parser.add_argument("--with-scheduler", action="store_true",
                            help=_("also enqueue periodic tasks when due, as `mamori "
                                   "scheduler` does"))
        parser.add_argument("--scheduler-interval", type=float, default=60,
                            help=_("seconds between the scheduler's checks (default 60)"))
        # Given by `mamori serve`: the embedded worker stops when its server has gone.
        parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, with_scheduler, scheduler_interval, parent_pid, **options):
        from mamori.core import embedded

        if with_scheduler or parent_pid:
            embedded.start_companion_thread(
                scheduler_interval if with_scheduler else None, parent_pid)
        if parent_pid:
            # Embedded: a lost database connection must not end the server's only worker.
            return embedded.run_resiliently(lambda: super(Command, self).handle(
                *args, **options))
        return super().handle(*args, **options)
