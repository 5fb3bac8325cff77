"""The built-in measures are recorded every day: each day's run brings the current period's
values up to date, so the period's last run leaves the state at its end, and the history is
stored rows, never a recomputation of the past."""

from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent


@periodic("daily")
@idempotent  # one transaction that updates the period's rows in place
@task()
def record_measures() -> int:
    """Compute every active built-in measure and store it for the current period. Returns
    the number of measurements written (created or changed)."""
    from mamori.review import calculators

    # A new actor per run: each run's entries share a request id of their own.
    with acting_as(Actor(None, "task:record_measures", "task")):
        return calculators.record()
