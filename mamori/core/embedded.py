"""The worker and scheduler that `mamori serve` runs beside the web server.

`make run` must be the whole product: a new incident's notification, the daily conformance
snapshot and the reminders are tasks, and without a worker and a scheduler none of them ever
runs. So `mamori serve` starts one child process, `mamori worker --with-scheduler
--parent-pid PID`, before gunicorn starts, and stops it when gunicorn stops.

Why a child process and not threads in the server: gunicorn forks its web workers from the
process that runs `serve`, and forking a process that has other threads may copy a lock held
by one of them (logging, the database driver) into the child, locked for ever. The child is
started before gunicorn forks anything, and it is not one of gunicorn's workers.

Running twice is safe: deployments that run `mamori worker` and `mamori scheduler` on their own
turn this off (`mamori serve --no-worker`, or MAMORI_EMBEDDED_WORKER=0), but two servers that
both embed one are also fine. A period of a periodic task is claimed by inserting a
ScheduledRun row under a unique constraint in the transaction that enqueues the task
(core.schedule), so only one scheduler enqueues it; and each queued task is claimed by one
worker (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's single write lock, taken at
the start of every transaction, with the busy timeout MAMORI_DB_LOCK_TIMEOUT).

The child stops with its server: serve terminates it on the way out, Linux sends it SIGTERM
when serve dies (PR_SET_PDEATHSIG), and elsewhere it sees that its parent changed within a
second. On SIGTERM the worker finishes the task it is running, then exits.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time

logger = logging.getLogger("mamori.embedded")

ENV = "MAMORI_EMBEDDED_WORKER"
RETRY_SECONDS = 5
STOP_SECONDS = 35  # a little more than gunicorn's graceful timeout: a task may be finishing


def wanted(no_worker: bool) -> bool:
    """False when `--no-worker` was given or MAMORI_EMBEDDED_WORKER is 0 / false / no."""
    if no_worker:
        return False
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the child's own check of its parent ends it


class EmbeddedWorker:
    """The child process running `mamori worker --with-scheduler` for one `mamori serve`."""

    def __init__(self, scheduler_interval: float = 60, output=None):
        self.scheduler_interval = scheduler_interval
        self.output = output
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "mamori.cli", "worker", "--with-scheduler",
                "--scheduler-interval", str(self.scheduler_interval),
                "--parent-pid", str(os.getpid())]

    def start(self) -> "EmbeddedWorker":
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.command(), stdout=self.output, stderr=self.output,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """SIGTERM, then wait for the running task to end; kill it past `timeout`."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- in the child ------------------------------------------------------------------------


def _enqueue_due_once() -> None:
    from django.db import connection

    from mamori.core.schedule import enqueue_due

    try:
        for line in enqueue_due():
            logger.info("enqueued %s", line)
    except Exception:
        # A busy or lost database: the next check tries again, the period is still unclaimed.
        logger.exception("the scheduler could not enqueue the tasks due")
    finally:
        connection.close()  # this thread's own connection; a fresh one next time


def start_companion_thread(scheduler_interval: float | None,
                           parent_pid: int | None) -> threading.Thread:
    """A thread beside the worker loop: the scheduler (every `scheduler_interval` seconds,
    the first check at once) and, when embedded, the check that the server still runs."""

    def run():
        next_check = time.monotonic()
        while True:
            if parent_pid and os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)  # the worker's own graceful stop
                return
            if scheduler_interval is not None and time.monotonic() >= next_check:
                _enqueue_due_once()
                next_check = time.monotonic() + scheduler_interval
            time.sleep(1)

    thread = threading.Thread(target=run, name="mamori-scheduler", daemon=True)
    thread.start()
    return thread


def run_resiliently(run_worker) -> None:
    """Run the worker loop again after a database error (the server restarted, a connection
    dropped): the embedded worker is the server's only one and must not end with it."""
    from django.db import DatabaseError, connections

    while True:
        try:
            return run_worker()
        except DatabaseError:
            logger.exception("the worker lost its database; starting again in %s s",
                             RETRY_SECONDS)
            connections.close_all()
            time.sleep(RETRY_SECONDS)
