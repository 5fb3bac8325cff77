"""What the people who keep risks and controls (information managers, the CISO) should attend
to in their scope — shown on "My page" and sent as a weekly e-mail (risks.tasks); each list is
one bounded query."""

import datetime

from django.db.models import Exists
from django.utils import timezone

from mamori.controls.models import Control, current_evidence_of_outer_control
from mamori.core.scope import CHANGE, VIEW, can
from mamori.risks.conformance import risks_above_appetite_untreated
from mamori.risks.models import Risk, RiskAcceptance

SOON_DAYS = 30
SHOWN = 10


def my_page_panel(request, person):
    return attention_items(request.user)


def attention_items(user) -> dict | None:
    """What a keeper of risks and controls should attend to, or None for other users."""
    if not (can(user, Risk, CHANGE) or can(user, Control, CHANGE)):
        return None
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    controls = Control.objects.restrict(user, CHANGE).implemented()
    lasting = current_evidence_of_outer_control(on=soon)
    risks = Risk.objects.restrict(user, CHANGE)
    return {
        "soon_days": SOON_DAYS,
        "controls_needing_evidence": controls.filter(~Exists(lasting)).order_by("code")[:SHOWN],
        "risks_untreated": risks_above_appetite_untreated().filter(
            pk__in=risks.values("pk")).order_by("-current_score", "code")[:SHOWN],
        "risks_to_review": risks.exclude(status=Risk.Status.CLOSED).filter(
            next_review_on__lte=soon).order_by("next_review_on", "code")[:SHOWN],
        "acceptances_expiring": RiskAcceptance.objects.restrict(user, VIEW).in_force().filter(
            expires_on__lte=soon).select_related("risk").order_by("expires_on")[:SHOWN],
    }
