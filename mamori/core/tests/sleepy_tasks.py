"""Tasks for the tests of core.taskhealth: they wait, so a test can kill their worker."""

import time

from django_tasks import task

from mamori.core.taskhealth import idempotent


@task()
def wait_once(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


@idempotent
@task()
def wait_again(seconds: float) -> str:
    time.sleep(seconds)
    return "done"
