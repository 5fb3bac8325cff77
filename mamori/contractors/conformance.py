"""Conformance checks for policy Art 9: every active contractor entrusted with personal
information or card data (a) was screened equal or higher, or its gaps accepted and in force,
before its contract started, (b) was reviewed within its tier's interval, (c) has a contract
in force with every required clause, and (d) has no expired certificate the company relies
on. Each is one aggregate query over the contractors (core.conformance.every_row_passes).
A closed audit naming the contractor (audits app) counts as a review, as a re-screening
does."""

import datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audits.models import Audit
from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    Screening,
    complete_contract_q,
    in_force_q,
)
from mamori.core.conformance import every_row_passes, register
from mamori.core.dates import add_months

Verdict = Screening.Verdict
NONE_ENTRUSTED = _("No active contractor is entrusted with personal information or card data.")


def entrusted():
    """The contractors the checks are about."""
    return Contractor.objects.filter(status=Contractor.Status.ACTIVE).filter(
        Q(personal_data=True) | Q(card_data=True))


def acceptable_q(on) -> Q:
    """Assessed screenings whose verdict lets the company entrust the contractor on `on`."""
    return Q(status=Screening.Status.ASSESSED) & (
        Q(verdict=Verdict.EQUAL_OR_HIGHER)
        | Q(verdict=Verdict.GAPS_ACCEPTED) & (Q(verdict_until__isnull=True)
                                             | Q(verdict_until__gte=on)))


def _latest_assessed(field: str):
    return Subquery(Screening.objects.filter(
        contractor=OuterRef("pk"), status=Screening.Status.ASSESSED).order_by(
        "-assessed_on", "-pk").values(field)[:1])


@register(
    "contractors.art9.screened_before_contract",
    article="9",
    title=_("Every contractor entrusted with personal or card data was screened equal or "
            "higher before its contract"),
    description=_("Its latest assessed screening is equal or higher, or has its gaps accepted "
                  "and the acceptance in force; and a screening with such a verdict was "
                  "assessed on or before its first contract started."),
)
def screened_before_contract():
    today = timezone.localdate()
    first_start = Subquery(Contract.objects.filter(contractor=OuterRef("pk")).order_by(
        "starts_on", "pk").values("starts_on")[:1])
    first_acceptable = Subquery(Screening.objects.filter(
        contractor=OuterRef("pk"), status=Screening.Status.ASSESSED,
        verdict__in=(Verdict.EQUAL_OR_HIGHER, Verdict.GAPS_ACCEPTED)).order_by(
        "assessed_on", "pk").values("assessed_on")[:1])
    contractors = entrusted().annotate(
        latest_verdict=_latest_assessed("verdict"),
        latest_until=_latest_assessed("verdict_until"),
        first_start=first_start, first_acceptable=first_acceptable)
    latest_ok = Q(latest_verdict=Verdict.EQUAL_OR_HIGHER) | (
        Q(latest_verdict=Verdict.GAPS_ACCEPTED)
        & (Q(latest_until__isnull=True) | Q(latest_until__gte=today)))
    in_time = Q(first_start__isnull=True) | Q(first_acceptable__lte=F("first_start"))
    passing = latest_ok & in_time
    return every_row_passes(contractors, ~passing, NONE_ENTRUSTED)


@register(
    "contractors.art9.reviewed_in_interval",
    article="9",
    title=_("Every contractor entrusted with personal or card data was reviewed within its "
            "tier's interval"),
    description=_("Its latest screening was assessed, or an audit of it closed, within the "
                  "months the contractor settings give its tier (high 12, medium 24, low 36 "
                  "unless changed)."),
)
def reviewed_in_interval():
    today = timezone.localdate()
    months = ContractorSettings.current().review_months()
    last_audited = Subquery(Audit.objects.filter(
        contractors=OuterRef("pk"), status=Audit.Status.CLOSED).order_by(
        "-closed_on").values("closed_on")[:1])
    # Never reviewed reads as a day long past, not NULL: a NULL would make the negated
    # condition unknown, and the contractor would pass unseen.
    never = Value(datetime.date(1900, 1, 1))
    contractors = entrusted().annotate(
        last_assessed=Coalesce(_latest_assessed("assessed_on"), never),
        last_audited=Coalesce(last_audited, never))
    recent = Q(pk__in=[])
    for tier, interval in months.items():
        since = add_months(today, -interval)
        recent |= Q(tier=tier) & (Q(last_assessed__gte=since) | Q(last_audited__gte=since))
    return every_row_passes(contractors, ~recent, NONE_ENTRUSTED)


@register(
    "contractors.art9.contract_clauses",
    article="9",
    title=_("Every contractor entrusted with personal or card data has a contract in force "
            "with every required clause"),
    description=_("Confidentiality, purpose limitation, the security measures, prior consent "
                  "to subcontracting, the right to audit, incident notification within the "
                  "hours the settings give, return or deletion at the end, and, for processing "
                  "abroad, the conditions of the transfer."),
)
def contract_clauses():
    today = timezone.localdate()
    limit = ContractorSettings.current().notification_hours
    complete = Exists(Contract.objects.filter(
        in_force_q(today), complete_contract_q(limit), contractor=OuterRef("pk")))
    return every_row_passes(entrusted(), ~Q(complete), NONE_ENTRUSTED)


@register(
    "contractors.art9.certificates_current",
    article="9",
    title=_("No contractor entrusted with personal or card data relies on an expired "
            "certificate"),
    description=_("Every certificate or attestation marked as relied on (ISO/IEC 27001, "
                  "PrivacyMark, PCI DSS, SOC 2) is within its expiry date."),
)
def certificates_current():
    expired = Exists(Certificate.objects.filter(
        contractor=OuterRef("pk"), relied_on=True, expires_on__lt=timezone.localdate()))
    return every_row_passes(entrusted(), Q(expired), NONE_ENTRUSTED)
