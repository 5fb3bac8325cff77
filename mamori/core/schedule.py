"""Periodic tasks and the scheduler that enqueues them.

`@periodic("daily")` (or "10min", "hourly", "weekly") marks a task. `mamori scheduler` calls
`enqueue_due()` every minute. Several schedulers may run at once: the period is claimed by
inserting a ScheduledRun row under a unique constraint, and only the inserter enqueues.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from mamori.core.context import Actor, acting_as

PERIOD_FORMATS = {"10min": "%Y-%m-%dT%H:%M", "hourly": "%Y-%m-%dT%H", "daily": "%Y-%m-%d",
                  "weekly": "%G-W%V"}


@dataclass(frozen=True)
class PeriodicTask:
    task: object
    every: str

    @property
    def name(self) -> str:
        return self.task.module_path

    def period(self, now) -> str:
        local = timezone.localtime(now)
        if self.every == "10min":
            local = local.replace(minute=local.minute - local.minute % 10)
        return local.strftime(PERIOD_FORMATS[self.every])


_periodic: dict[str, PeriodicTask] = {}


def periodic(every: str):
    if every not in PERIOD_FORMATS:
        raise ValueError(f"unknown period {every!r}")

    def decorator(task):
        entry = PeriodicTask(task, every)
        _periodic[entry.name] = entry
        return task

    return decorator


def periodic_tasks() -> list[PeriodicTask]:
    return sorted(_periodic.values(), key=lambda p: p.name)


def enqueue_due(now=None) -> list[str]:
    """Enqueue every periodic task whose current period has not been claimed yet."""
    from mamori.core.models import ScheduledRun

    now = now or timezone.now()
    enqueued = []
    with acting_as(Actor(None, "command:scheduler", "command")):
        for entry in periodic_tasks():
            period = entry.period(now)
            try:
                # With the database task backend the enqueued task is a row in this same
                # transaction, so losing the race for the period also withdraws the task.
                with transaction.atomic():
                    result = entry.task.enqueue()
                    ScheduledRun.objects.create(task_name=entry.name, period=period,
                                                task_result_id=str(result.id))
            except IntegrityError:
                continue  # another scheduler claimed this period
            enqueued.append(f"{entry.name} {period}")
    return enqueued
