"""Scheduled scans: the scheduler enqueues `enqueue_due_scans` every hour, which enqueues one
task per batch of endpoints due a full scan or a certificate check; `mamori worker` runs them
(several workers share the queue, each batch in its own child process with a hard timeout)."""

from django.db import transaction
from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.schedule import periodic
from mamori.websec import service
from mamori.websec.models import WebEndpoint

TASK_ACTOR = Actor(None, "task:websec", "task")


def due_endpoints(kind: str):
    return [e for e in WebEndpoint.objects.filter(active=True).select_related("profile")
            if e.due(kind)]


@periodic("hourly")
@task()
def enqueue_due_scans() -> dict:
    counts = {}
    for kind in ("full", "certificate"):
        due = [e.pk for e in due_endpoints(kind)]
        if kind == "certificate":
            full = {e.pk for e in due_endpoints("full")}
            due = [pk for pk in due if pk not in full]  # a full scan checks the certificate
        for start in range(0, len(due), service.BATCH):
            batch = due[start:start + service.BATCH]
            transaction.on_commit(lambda b=batch, k=kind: scan_endpoints.enqueue(b, k))
        counts[kind] = len(due)
    return counts


@task()
def scan_endpoints(endpoint_ids: list[int], kind: str = "full") -> int:
    endpoints = WebEndpoint.objects.filter(pk__in=endpoint_ids, active=True).select_related(
        "profile")
    with acting_as(TASK_ACTOR):
        return len(service.run(endpoints, kind))
