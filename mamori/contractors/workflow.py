"""The CISO's decisions on a screening: assessing it (our levels frozen beside the answers,
the verdict derived) and accepting a gap with a condition and an expiry (the verdict derived
again in the same transaction); and on a subcontracting, consent or refusal. Information
managers record answers and subcontracting; only the CISO and administrators decide, as Art 4
makes the CISO accountable for the company's security."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.contractors.comparison import compare, verdict_of
from mamori.contractors.levels import our_levels
from mamori.contractors.models import (
    Contractor,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
)
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.scope import CHANGE, VIEW

Status = Screening.Status


def decides_for_the_company(user) -> bool:
    """The CISO (or an administrator): who assesses screenings, accepts gaps and consents to
    subcontracting."""
    return r.roles_for(user).has(r.ADMIN, r.CISO)


def decides(user, screening: Screening) -> bool:
    return decides_for_the_company(user) and Screening.objects.restrict(user, VIEW).filter(
        pk=screening.pk).exists()


def _locked(screening: Screening, *states: str) -> Screening:
    stored = Screening.objects.select_for_update().select_related("contractor").get(
        pk=screening.pk)
    if stored.status not in states:
        raise ValidationError(_("This step is not possible for a screening that is "
                                "%(status)s.") % {"status": stored.get_status_display()})
    return stored


def assess(user, screening: Screening) -> Screening:
    if not decides(user, screening):
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        screening = _locked(screening, Status.OPEN, Status.ANSWERED)
        answers = list(screening.answers.all())
        if any(a.their_level is None for a in answers):
            raise ValidationError(_("Every question must be answered before the screening "
                                    "is assessed."))
        levels = our_levels(ScreeningRequirement.objects.filter(
            pk__in=[a.requirement_id for a in answers]))
        # One logged UPDATE per level rather than a save per answer.
        by_level: dict[int, list[int]] = {}
        for answer in answers:
            by_level.setdefault(levels[answer.requirement_id].level, []).append(answer.pk)
        for level, pks in by_level.items():
            ScreeningAnswer.objects.filter(pk__in=pks).update(our_level=level)
        screening.status = Status.ASSESSED
        screening.assessed_on = timezone.localdate()
        screening.assessed_by_id = r.roles_for(user).person_id
        _derive_verdict(screening)
    return screening


def accept_gap(user, answer: ScreeningAnswer, *, condition: str,
               expires_on: datetime.date) -> ScreeningAnswer:
    if not decides(user, answer.screening):
        raise PermissionDenied
    if not condition.strip():
        raise ValidationError({"condition": _("Say on what condition the gap is accepted.")})
    if expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("An acceptance expires on a day still to "
                                               "come.")})
    with transaction.atomic(), one_user_action():
        screening = _locked(answer.screening, Status.ASSESSED)
        answer = ScreeningAnswer.objects.select_for_update().get(pk=answer.pk)
        if answer.their_level is None or answer.our_level is None \
                or answer.their_level >= answer.our_level:
            raise ValidationError(_("Only a gap (their level below ours) can be accepted."))
        answer.accepted_on = timezone.localdate()
        answer.accepted_by_id = r.roles_for(user).person_id
        answer.acceptance_condition = condition.strip()
        answer.acceptance_expires_on = expires_on
        answer.save()
        _derive_verdict(screening)
    return answer


def _derive_verdict(screening: Screening) -> None:
    verdict, until = verdict_of(compare(screening).lines)
    screening.verdict, screening.verdict_until = verdict, until
    screening.save()


def decides_subcontracting(user, link: Subcontracting) -> bool:
    """The company's consent to a subcontracting is the CISO's (or an administrator's)."""
    return decides_for_the_company(user) and Subcontracting.objects.restrict(
        user, VIEW).filter(pk=link.pk).exists()


def decide_subcontracting(user, link: Subcontracting, *, approve: bool,
                          note: str = "") -> Subcontracting:
    """Consent to a requested subcontracting, or refuse it (a refusal says why)."""
    if not decides_subcontracting(user, link):
        raise PermissionDenied
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the subcontracting is refused.")})
    with transaction.atomic(), one_user_action():
        link = Subcontracting.objects.select_for_update().get(pk=link.pk)
        if link.status != Subcontracting.Status.REQUESTED:
            raise ValidationError(_("This subcontracting has already been decided."))
        link.status = (Subcontracting.Status.APPROVED if approve
                       else Subcontracting.Status.REFUSED)
        link.decided_on = timezone.localdate()
        link.decided_by_id = r.roles_for(user).person_id
        link.decision_note = note.strip()
        link.save()
    return link


def ends_subcontracting(user, link: Subcontracting) -> bool:
    """Whoever keeps the contractor records that it no longer passes the work on."""
    return link.is_live and Contractor.objects.restrict(user, CHANGE).filter(
        pk=link.contractor_id).exists()


def end_subcontracting(user, link: Subcontracting) -> Subcontracting:
    if not ends_subcontracting(user, link):
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        link = Subcontracting.objects.select_for_update().get(pk=link.pk)
        if not link.is_live:
            raise ValidationError(_("This subcontracting has already ended."))
        link.status = Subcontracting.Status.ENDED
        link.ended_on = timezone.localdate()
        link.save()
    return link
