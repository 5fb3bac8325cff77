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


@periodic("daily")
@task()
def refresh_statistics() -> None:
    """Refresh the query planner's statistics of every table (core.dbstats)."""
    from mamori.core import dbstats

    dbstats.refresh()


def ciso_addresses() -> list[str]:
    from mamori.org.models import Appointment, Person

    people = Person.objects.filter(
        pk__in=Appointment.objects.current().filter(role=Appointment.Role.CISO)
        .values("person_id")).exclude(status=Person.Status.LEFT)
    return sorted({p.email for p in people if p.email})


@periodic("daily")
@task()
def mail_log_head() -> int:
    """E-mail the change log's signed head to the CISO: a copy of the anchor kept outside the
    server, in a mailbox the server's administrators cannot rewrite. Compare a mailed head with
    `mamori verifylog --anchor` (save the JSON line into a file). Returns the number of
    recipients."""
    import json

    from django.core.mail import send_mail
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from mamori.core.changelog import current_signed_head

    recipients = ciso_addresses()
    if not recipients:
        return 0
    head = current_signed_head()
    line = json.dumps(head, separators=(",", ":"))
    parts = []
    for language in ("ja", "en"):
        with override(language):
            parts.append(_(
                "The change log's head today is entry %(seq)s with hash %(hash)s (signed at "
                "%(at)s). Keep this e-mail: if the log is later rolled back or cut short, "
                "`mamori verifylog --anchor FILE` with the line below saved in FILE reports "
                "it.") % head)
    with override("ja"):
        subject = _("Mamori change-log head: entry %(seq)s") % head
    send_mail(subject, "\n\n".join(parts) + "\n\n" + line + "\n", None, recipients)
    return len(recipients)
