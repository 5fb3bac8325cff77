"""Evidence requests are answered by the one asked, and by nobody else."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.audits.models import Audit, EvidenceRequest
from mamori.controls.models import Evidence
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.scope import VIEW


def answers(user, asked: EvidenceRequest) -> bool:
    """The one asked answers an open request of an audit not closed."""
    person_id = r.roles_for(user).person_id
    return (person_id is not None and asked.asked_of_id == person_id
            and asked.status == EvidenceRequest.Status.OPEN
            and asked.audit.status != Audit.Status.CLOSED)


def answer_request(user, asked: EvidenceRequest, response: str, evidence_ids=()) -> None:
    if not answers(user, asked):
        raise PermissionDenied
    if not response.strip():
        raise ValidationError(_("Give the answer."))
    visible = Evidence.objects.restrict(user, VIEW).filter(pk__in=evidence_ids)
    if len(set(evidence_ids)) != visible.count():
        raise ValidationError(_("Link only evidence you can see."))
    with transaction.atomic(), one_user_action():
        asked.response = response.strip()
        asked.status = EvidenceRequest.Status.ANSWERED
        asked.answered_on = timezone.localdate()
        asked.save()
        asked.evidence.add(*visible)
