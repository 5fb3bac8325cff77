"""Conformance checks for policy Art 11 (the breach-report check of the incidents app stays
beside them). (a) every obligation that applies has an owning department, a mapped control
and an evaluation within its interval; (b) an obligation whose latest evaluation found it not
compliant has an open nonconformity raised from that evaluation or a current exception
accepted by the CISO; (c) no amendment in force without its impact assessments done. One
aggregate query each (and one for the intervals in use)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    Obligation,
    Result,
)
from mamori.core.conformance import every_row_passes, register
from mamori.core.dates import add_months

NONE_APPLICABLE = _("No obligation has been decided to apply.")


def latest_evaluation():
    return Evaluation.objects.filter(obligation=OuterRef("pk")).order_by(
        "-evaluated_on", "-pk")


def overdue_q(today) -> Q:
    """Obligations whose last evaluation (annotated `last_evaluated_on`) is older than their
    own interval allows: an OR over the intervals in use (a handful), since month arithmetic
    in SQL is not portable."""
    intervals = (Obligation.objects.applicable().order_by().values_list(
        "interval_months", flat=True).distinct())
    q = Q(last_evaluated_on__isnull=True)
    for months in intervals:
        q |= Q(interval_months=months, last_evaluated_on__lt=add_months(today, -months))
    return q


@register(
    "compliance.art11.obligations_kept",
    article="11",
    title=_("Every obligation that applies has an owner, a control and a current evaluation"),
    description=_("An owning department, at least one mapped control, and an evaluation "
                  "within the obligation's interval (12 months unless changed)."),
)
def obligations_kept():
    today = timezone.localdate()
    mapped = Obligation.controls.through.objects.filter(obligation=OuterRef("pk"))
    obligations = Obligation.objects.applicable().annotate(
        mapped=Exists(mapped),
        last_evaluated_on=Subquery(latest_evaluation().values("evaluated_on")[:1]))
    failing = Q(department__isnull=True) | Q(mapped=False) | overdue_q(today)
    return every_row_passes(obligations, failing, NONE_APPLICABLE)


@register(
    "compliance.art11.non_compliance_handled",
    article="11",
    title=_("Every non-compliance has an open action or an accepted exception"),
    description=_("An obligation whose latest evaluation found it not compliant has an open "
                  "nonconformity raised from that evaluation, or an exception the CISO "
                  "accepted that has not expired."),
)
def non_compliance_handled():
    from mamori.improvement.models import Nonconformity

    today = timezone.localdate()
    open_action = Nonconformity.objects.filter(
        source_type=ContentType.objects.get_for_model(Evaluation),
        source_id=OuterRef("latest_id"),
        status__in=[Nonconformity.Status.OPEN, Nonconformity.Status.PLANNED])
    accepted = ComplianceException.objects.filter(
        obligation=OuterRef("pk"), accepted_on__lte=today, expires_on__gt=today)
    obligations = (Obligation.objects.applicable()
                   .annotate(latest_result=Subquery(latest_evaluation().values("result")[:1]),
                             latest_id=Subquery(latest_evaluation().values("pk")[:1]))
                   .filter(latest_result=Result.NOT_COMPLIANT)
                   .annotate(acted=Exists(open_action), excepted=Exists(accepted)))
    return every_row_passes(obligations, Q(acted=False, excepted=False),
                            _("No obligation is evaluated as not compliant."))


@register(
    "compliance.art11.amendments_assessed",
    article="11",
    title=_("No amendment in force without its impact assessments done"),
    description=_("Each obligation an amendment affects is assessed by its owner before the "
                  "day the amendment takes effect; the failing objects are the assessments "
                  "still open after that day."),
)
def amendments_assessed():
    due = ImpactAssessment.objects.filter(due_on__lt=timezone.localdate()).select_related(
        "amendment__source", "obligation")
    return every_row_passes(due, Q(status=ImpactAssessment.Status.OPEN),
                            _("No amendment has taken effect since it was entered."))
