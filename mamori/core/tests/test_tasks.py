"""Periodic tasks: the scheduler enqueues each period once, a worker runs the conformance
snapshot, and the dashboard shows the trend."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mamori.core.models import ConformanceSnapshot, ScheduledRun
from mamori.core.schedule import enqueue_due


@pytest.mark.django_db
def test_scheduler_enqueues_each_period_once():
    now = timezone.now()
    first = enqueue_due(now)
    assert any("snapshot_conformance" in line for line in first)
    # A second scheduler (or the next minute) finds the period claimed.
    assert enqueue_due(now) == []
    assert ScheduledRun.objects.count() == len(first)
    assert DBTaskResult.objects.count() == len(first)
    tomorrow = now + datetime.timedelta(days=1)
    assert enqueue_due(tomorrow)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_worker_runs_the_snapshot_and_dashboard_shows_trend(org):
    enqueue_due()
    call_command("worker", "--batch", "--no-startup-delay")
    results = list(DBTaskResult.objects.all())
    assert {r.task_path for r in results} >= {"mamori.core.tasks.snapshot_conformance",
                                             "mamori.policies.tasks.send_acknowledgement_reminders"}
    assert all(r.status == "SUCCESSFUL" for r in results), [r.traceback for r in results]
    today = timezone.localdate()
    snap = ConformanceSnapshot.objects.get(day=today, check_code="org.art3.information_manager")
    assert snap.status == "fail" and snap.failing_count == 3
    # Running it again the same day updates in place.
    from mamori.core.tasks import snapshot_conformance

    snapshot_conformance.call()
    from mamori.core import conformance

    assert ConformanceSnapshot.objects.filter(day=today).count() == len(conformance.checks())
    response = org.client("auditor").get("/dashboard/")
    trend = dict(response.context["articles"][2][1])  # article 3
    assert trend[today] == "fail"
    assert trend[today - datetime.timedelta(days=1)] == "none"


@pytest.mark.django_db
def test_snapshot_is_logged_as_task():
    from mamori.core.models import ChangeLogEntry
    from mamori.core.tasks import snapshot_conformance

    snapshot_conformance.call()
    entry = ChangeLogEntry.objects.filter(model="core.conformancesnapshot").first()
    assert entry.actor_name == "task:snapshot_conformance" and entry.source == "task"


@pytest.mark.django_db(transaction=True)
def test_several_workers_share_the_queue(settings):
    """Three `mamori worker` processes drain one queue; every task runs exactly once."""
    import os
    import subprocess
    import sys

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database shared between processes (PostgreSQL)")
    from mamori.core.tasks import snapshot_conformance

    for _ in range(12):
        snapshot_conformance.enqueue()
    db = connection.settings_dict
    env = {**os.environ,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}",
           # this test's anchor file (conftest), not the data directory's, which every test
           # process shares
           "MAMORI_LOG_ANCHOR_FILE": str(settings.MAMORI_LOG_ANCHOR_FILE)}
    workers = [subprocess.Popen([sys.executable, "-m", "mamori.cli", "worker", "--batch",
                                 "--no-startup-delay"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(3)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    results = list(DBTaskResult.objects.all())
    assert len(results) == 12
    assert all(r.status == "SUCCESSFUL" for r in results), [r.traceback for r in results]
    assert all(len(r.worker_ids) == 1 for r in results)
