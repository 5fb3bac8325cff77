"""The steps of a nonconformity: open → planned → closed, and back to open when a check finds
the actions not effective.

Each step checks who may take it and whether the record is ready, then changes it in one
transaction (one change-log entry per record changed). A step the user may not take raises
PermissionDenied; one the record is not ready for raises ValidationError with a message that
says what is missing. The CISO (and administrators) approve plans, verify and close; the
lead auditor of the audit a nonconformity was found in takes them too.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.scope import CHANGE
from mamori.improvement import sources
from mamori.improvement.models import EffectivenessCheck, Nonconformity

Status = Nonconformity.Status


def decides(user, nc: Nonconformity) -> bool:
    """Who approves plans, verifies and closes: the CISO and administrators, on a
    nonconformity they may change (not a closed one); and the lead auditor of the audit it
    was found in (improvement.sources.verifier_of), even once that audit is closed."""
    roles = r.roles_for(user)
    if roles.has(r.ADMIN, r.CISO):
        return Nonconformity.objects.restrict(user, CHANGE).filter(pk=nc.pk).exists()
    return (roles.person_id is not None and nc.status != Status.CLOSED
            and sources.verifier_of(nc) == roles.person_id)


def _locked(nc: Nonconformity, *states: str) -> Nonconformity:
    """The stored row, locked for the step (another request may have moved it meanwhile)."""
    stored = Nonconformity.objects.select_for_update().get(pk=nc.pk)
    if stored.status not in states:
        raise ValidationError(_("This step is not possible for a nonconformity that is "
                                "%(status)s.") % {"status": stored.get_status_display()})
    return stored


def missing_for_plan(nc: Nonconformity) -> list[str]:
    """What must be recorded before the plan can be approved."""
    missing = []
    if not nc.root_cause:
        missing.append(_("the root cause"))
    if not nc.corrective_actions.exists():
        missing.append(_("at least one corrective action"))
    return missing


def approve_plan(user, nc: Nonconformity) -> Nonconformity:
    if not decides(user, nc):
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        nc = _locked(nc, Status.OPEN)
        missing = missing_for_plan(nc)
        if missing:
            raise ValidationError(_("Before the plan is approved, record %(missing)s.")
                                  % {"missing": _(" and ").join(missing)})
        nc.status = Status.PLANNED
        nc.plan_approved_on = timezone.localdate()
        nc.plan_approved_by_id = r.roles_for(user).person_id
        nc.save()
    return nc


def record_check(user, nc: Nonconformity, *, effective: bool, notes: str,
                 checked_on=None) -> EffectivenessCheck:
    """The verifier's finding on whether the actions worked. Not effective: the
    nonconformity is open again and a new plan is due from the day of the check."""
    if not decides(user, nc):
        raise PermissionDenied
    verifier_id = r.roles_for(user).person_id
    if verifier_id is None:
        raise ValidationError(_("Only a person in the people register can verify "
                                "effectiveness."))
    checked_on = checked_on or timezone.localdate()
    if checked_on > timezone.localdate():
        raise ValidationError(_("A check cannot be recorded for a day still to come."))
    if not notes.strip():
        raise ValidationError(_("Say what was checked."))
    with transaction.atomic(), one_user_action():
        nc = _locked(nc, Status.PLANNED)
        done = list(nc.corrective_actions.values_list("done_on", flat=True))
        if not done or None in done:
            raise ValidationError(_("Every corrective action must be done before its "
                                    "effectiveness is checked."))
        last_done = max(done)
        if checked_on < last_done:
            raise ValidationError(_("The check cannot be before the last action was done "
                                    "(%(date)s).") % {"date": last_done.isoformat()})
        check = EffectivenessCheck.objects.create(
            nonconformity=nc, checked_on=checked_on, verifier_id=verifier_id,
            effective=effective, notes=notes.strip())
        if not effective:
            nc.status = Status.OPEN
            nc.reopened_on = checked_on
            nc.plan_approved_on = None
            nc.plan_approved_by = None
            nc.save()  # derives the new plan deadline
    return check


def close(user, nc: Nonconformity) -> Nonconformity:
    if not decides(user, nc):
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        nc = _locked(nc, Status.PLANNED)
        last = nc.effectiveness_checks.order_by("-checked_on", "-pk").first()
        if last is None or not last.effective:
            raise ValidationError(_("A nonconformity is closed only after a check found its "
                                    "corrective actions effective."))
        nc.status = Status.CLOSED
        nc.closed_on = timezone.localdate()
        nc.closed_by_id = r.roles_for(user).person_id
        nc.save()
    return nc


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    states: tuple
    style: str = "primary"

    def done_message(self) -> str:
        return str(_("Done: %(step)s.") % {"step": self.label})


STEPS = {
    "approve": Step("approve", gettext_lazy("Approve the corrective-action plan"),
                    (Status.OPEN,)),
    "check": Step("check", gettext_lazy("Record an effectiveness check"), (Status.PLANNED,)),
    "close": Step("close", gettext_lazy("Close"), (Status.PLANNED,), "success"),
}


def waiting_for(nc: Nonconformity) -> dict[str, str]:
    """For each step of the record's state that is not ready yet, what it waits for (the page
    says so instead of offering a button that would only be refused)."""
    if nc.status == Status.OPEN:
        missing = missing_for_plan(nc)
        return {"approve": _("Before the plan is approved, record %(missing)s.")
                % {"missing": _(" and ").join(missing)}} if missing else {}
    if nc.status != Status.PLANNED:
        return {}
    if nc.corrective_actions.filter(done_on__isnull=True).exists():
        waiting = _("Every corrective action must be done before its effectiveness is "
                    "checked.")
        return {"check": waiting, "close": waiting}
    last = nc.effectiveness_checks.order_by("-checked_on", "-pk").first()
    if last is None or not last.effective:
        return {"close": _("A nonconformity is closed only after a check found its "
                           "corrective actions effective.")}
    return {}


def available_steps(user, nc: Nonconformity) -> list[Step]:
    """The steps the user may take now (none for those who do not decide)."""
    if nc.status == Status.CLOSED or not decides(user, nc):
        return []
    waiting = waiting_for(nc)
    return [step for step in STEPS.values()
            if nc.status in step.states and step.name not in waiting]
