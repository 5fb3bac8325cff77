"""`mamori serve` runs the task worker and the scheduler beside the web server (core.embedded):
real processes on the test database, SQLite and PostgreSQL."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from mamori.core.models import ConformanceSnapshot, ScheduledRun

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT = "mamori.core.tasks.snapshot_conformance"


def child_env(tmp_path) -> dict:
    """The environment of a process that uses this test's database."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAMORI_", "GUNICORN_")) and key != "DATABASE_URL"}
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env.update(MAMORI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="mamori.settings",
               MAMORI_HTTPS="0", PYTHONPATH=str(PROJECT_ROOT))
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                               f"{db['PORT'] or 5432}/{db['NAME']}")
    else:
        # The child's embedded default is mamori.sqlite3 in its data directory, with the same
        # options as here (busy timeout, IMMEDIATE transactions): made the test database.
        (data_dir / "mamori.sqlite3").symlink_to(db["NAME"])
    # The keys of this test process, so the child signs the change log as this one does.
    from django.conf import settings

    env["DJANGO_SECRET_KEY"] = settings.SECRET_KEY
    from mamori.core.changelog import signing_key

    env["MAMORI_LOG_KEY"] = signing_key()
    return env


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} within {seconds} s")


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def is_embedded_worker(pid: int) -> bool:
    try:
        return b"--parent-pid" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def snapshots_written() -> bool:
    return ConformanceSnapshot.objects.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_scheduler_and_worker_and_stops_them(tmp_path):
    """The scheduler's first check at start-up enqueues the daily snapshot, the worker runs it
    (the 30-day trends fill), and stopping the server stops the worker."""
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "mamori.cli", "serve", "--http", "--workers", "1",
             "--threads", "2", "--bind", f"127.0.0.1:{free_port()}"],
            env=child_env(tmp_path), cwd=PROJECT_ROOT, stdout=output,
            stderr=subprocess.STDOUT)
    try:
        try:
            wait_until(snapshots_written, 25, "the snapshot was written by the worker")
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- serve ---\n{log.read_text()}") from None
        assert DBTaskResult.objects.get(task_path=SNAPSHOT).status == "SUCCESSFUL"
        workers = [pid for pid in children_of(server.pid) if is_embedded_worker(pid)]
        assert len(workers) == 1, log.read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=45)
    assert not Path(f"/proc/{workers[0]}").exists() or not is_embedded_worker(workers[0])


@pytest.mark.django_db(transaction=True)
def test_serve_without_worker_runs_no_task(tmp_path):
    env = child_env(tmp_path)
    env["MAMORI_EMBEDDED_WORKER"] = "0"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mamori.cli", "serve", "--http", "--workers", "1",
         "--threads", "2", "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listening():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                return False

        wait_until(listening, 25, "the server listened")
        time.sleep(2)  # the embedded scheduler's first check would have come by now
        assert not [pid for pid in children_of(server.pid) if is_embedded_worker(pid)]
        assert not ScheduledRun.objects.exists()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=45)


@pytest.mark.django_db(transaction=True)
def test_two_embedded_schedulers_run_a_due_task_once(tmp_path):
    """Two servers' worker-and-scheduler processes start together: each periodic task of the
    current period is enqueued once and run once."""
    env = child_env(tmp_path)
    command = [sys.executable, "-m", "mamori.cli", "worker", "--with-scheduler",
               "--no-startup-delay", "--scheduler-interval", "0.5"]
    racers = [subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        wait_until(snapshots_written, 25, "the snapshot was written")
        time.sleep(2)  # both schedulers have checked several times more
    finally:
        for racer in racers:
            racer.send_signal(signal.SIGTERM)
        for racer in racers:
            racer.wait(timeout=45)
    assert ScheduledRun.objects.filter(task_name=SNAPSHOT).count() == 1
    [result] = DBTaskResult.objects.filter(task_path=SNAPSHOT)
    assert result.status == "SUCCESSFUL" and len(result.worker_ids) == 1
    # Every periodic task of each period: claimed once, enqueued once. (A run that crosses a
    # period's boundary, 21:00 say, claims the ten-minute and hourly tasks for both periods:
    # a name may repeat, a (name, period) may not.)
    claims = list(ScheduledRun.objects.values_list("task_name", "period"))
    assert len(claims) == len(set(claims))
    assert DBTaskResult.objects.count() == len(claims)
