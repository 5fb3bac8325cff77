"""Nothing of a contractor lapses silently: a contract that ends without renewing itself, and
a certificate the company relies on, are announced to the contractor's information managers
and the CISO when they come within the settings' warning period — once for each end date, in
Japanese then English."""

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_noop
from django_tasks import task

from mamori.contractors.models import (
    Certificate,
    Contract,
    ContractorSettings,
    certificates_expiring,
    contracts_ending,
)
from mamori.core.context import Actor, acting_as
from mamori.core.mail import message
from mamori.core.schedule import periodic
from mamori.core.taskhealth import idempotent
from mamori.org.contacts import cisos, department_managers

TASK_ACTOR = Actor(None, "task:contractors", "task")


def _not_warned_for(date_field: str) -> Q:
    return Q(warned_for__isnull=True) | ~Q(warned_for=F(date_field))


@periodic("daily")
@idempotent  # each record is marked warned for its date in the transaction that decides it
@task()
def warn_contractor_expiries() -> dict:
    days = ContractorSettings.current().expiry_warning_days
    ciso_addresses = {p.email for p in cisos() if p.email}
    managers: dict[int, set[str]] = {}

    def recipients(contractor) -> list[str]:
        if contractor.department_id not in managers:
            managers[contractor.department_id] = {
                p.email for p in department_managers(contractor.department) if p.email}
        return sorted(ciso_addresses | managers[contractor.department_id])

    outgoing, counts = [], {"contracts": 0, "certificates": 0}
    with acting_as(TASK_ACTOR), transaction.atomic():
        for model, due, date_field, template, subject, key in (
                (Contract, contracts_ending(days), "ends_on", "contractors/contract_email.txt",
                 gettext_noop("Contract with a contractor about to end"), "contracts"),
                (Certificate, certificates_expiring(days), "expires_on",
                 "contractors/certificate_email.txt",
                 gettext_noop("Contractor's certificate about to expire"), "certificates")):
            rows = due.filter(_not_warned_for(date_field)).select_related(
                "contractor__department")
            for row in rows.select_for_update(of=("self",)):
                addresses = recipients(row.contractor)
                if addresses:
                    outgoing.append(message(template, subject, {"record": row}, addresses))
                model.objects.filter(pk=row.pk).update(warned_for=F(date_field))
                counts[key] += 1
    send_mass_mail(outgoing, fail_silently=False)
    return counts
