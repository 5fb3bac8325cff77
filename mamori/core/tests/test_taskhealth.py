"""Tasks are neither lost nor stuck: enqueued in the transaction of the write that asks for
them (database backend), and taken back from workers that died (core.taskhealth)."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mamori.core import taskhealth
from mamori.core.schedule import enqueue_due
from mamori.core.tests.sleepy_tasks import wait_again, wait_once


class Crash(Exception):
    pass


# --- enqueue in the transaction ---------------------------------------------------------


@pytest.mark.django_db
def test_database_backend_enqueues_inside_the_open_transaction():
    """What enqueue_atomically relies on: django_tasks_db inserts the row at once, through
    the default connection, so a rollback withdraws it. If a release starts deferring the
    insert (an on-commit option turned on by default, say) this test fails."""
    assert taskhealth.uses_database_backend(wait_once)
    with pytest.raises(Crash), transaction.atomic():
        taskhealth.enqueue_atomically(wait_once, 1)
        assert DBTaskResult.objects.count() == 1
        raise Crash
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        taskhealth.enqueue_atomically(wait_once, 1)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [1], "kwargs": {}}


@pytest.mark.django_db
@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_another_backend_is_enqueued_when_the_transaction_commits(
        django_capture_on_commit_callbacks):
    """A queue outside the database (RQ) cannot roll back: the task waits for the commit."""
    from django_tasks import task_backends

    task_backends["default"].clear()
    assert not taskhealth.uses_database_backend(wait_once)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        taskhealth.enqueue_atomically(wait_once, 1)
        assert task_backends["default"].results == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(task_backends["default"].results) == 1


# --- abandoned tasks --------------------------------------------------------------------


def running_row(task, worker: str, started_minutes_ago: float) -> DBTaskResult:
    result = task.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=[worker],
        started_at=timezone.now() - datetime.timedelta(minutes=started_minutes_ago))
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.django_db
@override_settings(MAMORI_TASK_STUCK_MINUTES=30)
def test_tasks_running_past_the_limit_are_retried_or_failed():
    elsewhere = "other-host:123:abc"  # another host: judged by time alone
    fresh = running_row(wait_again, elsewhere, 5)
    old_again = running_row(wait_again, elsewhere, 45)
    old_once = running_row(wait_once, elsewhere, 45)
    assert taskhealth.recover_abandoned() == {"retried": 1, "failed": 1}
    fresh.refresh_from_db(), old_again.refresh_from_db(), old_once.refresh_from_db()
    assert fresh.status == "RUNNING"
    assert old_again.status == "READY" and old_again.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=old_again.pk).exists()  # a worker takes it
    assert old_once.status == "FAILED"
    assert old_once.exception_class_path == "mamori.core.taskhealth.AbandonedTask"
    assert "not marked idempotent" in old_once.traceback and elsewhere in old_once.traceback
    # Nothing more to do; later, the fresh one is past the limit too.
    assert taskhealth.recover_abandoned() == {"retried": 0, "failed": 0}
    later = timezone.now() + datetime.timedelta(minutes=30)
    assert taskhealth.recover_abandoned(later) == {"retried": 1, "failed": 0}


@pytest.mark.django_db
def test_a_task_abandoned_again_and_again_is_failed():
    row = running_row(wait_again, "other-host:1:a", 120)
    DBTaskResult.objects.filter(pk=row.pk).update(
        worker_ids=["other-host:1:a", "other-host:2:b", "other-host:3:c"])
    assert taskhealth.recover_abandoned() == {"retried": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == "FAILED" and "abandoned 3 times" in row.traceback


@pytest.mark.django_db
def test_the_sweep_is_a_periodic_task():
    enqueue_due(timezone.now())
    assert DBTaskResult.objects.filter(
        task_path="mamori.core.tasks.recover_abandoned_tasks").count() == 1
    from mamori.core.tasks import recover_abandoned_tasks

    assert recover_abandoned_tasks.call() == {"retried": 0, "failed": 0}


def database_env() -> dict:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
               f"{db['NAME']}")
    else:
        url = f"sqlite:///{db['NAME']}"
    # The worker anchors the log's head in this test's file, as the test itself does
    # (conftest), not in the data directory every test process shares.
    return {**os.environ, "DATABASE_URL": url,
            "MAMORI_LOG_ANCHOR_FILE": str(settings.MAMORI_LOG_ANCHOR_FILE)}


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)  # the worker is another process
@pytest.mark.parametrize("task, after", [(wait_once, "FAILED"), (wait_again, "SUCCESSFUL")])
def test_a_worker_killed_mid_task(task, after):
    """A real `mamori worker` is killed (SIGKILL) while running a task: the task stays
    RUNNING until the sweep, which sees at once that the worker's process is gone. The
    idempotent task is queued again and a second worker finishes it; the other is failed."""
    result = task.enqueue(120)
    worker = subprocess.Popen([sys.executable, "-m", "mamori.cli", "worker",
                               "--no-startup-delay", "--interval", "0.2"],
                              env=database_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "RUNNING")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "RUNNING"  # the dead worker cannot say otherwise
    assert row.worker_ids[-1].split(":")[:2] == [taskhealth.HOST, str(worker.pid)]
    counts = taskhealth.recover_abandoned()
    assert counts == ({"retried": 0, "failed": 1} if after == "FAILED"
                      else {"retried": 1, "failed": 0})
    if after == "SUCCESSFUL":
        DBTaskResult.objects.filter(pk=result.id).update(args_kwargs={"args": [0], "kwargs": {}})
        finisher = subprocess.run([sys.executable, "-m", "mamori.cli", "worker", "--batch",
                                   "--no-startup-delay"], env=database_env(), timeout=120,
                                  capture_output=True)
        assert finisher.returncode == 0, finisher.stderr
    row.refresh_from_db()
    assert row.status == after
    if after == "SUCCESSFUL":
        assert len(row.worker_ids) == 2


# --- who sees them ----------------------------------------------------------------------

EVERYONE = ("admin", "ciso", "auditor", "manager", "staff")


@pytest.mark.django_db
@pytest.mark.parametrize("username", EVERYONE)
def test_failed_and_stuck_tasks_are_shown_to_administrators_only(org, username):
    stuck = running_row(wait_once, "other-host:9:z", 600)
    failed = running_row(wait_again, "other-host:8:y", 1)
    failed.set_failed(RuntimeError("SMTP server refused"))
    client = org.client(username)
    response = client.get("/tasks/")
    home = client.get("/dashboard/" if username != "staff" else "/me/")
    if username == "admin":
        assert response.status_code == 200
        assert [t.pk for t in response.context["stuck"]] == [stuck.pk]
        assert [t.pk for t in response.context["failed"]] == [failed.pk]
        assert b"SMTP server refused" in response.content
        assert b'href="/tasks/"' in home.content
        panels = dict(home.context["panels"])
        assert panels["core/_tasks_panel.html"] == {"failed": 1, "stuck": 1, "days": 7}
    else:
        assert response.status_code == 403
        assert b'href="/tasks/"' not in home.content
        assert b"tasks-panel" not in home.content


@pytest.mark.django_db
def test_no_panel_when_all_is_well(org):
    response = org.client("admin").get("/dashboard/")
    assert response.status_code == 200
    assert b"tasks-panel" not in response.content
