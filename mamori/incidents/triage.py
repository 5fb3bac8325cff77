"""New incidents nobody has triaged yet: shown where the CISO and the departments'
information managers land (dashboard and My page), one bounded query whatever the count."""

from mamori.core import roles as r
from mamori.core.scope import CHANGE
from mamori.incidents.models import Incident

SHOWN = 10


def may_triage(user) -> bool:
    # Staff also change the incidents assigned to them, but triage is the CISO's and the
    # information managers' (and administrators') work: the roles, not CHANGE alone, decide.
    return r.roles_for(user).has(r.ADMIN, r.CISO, r.INFORMATION_MANAGER)


def awaiting_triage_panel(request, person):
    user = request.user
    if not may_triage(user):
        return None
    # Scope as on the incident's own page (its move buttons ask CHANGE): every row links there.
    return {"incidents": list(Incident.objects.restrict(user, CHANGE).filter(
        status=Incident.Status.REPORTED, triaged_at__isnull=True).order_by(
        "-noticed_at")[:SHOWN])}
