"""Nothing of an audit waits silently: each new evidence request is e-mailed to the one asked,
each overdue one escalated to the audit's lead auditor, and each certificate about to expire
announced to the CISO — once each, in Japanese then English."""

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from mamori.audits.models import EvidenceRequest
from mamori.core.context import Actor, acting_as
from mamori.core.mail import message
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent
from mamori.org.contacts import cisos

TASK_ACTOR = Actor(None, "task:audits", "task")


@periodic("hourly")
@idempotent  # each request is marked asked and escalated in the transaction that decides it
@task()
def send_requests_and_escalate() -> dict:
    """E-mail each new request to the one asked, and escalate each overdue one to its lead
    auditor, once each."""
    today = timezone.localdate()
    outgoing, counts = [], {"asked": 0, "escalated": 0}
    with acting_as(TASK_ACTOR), transaction.atomic():
        new = EvidenceRequest.objects.outstanding().filter(
            notified_on__isnull=True).select_related("audit", "asked_of")
        for asked in new.select_for_update(of=("self",)):
            if asked.asked_of.email:
                outgoing.append(message("audits/request_email.txt",
                                        gettext_noop("Evidence requested for an audit"),
                                        {"request": asked}, [asked.asked_of.email]))
            EvidenceRequest.objects.filter(pk=asked.pk).update(notified_on=today)
            counts["asked"] += 1
        late = EvidenceRequest.objects.overdue(today).filter(
            escalated_on__isnull=True).select_related("audit__lead_auditor", "asked_of")
        for asked in late.select_for_update(of=("self",)):
            lead = asked.audit.lead_auditor
            if lead is not None and lead.email:
                outgoing.append(message("audits/request_overdue_email.txt",
                                        gettext_noop("Evidence request overdue"),
                                        {"request": asked}, [lead.email]))
            EvidenceRequest.objects.filter(pk=asked.pk).update(escalated_on=today)
            counts["escalated"] += 1
    send_mass_mail(outgoing, fail_silently=False)
    return counts


@periodic("daily")
@idempotent  # each certificate is marked warned in the transaction that decides it
@task()
def warn_expiring_certificates() -> int:
    """E-mail the CISO once about each certificate or attestation that expires within
    AuditCertificate.WARN_DAYS days (or has expired) and is not superseded."""
    from mamori.audits.models import AuditCertificate

    addresses = sorted({p.email for p in cisos() if p.email})
    outgoing = []
    with acting_as(TASK_ACTOR), transaction.atomic():
        due = AuditCertificate.objects.expiring(AuditCertificate.WARN_DAYS).filter(
            warned_on__isnull=True).select_related("audit")
        warned = 0
        for certificate in due.select_for_update(of=("self",)):
            if addresses:
                outgoing.append(message("audits/certificate_email.txt",
                                        gettext_noop("Certificate about to expire"),
                                        {"certificate": certificate}, addresses))
            AuditCertificate.objects.filter(pk=certificate.pk).update(
                warned_on=timezone.localdate())
            warned += 1
    send_mass_mail(outgoing, fail_silently=False)
    return warned
