"""Notifications: a new incident reaches the people who must act on it; deadlines never slip
silently (a reminder before each report's due date, escalation to the CISO once it is
overdue, and escalation of incidents past their recovery target).

E-mails are in Japanese followed by English, like every e-mail Mamori sends.
"""

import datetime

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from mamori.core.context import Actor, acting_as
from mamori.core.mail import message
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent
from mamori.incidents.models import Incident, IncidentEntry, IncidentSettings, RegulatoryReport
from mamori.incidents.workflow import add_entry
from mamori.org.contacts import cisos, department_managers

TASK_ACTOR = Actor(None, "task:incidents", "task")


def handlers(incident, with_managers=True) -> list[str]:
    people = list(cisos())
    if with_managers:
        people += list(department_managers(incident.department))
    if incident.assignee_id:
        people.append(incident.assignee)
    addresses = {p.email for p in people if p.email}
    return sorted(addresses)


@idempotent  # skips an incident whose timeline already records the notification
@task()
def notify_new_incident(incident_id: int) -> int:
    """E-mail a new report to the CISO, the incident team and the department's information
    manager, and record who was told in the timeline. Run again after its worker died, it
    sends nothing once the timeline records the notification; a worker that died between
    the e-mail and the timeline entry means the report is e-mailed twice, never not at all."""
    incident = Incident.objects.select_related("department", "reported_by").filter(
        pk=incident_id).first()
    if incident is None:
        return 0
    if incident.entries.filter(kind=IncidentEntry.Kind.NOTIFICATION).exists():
        return 0
    # Only the CISO (and the incident team's shared address) decides whether a breach must be
    # reported; managers and the assignee are told that the CISO is assessing it (issue 16 #11).
    assessors = {p.email for p in cisos() if p.email}
    team = IncidentSettings.current().team_email
    if team:
        assessors.add(team)
    recipients = sorted({*handlers(incident), *assessors})
    if not recipients:
        return 0
    subject = gettext_noop("New incident reported")
    audiences = ((sorted(assessors), True),
                 ([a for a in recipients if a not in assessors], False))
    send_mass_mail([message("incidents/new_incident_email.txt", subject,
                            {"incident": incident, "assesses": assesses}, addresses)
                    for addresses, assesses in audiences if addresses], fail_silently=False)
    with acting_as(TASK_ACTOR), transaction.atomic():
        add_entry(incident, None, IncidentEntry.Kind.NOTIFICATION,
                  _("Reported to: %(recipients)s") % {"recipients": ", ".join(recipients)})
    return len(recipients)


@periodic("hourly")
@idempotent  # each reminder is marked sent in the transaction that decides it: never twice
@task()
def watch_deadlines() -> dict:
    """Remind before report due dates, escalate overdue reports and incidents past their
    recovery target to the CISO. Each reminder and escalation is sent once and recorded."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=IncidentSettings.current().reminder_days)
    outgoing = []
    counts = {"reminded": 0, "escalated_reports": 0, "escalated_incidents": 0}
    with acting_as(TASK_ACTOR), transaction.atomic():
        due_soon = RegulatoryReport.objects.outstanding().filter(
            due_on__gte=today, due_on__lte=soon, reminded_on__isnull=True
        ).select_related("incident__department", "incident__assignee")
        for report in due_soon:
            outgoing.append(message("incidents/report_due_email.txt",
                                    gettext_noop("Regulatory report due"),
                                    {"report": report}, handlers(report.incident)))
            RegulatoryReport.objects.filter(pk=report.pk).update(reminded_on=today)
            counts["reminded"] += 1
        overdue = RegulatoryReport.objects.outstanding().filter(
            due_on__lt=today, escalated_on__isnull=True
        ).select_related("incident__department", "incident__assignee")
        for report in overdue:
            outgoing.append(message("incidents/report_overdue_email.txt",
                                    gettext_noop("Regulatory report overdue"), {"report": report},
                                    handlers(report.incident)))
            RegulatoryReport.objects.filter(pk=report.pk).update(escalated_on=today)
            add_entry(report.incident, None, IncidentEntry.Kind.ESCALATION,
                      _("Overdue: %(report)s was due %(due)s; escalated to the CISO.") % {
                          "report": report, "due": report.due_on})
            counts["escalated_reports"] += 1
        late = Incident.objects.past_recovery_target().filter(
            escalated_at__isnull=True).select_related("department", "assignee")
        for incident in late:
            outgoing.append(message("incidents/recovery_overdue_email.txt",
                                    gettext_noop("Incident past its recovery target"),
                                    {"incident": incident}, handlers(incident)))
            Incident.objects.filter(pk=incident.pk).update(escalated_at=timezone.now())
            add_entry(incident, None, IncidentEntry.Kind.ESCALATION, _(
                "Past its recovery target (%(due)s); escalated to the CISO.") % {
                "due": timezone.localtime(incident.recover_due_at).strftime("%Y-%m-%d %H:%M")})
            counts["escalated_incidents"] += 1
    send_mass_mail([m for m in outgoing if m[3]], fail_silently=False)
    return counts
