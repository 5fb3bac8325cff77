"""Training's time-driven work: assignments derived again every day (a programme that starts,
a new fiscal year, assets or incidents that change an audience) and at once for a programme
just saved."""

from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent
from mamori.training import assign
from mamori.training.models import Programme

TASK_ACTOR = Actor(None, "task:training", "task")


@idempotent  # derives from the audience: a second run finds nothing to do
@task()
def assign_programme(programme_id: int) -> dict:
    programme = Programme.objects.select_related("course").filter(pk=programme_id).first()
    if programme is None:
        return {}
    with acting_as(TASK_ACTOR):
        return assign.sync_programme(programme)


@periodic("daily")
@idempotent
@task()
def assign_all_programmes() -> dict:
    with acting_as(TASK_ACTOR):
        return assign.sync_all()
