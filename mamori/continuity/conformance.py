"""Conformance checks for policy Art 10. Every critical process (its maximum tolerable period
of disruption within the settings' threshold, or not yet analysed): (a) has a current,
approved impact analysis; (b) is covered by an approved plan within its review date; (c) was
exercised within the settings' interval and met its recovery time objective; (d) has no
dependency gap that is neither fixed nor accepted by the CISO. (a)-(c) are one aggregate
query each; (d) walks the dependency graph (mamori.continuity.gaps), which may run in
circles no portable query follows."""

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.continuity import gaps
from mamori.continuity.models import (
    BusinessProcess,
    ContinuityPlan,
    ContinuitySettings,
    ExerciseResult,
)
from mamori.continuity.models.exercises import approved_plan_q
from mamori.core.conformance import every_row_passes, register
from mamori.core.dates import add_months

NONE_CRITICAL = _("No active process is critical.")


def critical():
    return BusinessProcess.objects.critical().with_current_bia()


@register(
    "continuity.art10.current_bia",
    article="10",
    title=_("Every critical process has a current, approved impact analysis"),
    description=_("An approved business impact analysis whose yearly review is not past. "
                  "A process never analysed counts as critical until one shows otherwise."),
)
def current_bia():
    return every_row_passes(critical(), Q(bia_id__isnull=True), NONE_CRITICAL)


@register(
    "continuity.art10.plan",
    article="10",
    title=_("Every critical process is covered by an approved plan within its review date"),
    description=_("A business continuity or disaster recovery plan naming the process, whose "
                  "document has a published version and is not past its review date."),
)
def covered_by_plan():
    plans = ContinuityPlan.objects.filter(approved_plan_q(timezone.localdate()),
                                          processes=OuterRef("pk"))
    return every_row_passes(critical().annotate(planned=Exists(plans)), Q(planned=False),
                            NONE_CRITICAL)


@register(
    "continuity.art10.exercised",
    article="10",
    title=_("Every critical process was exercised within the interval and met its RTO"),
    description=_("Its latest result in an exercise held within the settings' interval "
                  "(12 months unless changed) recovered it within its current recovery time "
                  "objective."),
)
def exercised():
    today = timezone.localdate()
    since = add_months(today, -ContinuitySettings.current().exercise_months)
    latest = ExerciseResult.objects.filter(
        process=OuterRef("pk"), exercise__held_on__gte=since,
        exercise__held_on__lte=today).order_by("-exercise__held_on", "-pk")
    processes = critical().annotate(
        exercised=Exists(latest), recovered_in=Subquery(
            latest.values("recovered_in_hours")[:1]))
    failing = (Q(exercised=False) | Q(rto_hours__isnull=True) | Q(recovered_in__isnull=True)
               | Q(recovered_in__gt=F("rto_hours")))
    return every_row_passes(processes, failing, NONE_CRITICAL)


@register(
    "continuity.art10.gaps",
    article="10",
    title=_("No critical process has a dependency gap that is neither fixed nor accepted"),
    description=_("A dependency that recovers slower than the process's RTO, loses more "
                  "data than its RPO, has not shown its recovery time, or has no "
                  "alternative, unless the CISO has accepted the gap until a date not "
                  "past."),
)
def dependency_gaps():
    processes = critical()
    failing = gaps.with_open_gaps(processes.values_list("pk", flat=True))
    return every_row_passes(processes, Q(pk__in=failing), NONE_CRITICAL)
