"""What auditors and audited departments should attend to: the open audits one leads or is
on the team of, the coming audits of one's departments, the evidence asked of one, and the
overdue requests of the audits one leads, the certificates about to expire — shown on "My
page" and the dashboard; each list is one bounded query."""

from django.db.models import Q
from django.utils import timezone

from mamori.audits.models import Audit, AuditCertificate, EvidenceRequest, on_team
from mamori.core import roles as r

SHOWN = 10


def my_page_panel(request, person):
    roles = r.roles_for(request.user)
    open_audits = Audit.objects.restrict(request.user).exclude(status=Audit.Status.CLOSED)
    mine = list(open_audits.filter(on_team(roles.person_id)).order_by(
        "planned_start", "pk")[:SHOWN]) if roles.person_id else []
    audited = list(open_audits.filter(
        Q(departments__in=roles.managed_department_ids)).exclude(
        pk__in=[a.pk for a in mine]).distinct().order_by("planned_start", "pk")[:SHOWN]
    ) if roles.managed_department_ids else []
    asked = list(EvidenceRequest.objects.outstanding().filter(
        asked_of=roles.person_id).select_related("audit").order_by("due_on", "pk")[:SHOWN]
    ) if roles.person_id else []
    late = list(EvidenceRequest.objects.overdue().filter(
        audit__lead_auditor=roles.person_id).select_related("audit", "asked_of").order_by(
        "due_on", "pk")[:SHOWN]) if roles.person_id else []
    expiring = list(AuditCertificate.objects.restrict(request.user).expiring(
        AuditCertificate.WARN_DAYS).select_related("audit").order_by("expires_on")[:SHOWN])
    if not (mine or audited or asked or late or expiring):
        return None
    return {"mine": mine, "audited": audited, "asked": asked, "late": late,
            "expiring": expiring, "today": timezone.localdate()}
