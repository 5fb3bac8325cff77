"""What an information manager (or the CISO) should attend to for the contractors they keep:
contracts ending without renewing themselves, certificates relied on that are about to expire
or have expired, and subcontracting waiting for the CISO's consent — on "My page". Each
list is one bounded query."""

from django.utils import timezone

from mamori.contractors.models import (
    ContractorSettings,
    Subcontracting,
    certificates_expiring,
    contracts_ending,
)
from mamori.contractors.workflow import decides_for_the_company
from mamori.core.scope import CHANGE

SHOWN = 10


def my_page_panel(request, person):
    user = request.user
    days = ContractorSettings.current().expiry_warning_days
    ending = list(contracts_ending(days).restrict(user, CHANGE).select_related(
        "contractor").order_by("ends_on", "pk")[:SHOWN])
    expiring = list(certificates_expiring(days).restrict(user, CHANGE).select_related(
        "contractor").order_by("expires_on", "pk")[:SHOWN])
    consent = list(Subcontracting.objects.restrict(user).filter(
        status=Subcontracting.Status.REQUESTED).select_related(
        "contractor", "subcontractor").order_by("requested_on", "pk")[:SHOWN]
    ) if decides_for_the_company(user) else []
    if not (ending or expiring or consent):
        return None
    return {"ending": ending, "expiring": expiring, "consent": consent,
            "today": timezone.localdate()}
