"""Records the continuity tests build on the conftest organisation (Sales with its
information manager, IT outside the manager's scope)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from mamori.continuity.models import BusinessProcess, ContinuitySettings, ImpactAnalysis


def make_process(department, code, **fields):
    return BusinessProcess.objects.create(code=code, name_ja=f"業務 {code}",
                                          name_en=f"Process {code}", department=department,
                                          **fields)


def impacts(intolerable_at: int | None = None) -> dict:
    """Scores for every category and horizon of the settings: 1 everywhere, and the
    intolerable score from the horizon `intolerable_at` (hours) on."""
    settings = ContinuitySettings.current()
    return {category: {str(h): (settings.intolerable_score
                                if intolerable_at is not None and h >= intolerable_at else 1)
                       for h in settings.horizon_hours()}
            for category in ("customers", "financial", "legal", "reputation")}


def approved_bia(process, rto="2", rpo="1", intolerable_at=4, approved_on=None):
    today = timezone.localdate()
    return ImpactAnalysis.objects.create(
        process=process, impacts=impacts(intolerable_at), rto_hours=Decimal(rto),
        rpo_hours=Decimal(rpo), status=ImpactAnalysis.Status.APPROVED,
        approved_on=approved_on or today,
        review_due_on=(approved_on or today) + datetime.timedelta(days=365))
