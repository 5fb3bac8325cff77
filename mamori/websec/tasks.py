"""Scheduled scans: the scheduler enqueues `enqueue_due_scans` every hour, which enqueues one
task per batch of endpoints due a full scan or a certificate check; `mamori worker` runs them
(several workers share the queue, each batch in its own child process with a hard timeout)."""

from django.db import transaction
from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.schedule import periodic
from mamori.core.taskhealth import enqueue_atomically, idempotent
from mamori.websec import service
from mamori.websec.models import WebEndpoint

TASK_ACTOR = Actor(None, "task:websec", "task")


def due_endpoints(kind: str):
    return [e for e in WebEndpoint.objects.filter(active=True).select_related("profile")
            if e.due(kind)]


@periodic("hourly")
@idempotent  # what is due is computed afresh, and the batches commit together
@task()
def enqueue_due_scans() -> dict:
    counts = {}
    full = [e.pk for e in due_endpoints("full")]
    scanned_in_full = set(full)  # a full scan checks the certificate too
    certificate = [e.pk for e in due_endpoints("certificate") if e.pk not in scanned_in_full]
    # All the batches in one transaction: a worker that dies part-way enqueued none of them,
    # so running this again (it is idempotent) neither loses nor doubles a batch.
    with transaction.atomic():
        for kind, due in (("full", full), ("certificate", certificate)):
            for batch in task_batches(due):
                enqueue_atomically(scan_endpoints, batch, kind)
            counts[kind] = len(due)
    return counts


SPREAD = 8  # tasks wanted, when there are endpoints enough: several workers share them
MIN_TASK = 20  # endpoints per task at least: two rounds of the scan process's 10 connections,
# so one slow endpoint (a server that never answers waits out the network timeout) overlaps
# with the others instead of holding up a task of its own


def task_batches(ids: list) -> list[list]:
    """The due endpoints in tasks of equal size: at most service.BATCH and at least MIN_TASK
    each, up to SPREAD tasks so several workers share a short list (one task of 40 and one of
    10 would leave a second worker idle most of the time)."""
    if not ids:
        return []
    least = -(-len(ids) // service.BATCH)
    count = max(least, min(len(ids) // MIN_TASK, SPREAD))
    return [ids[i::count] for i in range(count)]


@idempotent  # a scan run again measures again: one more scan in the history, nothing lost
@task()
def scan_endpoints(endpoint_ids: list[int], kind: str = "full") -> int:
    endpoints = WebEndpoint.objects.filter(pk__in=endpoint_ids, active=True).select_related(
        "profile")
    with acting_as(TASK_ACTOR):
        return len(service.run(endpoints, kind))


@idempotent  # a request already finished is left alone; a scan run again is one more scan
@task()
def scan_requested(request_id: int) -> str:
    """Run a "Scan now" (service.request_scan), recording its state for the endpoint's page."""
    from django.utils import timezone

    from mamori.websec.models import ScanRequest

    request = ScanRequest.objects.select_related("requested_by").filter(pk=request_id).first()
    if request is None or not request.pending:
        return "skipped"
    ScanRequest.objects.filter(pk=request.pk).update(status=ScanRequest.Status.RUNNING)
    endpoint = WebEndpoint.objects.select_related("profile").get(pk=request.endpoint_id)
    try:
        with acting_as(TASK_ACTOR):
            [row] = service.run([endpoint], request.kind, requested_by=request.requested_by)
    except BaseException:
        ScanRequest.objects.filter(pk=request.pk).update(
            status=ScanRequest.Status.FAILED, finished_at=timezone.now())
        raise
    ScanRequest.objects.filter(pk=request.pk).update(
        status=ScanRequest.Status.DONE, scan=row, finished_at=timezone.now())
    return ScanRequest.Status.DONE


# A finished "Scan now" is shown on the endpoint's page for minutes (views.SHOW_FINISHED_REQUEST)
# and read through the API's status URL soon after; the scan it produced is kept with the
# endpoint's history. After this long the request itself is of no use to anyone.
KEEP_SCAN_REQUESTS_DAYS = 30


@periodic("daily")
@idempotent  # deletes what is old enough, whichever run gets there first
@task()
def purge_scan_requests() -> int:
    """Delete the "Scan now" requests finished more than KEEP_SCAN_REQUESTS_DAYS ago (their
    scans stay). A request whose task the sweep gave up still reads as pending until looked
    at: an old one is recorded as failed here, and purged as failed requests are. Returns
    the number of requests deleted."""
    import datetime

    from django.utils import timezone

    from mamori.websec.models import ScanRequest

    cutoff = timezone.now() - datetime.timedelta(days=KEEP_SCAN_REQUESTS_DAYS)
    for row in ScanRequest.objects.filter(
            status__in=(ScanRequest.Status.QUEUED, ScanRequest.Status.RUNNING),
            created_at__lt=cutoff).exclude(task_result_id=""):
        row.given_up()
    deleted, _by_model = ScanRequest.objects.filter(
        status__in=(ScanRequest.Status.DONE, ScanRequest.Status.FAILED),
        finished_at__lt=cutoff).delete()
    return deleted
