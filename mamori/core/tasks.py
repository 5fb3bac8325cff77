"""Core background tasks: the daily conformance snapshot, the sweep for abandoned tasks."""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from mamori.core import conformance
from mamori.core.context import Actor, acting_as
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent, recover_abandoned


@periodic("daily")
@idempotent  # update_or_create of today's rows, in one transaction
@task()
def snapshot_conformance() -> int:
    """Record today's result of every check, so the dashboard can show each article's trend."""
    day = timezone.localdate()
    from mamori.core.models import ConformanceSnapshot

    written = 0
    with acting_as(Actor(None, "task:snapshot_conformance", "task")), transaction.atomic():
        for article in conformance.evaluate(conformance.SYSTEM):
            for outcome in article.outcomes:
                result = outcome.result
                ConformanceSnapshot.objects.update_or_create(
                    day=day,
                    check_code=outcome.check.code,
                    defaults={
                        "article": article.article,
                        "status": result.status,
                        "value": "" if result.value is None else str(result.value),
                        "threshold": "" if result.threshold is None else str(result.threshold),
                        "failing_count": result.failing_count,
                    },
                )
                written += 1
    return written


@periodic("10min")
@idempotent  # each abandoned row is re-read locked and acted on only while still RUNNING
@task()
def recover_abandoned_tasks() -> dict:
    """Queue again, or mark failed, the tasks whose worker died (core.taskhealth)."""
    return recover_abandoned()
