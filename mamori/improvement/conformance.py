"""Conformance checks for policy Art 7 (what audits find is corrected, and the corrections are
shown to work) and Art 12 (continuous improvement: the actions decided are carried out)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import Result, every_row_passes, register
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    Nonconformity,
)

Status = Nonconformity.Status


@register(
    "improvement.art7.major_plan_on_time",
    article="7",
    title=_("Every major nonconformity has an approved corrective-action plan in time"),
    description=_("A major nonconformity's corrective-action plan is approved by the CISO "
                  "within the days the improvement settings give (30 unless changed) of its "
                  "being raised; the failing objects are the open ones whose plan is late."),
)
def major_plan_on_time() -> Result:
    majors = Nonconformity.objects.filter(severity=Nonconformity.Severity.MAJOR).exclude(
        status=Status.CLOSED)
    late = Q(status=Status.OPEN, plan_due_on__lt=timezone.localdate())
    return every_row_passes(majors, late, _("No major nonconformity is open."))


@register(
    "improvement.art7.corrective_actions_on_time",
    article="7",
    title=_("No corrective action is overdue"),
    description=_("Each corrective action is done by its due date."),
)
def corrective_actions_on_time() -> Result:
    return every_row_passes(CorrectiveAction.objects.all(), CorrectiveAction.objects.overdue_q(),
                            _("No corrective action has been planned."))


@register(
    "improvement.art7.closed_verified",
    article="7",
    title=_("Every closed nonconformity had its effectiveness verified"),
    description=_("A nonconformity is closed only after a check found its corrective actions "
                  "effective; the failing objects are closed ones without such a check "
                  "(closed outside Mamori's steps, or imported)."),
)
def closed_verified() -> Result:
    effective = EffectivenessCheck.objects.filter(nonconformity=OuterRef("pk"), effective=True)
    return every_row_passes(Nonconformity.objects.filter(status=Status.CLOSED),
                            ~Q(Exists(effective)), _("No nonconformity has been closed."))


@register(
    "improvement.art12.improvement_actions_on_time",
    article="12",
    title=_("No improvement action is overdue"),
    description=_("Each open improvement action is done, or declined with a reason, by its "
                  "due date."),
)
def improvement_actions_on_time() -> Result:
    return every_row_passes(ImprovementAction.objects.all(),
                            ImprovementAction.objects.overdue_q(),
                            _("No improvement action has been raised."))
