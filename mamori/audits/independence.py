"""Nobody audits their own department (ISO/IEC 27001 9.2: auditors are chosen so the audit is
objective and impartial). Applies to internal audits, whose team is the company's people."""

from django.utils.translation import gettext as _

from mamori.core import roles as r
from mamori.org.models import subtree_ids


def conflicts(kind: str, lead, team, departments) -> list:
    """The people of the team (the lead included) who belong to an audited department or to
    one below it."""
    from mamori.audits.models import Audit

    if kind != Audit.Kind.INTERNAL or not departments:
        return []
    audited = subtree_ids([d.pk for d in departments])
    people = [p for p in (lead, *team) if p is not None]
    return [p for p in dict.fromkeys(people) if p.department_id in audited]


def refusal(people) -> str:
    return _("An auditor cannot audit their own department: %(people)s. The CISO may let it "
             "stand by saying why.") % {"people": ", ".join(str(p) for p in people)}


def may_accept(user) -> bool:
    """Only the CISO lets a lack of independence stand."""
    return r.roles_for(user).has(r.CISO)


def settle(user, audit, kind, lead, team, departments, justification: str) -> str | None:
    """Decide the independence of `audit` as it is to be saved by `user` (of `kind`, with
    that lead, team and departments): None when it may be saved (the CISO's acceptance
    recorded on `audit` when it was needed), else the refusal to show."""
    found = conflicts(kind, lead, team, departments)
    if not found:
        audit.independence_accepted_by_id = None
        return None
    if may_accept(user) and justification.strip():
        audit.independence_accepted_by_id = r.roles_for(user).person_id
        return None
    if already_accepted(audit, found):
        return None  # the CISO let these people stand; the team may go on editing the audit
    return refusal(found)


def already_accepted(audit, found) -> bool:
    """Whether the stored audit's accepted lack of independence covers everyone in `found`."""
    from mamori.audits.models import Audit

    if audit.pk is None:
        return False
    stored = Audit.objects.filter(pk=audit.pk).first()
    if stored is None or stored.independence_accepted_by_id is None:
        return False
    accepted = conflicts(stored.kind, stored.lead_auditor, stored.team.all(),
                         stored.departments.all())
    return {p.pk for p in found} <= {p.pk for p in accepted}
