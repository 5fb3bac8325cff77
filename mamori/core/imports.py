"""Large imports run by a worker, with their progress shown to the uploader.

A file of more than settings.MAMORI_IMPORT_BACKGROUND_ROWS rows is not checked in the web
request (an import runs at 1,000–2,500 rows a second: 100,000 rows, the most a file may
hold, would outlast the server's request timeout). It is stored as an ImportJob, enqueued in
the same transaction (core.taskhealth.enqueue_atomically), and `mamori worker` runs the same
all-or-nothing import (core.io) as the uploader, under the uploader's scope, logged as the
uploader.
"""

import io as stdlib_io

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tasks import task

from mamori.core import io
from mamori.core.context import acting_as, actor_for_user
from mamori.core.scope import ADD, can
from mamori.core.taskhealth import enqueue_atomically, idempotent

MAX_ERRORS_KEPT = 500


def background_rows() -> int:
    return int(getattr(settings, "MAMORI_IMPORT_BACKGROUND_ROWS", 2000))


def start(view_class, user, filename: str, content: bytes, total: int):
    """Store the file and enqueue its import, in one transaction. Its errors will be in the
    uploader's language of now."""
    from mamori.core.models import ImportJob

    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user, view=f"{view_class.__module__}.{view_class.__qualname__}",
            filename=filename[:255], content=content, total=total,
            language=translation.get_language() or "")
        enqueue_atomically(run_import, job.pk)
    return job


class _Upload(stdlib_io.BytesIO):
    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name


@idempotent  # done is recorded in the import's own transaction; a rerun of a done job stops
@task()
def run_import(job_id: int) -> dict:
    from mamori.core.models import ImportJob

    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return {}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, checked=0)
    view = import_string(job.view)
    user = job.user
    with acting_as(actor_for_user(user, "import")), translation.override(job.language or None):
        if not user.is_active or not can(user, view.model, ADD):
            errors = [str(io.RowError(0, "", str(_no_permission())))]
            result = None
        else:
            data = io.read_dataset(_Upload(bytes(job.content), job.filename))

            def progress(rows):
                ImportJob.objects.filter(pk=job.pk).update(checked=rows)

            def written(result):
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportJob.Status.DONE, checked=job.total, created=result.created,
                    updated=result.updated, finished_at=timezone.now(), content=b"")

            try:
                result = io.import_dataset(view.resource_class(), view.form_class, data, user,
                                           progress=progress, on_written=written)
            except Exception:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportJob.Status.FAILED, errors=[str(_failed())],
                    finished_at=timezone.now(), content=b"")
                raise  # the task fails too, with its traceback, for the Tasks page
            errors = [str(e) for e in result.errors[:MAX_ERRORS_KEPT]]
    if errors:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, errors=errors, finished_at=timezone.now(),
            content=b"")
    return {"created": result.created if result else 0,
            "updated": result.updated if result else 0, "errors": len(errors)}


def _no_permission():
    from django.utils.translation import gettext as _

    return _("You may no longer import these records.")


def _failed():
    from django.utils.translation import gettext as _

    return _("The import stopped on an unexpected error; nothing was saved. An administrator "
             "sees the details on the Tasks page.")
