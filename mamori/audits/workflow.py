"""The steps of an audit: planned → fieldwork → reporting → closed.

The lead auditor, the CISO and administrators take them. Fieldwork starts with the checklist
generated from the scope; the report is written once every item has a result; the audit is
closed once every nonconformity it found is in the improvement register and the conclusion is
written. A closed audit is changed by nobody: what follows is a follow-up audit.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.audits import checklist
from mamori.audits.models import Audit, ChecklistItem
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.scope import CHANGE

Status = Audit.Status


def leads(user, audit: Audit) -> bool:
    """Who moves an audit on: its lead auditor, the CISO, administrators — on an audit they
    may change (not a closed one)."""
    roles = r.roles_for(user)
    if not Audit.objects.restrict(user, CHANGE).filter(pk=audit.pk).exists():
        return False
    return roles.has(r.ADMIN, r.CISO) or (
        roles.person_id is not None and audit.lead_auditor_id == roles.person_id)


def unraised_nonconformities(audit: Audit):
    """The items found nonconforming from which no nonconformity was raised."""
    from mamori.improvement.models import Nonconformity

    content_type = ContentType.objects.get_for_model(ChecklistItem)
    raised = Nonconformity.objects.filter(source_type=content_type).values("source_id")
    return audit.items.filter(result__in=ChecklistItem.NONCONFORMING).exclude(pk__in=raised)


def waiting_for(audit: Audit) -> dict[str, str]:
    """For each next step not ready yet, what it waits for."""
    if audit.status == Status.FIELDWORK:
        if not audit.items.exists():
            return {"report": _("The checklist is empty: generate it from the scope, or add "
                                "items.")}
        if audit.items.filter(result=ChecklistItem.Result.NOT_AUDITED, notes="").exists():
            return {"report": _("Every checklist item needs a result, or a note saying why it "
                                "was not audited.")}
    if audit.status == Status.REPORTING:
        missing = []
        if unraised_nonconformities(audit).exists():
            missing.append(_("Raise a nonconformity from every item found nonconforming."))
        if not audit.conclusion.strip():
            missing.append(_("Write the audit's conclusion."))
        if missing:
            return {"close": " ".join(missing)}
    return {}


def _move(user, audit: Audit, step: str) -> Audit:
    if not leads(user, audit):
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        definition = STEPS[step]
        if audit.status not in definition.states:
            raise ValidationError(_("This step is not possible for an audit that is "
                                    "%(status)s.") % {"status": audit.get_status_display()})
        waiting = waiting_for(audit).get(step)
        if waiting:
            raise ValidationError(waiting)
        today = timezone.localdate()
        if step == "start":
            checklist.generate(audit)
            audit.status, audit.fieldwork_started_on = Status.FIELDWORK, today
        elif step == "report":
            audit.status, audit.reporting_started_on = Status.REPORTING, today
        elif step == "close":
            audit.status, audit.closed_on = Status.CLOSED, today
        audit.save()
    return audit


def start_fieldwork(user, audit):
    return _move(user, audit, "start")


def start_reporting(user, audit):
    return _move(user, audit, "report")


def close(user, audit):
    return _move(user, audit, "close")


def regenerate(user, audit: Audit) -> tuple[int, int]:
    if not leads(user, audit):
        raise PermissionDenied
    with one_user_action():
        return checklist.generate(audit)


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    states: tuple
    function: object
    style: str = "primary"

    def done_message(self) -> str:
        return str(_("Done: %(step)s.") % {"step": self.label})


STEPS = {
    "start": Step("start", gettext_lazy("Start fieldwork"), (Status.PLANNED,),
                  start_fieldwork),
    "report": Step("report", gettext_lazy("Start reporting"), (Status.FIELDWORK,),
                   start_reporting),
    "close": Step("close", gettext_lazy("Close the audit"), (Status.REPORTING,), close,
                  "success"),
}


def available_steps(user, audit: Audit) -> list[Step]:
    if audit.status == Status.CLOSED or not leads(user, audit):
        return []
    waiting = waiting_for(audit)
    return [step for step in STEPS.values()
            if audit.status in step.states and step.name not in waiting]
