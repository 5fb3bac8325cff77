"""The one step of an impact analysis: its approval by the process's information manager
(or the CISO), which dates its yearly review."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.continuity.models import BusinessProcess, ContinuitySettings, ImpactAnalysis
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.dates import add_months
from mamori.core.scope import CHANGE, VIEW


def approves(user, analysis: ImpactAnalysis) -> bool:
    """Whoever keeps the process: its department's information manager, or the CISO."""
    return (analysis.status == ImpactAnalysis.Status.DRAFT
            and r.roles_for(user).person_id is not None
            and BusinessProcess.objects.restrict(user, CHANGE).filter(
                pk=analysis.process_id).exists()
            and ImpactAnalysis.objects.restrict(user, VIEW).filter(pk=analysis.pk).exists())


def approve(user, analysis: ImpactAnalysis) -> ImpactAnalysis:
    if not approves(user, analysis):
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        analysis = ImpactAnalysis.objects.select_for_update().get(pk=analysis.pk)
        if analysis.status != ImpactAnalysis.Status.DRAFT:
            raise ValidationError(_("This impact analysis has already been approved."))
        analysis.full_clean()  # the scores still fit the settings' scale and horizons
        today = timezone.localdate()
        analysis.status = ImpactAnalysis.Status.APPROVED
        analysis.approved_by_id = r.roles_for(user).person_id
        analysis.approved_on = today
        analysis.review_due_on = add_months(today, ContinuitySettings.current().bia_review_months)
        analysis.save()
    return analysis
