"""Tasks that are neither lost nor stuck.

Enqueueing with the write that asks for it
------------------------------------------
With the database backend (django_tasks_db) a task is a row of the default database, inserted
by `enqueue()` at once through the same connection: enqueued inside the transaction of the
write, it commits with the write or not at all. `enqueue_atomically` does that, so a crash
between the commit and an `on_commit` hook can no longer lose a notification. Any other
backend (django-tasks-rq: a Redis queue outside the database) cannot take part in the
transaction; there the task is enqueued when the transaction commits (`on_commit`), which is
the only safe order (a task must never see a write that was rolled back) and leaves the
window of a crash between commit and enqueue.

Abandoned tasks
---------------
A worker that dies (kill -9, a lost host, the OOM killer) leaves its task RUNNING forever.
`recover_abandoned()` finds them: RUNNING longer than MAMORI_TASK_STUCK_MINUTES, or at once
when the worker that claimed it ran on this host and its process is gone (`mamori worker`
names itself host:pid:random). Tasks marked `@idempotent` are queued again; the others are
marked FAILED with the reason, for an administrator to look at (Tasks page).
"""

import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

_idempotent: set[str] = set()


def idempotent(task):
    """Mark a task as safe to run again after its worker died part-way: it checks what is
    already done (or writes everything in one transaction) so a second run does no harm."""
    _idempotent.add(task.module_path)
    return task


def is_idempotent(task_path: str) -> bool:
    return task_path in _idempotent


def uses_database_backend(task) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue_atomically(task, *args, **kwargs):
    """Enqueue `task` as part of the current transaction (database backend; returns its
    result), or when it commits (any other backend; returns None)."""
    if uses_database_backend(task):
        return task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


# --- worker identity -------------------------------------------------------------------

# Workers that share this name must share the process table too: containers with the same
# host name (host networking) each need their own MAMORI_WORKER_HOST, or a live worker of
# another container would be taken for dead.
HOST = (os.environ.get("MAMORI_WORKER_HOST") or socket.gethostname())[:40].replace(":", "-")


def worker_id() -> str:
    """host:pid:random (at most 64 characters, django_tasks_db's limit)."""
    return f"{HOST}:{os.getpid()}:{get_random_string(12)}"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def worker_gone(worker: str) -> bool:
    """True when `worker` ran on this host and its process no longer exists. Workers of
    other hosts (or named otherwise) are judged by time alone."""
    parts = worker.split(":")
    if len(parts) != 3 or parts[0] != HOST or not parts[1].isdigit():
        return False
    return not process_alive(int(parts[1]))


# --- recovery --------------------------------------------------------------------------


def stuck_minutes() -> int:
    return int(getattr(settings, "MAMORI_TASK_STUCK_MINUTES", 30))


def stuck_before(now=None):
    now = now or timezone.now()
    return now - timezone.timedelta(minutes=stuck_minutes())


MAX_ATTEMPTS = 3  # a task that kills its worker every time (memory, say) is not run forever


@dataclass
class Recovered:
    retried: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {"retried": self.retried, "failed": self.failed}


class AbandonedTask(Exception):
    """Recorded as the failure of a task whose worker stopped while running it."""


def abandoned_queryset(now=None):
    """RUNNING tasks past the limit, plus those whose worker process is known to be gone."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.running()
    gone = [r.pk for r in running.only("pk", "worker_ids")
            if r.worker_ids and worker_gone(r.worker_ids[-1])]
    return running.filter(Q(started_at__lt=stuck_before(now)) | Q(pk__in=gone))


def recover_abandoned(now=None) -> dict:
    """Queue again the idempotent abandoned tasks, mark the others FAILED with the reason.
    Each row is re-read locked and still RUNNING, so two sweeps never act twice on one task
    and a task that finished meanwhile is left alone."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    counts = Recovered()
    for pk in list(abandoned_queryset(now).values_list("pk", flat=True)):
        with transaction.atomic():
            row = (DBTaskResult.objects.select_for_update().filter(pk=pk, status="RUNNING")
                   .first())
            if row is None:
                continue
            worker = row.worker_ids[-1] if row.worker_ids else "?"
            started = row.started_at.isoformat() if row.started_at else "?"
            attempts = len(row.worker_ids)
            if is_idempotent(row.task_path) and attempts < MAX_ATTEMPTS:
                row.status = "READY"
                row.started_at = None
                row.save(update_fields=["status", "started_at"])
                counts.retried += 1
            else:
                why = ("it is not marked idempotent" if not is_idempotent(row.task_path)
                       else f"it was abandoned {attempts} times")
                row.set_failed(AbandonedTask(
                    f"worker {worker} stopped while running this task (started {started}); "
                    f"not retried because {why}"))
                counts.failed += 1
    return counts.as_dict()
