"""Conformance checks for policy Art 12 (continuous review and improvement): the management
review is held within its interval on a frozen pack, its decisions are carried out, the
measures are measured, and the objectives are achieved or re-planned. (The check that the
basic policy itself is reviewed stays with the policies app.)"""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import Result, every_row_passes, register
from mamori.core.dates import add_months
from mamori.improvement.models import ImprovementAction
from mamori.review.models import (
    Frequency,
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewSettings,
)
from mamori.review.models.measures import due_since


@register(
    "review.art12.review_held",
    article="12",
    title=_("A management review was held within its interval on a frozen input pack"),
    description=_("The latest management review whose minutes are recorded, on inputs frozen "
                  "into its pack, took place within the interval the review settings give "
                  "(12 months unless changed)."),
)
def review_held() -> Result:
    interval = ReviewSettings.current().interval_months
    today = timezone.localdate()
    since = add_months(today, -interval)
    held = (ManagementReview.objects.filter(status=ManagementReview.Status.HELD,
                                            held_on__lte=today, pack__isnull=False)
            .order_by("-held_on").values_list("held_on", flat=True).first())
    # Both as dates, in no language: the last review held, and the earliest day it may be.
    threshold = since.isoformat()
    value = held.isoformat() if held else None
    if held is not None and held >= since:
        return Result.from_failing(ManagementReview.objects.none(), value=value,
                                   threshold=threshold)
    # The failing objects: the reviews still to be held, for the reader to open.
    return Result.from_failing(
        ManagementReview.objects.exclude(status=ManagementReview.Status.HELD), value=value,
        threshold=threshold, passed=False,
        detail=_("No management review was held within the interval."))


@register(
    "review.art12.decisions_actioned",
    article="12",
    title=_("Every management review decision has an action, and none is overdue"),
    description=_("Each decision of a management review raised an improvement action, and "
                  "that action is done, or declined with a reason, by its due date."),
)
def decisions_actioned() -> Result:
    overdue = ImprovementAction.objects.filter(ImprovementAction.objects.overdue_q(),
                                               pk=OuterRef("action_id"))
    failing = Q(action__isnull=True) | Q(Exists(overdue))
    return every_row_passes(ReviewDecision.objects.all(), failing,
                            _("No management review decision has been recorded."))


def unmeasured_q(on=None) -> Q:
    """Active measures without a measurement of the current period or the one before it,
    read against each measure's own frequency."""
    parts = []
    for frequency in Frequency.values:
        recent = Measurement.objects.filter(measure=OuterRef("pk"),
                                            period__gte=due_since(frequency, on))
        parts.append(Q(frequency=frequency) & ~Q(Exists(recent)))
    return reduce(or_, parts)


@register(
    "review.art12.measures_current",
    article="12",
    title=_("Every measure was measured within its frequency"),
    description=_("Each active measure has a value for its current period or the one before "
                  "it (last month's value for a monthly measure, last quarter's for a "
                  "quarterly one)."),
)
def measures_current() -> Result:
    return every_row_passes(Measure.objects.filter(active=True), unmeasured_q(),
                            _("No measure is active."))


@register(
    "review.art12.objectives_on_track",
    article="12",
    title=_("Every objective past its target date is achieved or re-planned"),
    description=_("A security objective whose target date has passed is achieved, withdrawn, "
                  "or re-planned with a new target date and a reason."),
)
def objectives_on_track() -> Result:
    return every_row_passes(Objective.objects.all(), Objective.objects.late_q(),
                            _("No security objective has been set."))
