"""The steps of a management review: in preparation → inputs frozen → held.

Freezing records the built-in measures of the current period, assembles the inputs
(review.pack) and stores them as the review's immutable pack, all in one transaction, so the
pack reads the measurements taken with it. Holding records the minutes once the meeting has
taken place. Decisions are recorded between the two (ReviewDecision.save raises each one's
improvement action). The CISO and administrators take the steps.

A step the user may not take raises PermissionDenied; one the review is not ready for raises
ValidationError saying what is missing.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.core import conformance
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.scope import CHANGE
from mamori.review.models import ManagementReview, ReviewPack

Status = ManagementReview.Status


def decides(user, review: ManagementReview) -> bool:
    """The CISO and administrators, on a review they may still change."""
    return r.roles_for(user).has(r.ADMIN, r.CISO) and ManagementReview.objects.restrict(
        user, CHANGE).filter(pk=review.pk).exists()


def _locked(review: ManagementReview, *states: str) -> ManagementReview:
    """The stored row, locked for the step (another request may have moved it meanwhile)."""
    stored = ManagementReview.objects.select_for_update().get(pk=review.pk)
    if stored.status not in states:
        raise ValidationError(_("This step is not possible for a management review that is "
                                "%(status)s.") % {"status": stored.get_status_display()})
    return stored


def missing_for_freeze(review: ManagementReview) -> list[str]:
    missing = []
    if not review.attendees.exists():
        missing.append(_("the attendees"))
    return missing


def freeze(user, review: ManagementReview) -> ReviewPack:
    """Take the current period's built-in measurements, assemble the inputs and keep them as
    they are now: no later change to the records they were read from changes the pack."""
    from mamori.review import calculators, pack

    if not decides(user, review):
        raise PermissionDenied
    # One evaluation of the conformance checks for both the recorded conformance measure and
    # the pack's list of checks, so the two say the same.
    with transaction.atomic(), one_user_action(), conformance.results_kept():
        review = _locked(review, Status.PREPARING)
        missing = missing_for_freeze(review)
        if missing:
            raise ValidationError(_("Before the inputs are frozen, record %(missing)s.")
                                  % {"missing": _(" and ").join(missing)})
        now = timezone.now()
        calculators.record(timezone.localdate(now))
        if not review.period_start:
            # The period the pack covers, written down with it: it no longer moves when
            # another review is entered before this one.
            review.period_start = review.effective_period_start()
        frozen = ReviewPack.objects.create(review=review, data=pack.build(review),
                                           frozen_at=now)
        review.status = Status.FROZEN
        review.frozen_at = now
        review.frozen_by_id = r.roles_for(user).person_id
        review.save()
    return frozen


def hold(user, review: ManagementReview, minutes: str) -> ManagementReview:
    """Record the minutes of the meeting: the review was held."""
    if not decides(user, review):
        raise PermissionDenied
    if not (minutes or "").strip():
        raise ValidationError({"minutes": _("Record the minutes of the meeting.")})
    with transaction.atomic(), one_user_action():
        review = _locked(review, Status.FROZEN)
        if review.held_on > timezone.localdate():
            raise ValidationError(_("The minutes are recorded once the meeting has taken place "
                                    "(%(date)s).") % {"date": review.held_on.isoformat()})
        review.minutes = minutes.strip()
        review.status = Status.HELD
        review.closed_on = timezone.localdate()
        review.save()
    return review


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    states: tuple
    style: str = "primary"
    needs_minutes: bool = False

    def done_message(self) -> str:
        return str(_("Done: %(step)s.") % {"step": self.label})


STEPS = {
    "freeze": Step("freeze", gettext_lazy("Freeze the inputs"), (Status.PREPARING,)),
    "hold": Step("hold", gettext_lazy("Record the minutes"), (Status.FROZEN,), "success",
                 needs_minutes=True),
}


def waiting_for(review: ManagementReview) -> dict[str, str]:
    """For each step of the review's state that is not ready yet, what it waits for (the page
    says so instead of offering a button that would only be refused)."""
    if review.status == Status.PREPARING:
        missing = missing_for_freeze(review)
        return {"freeze": _("Before the inputs are frozen, record %(missing)s.")
                % {"missing": _(" and ").join(missing)}} if missing else {}
    if review.status == Status.FROZEN and review.held_on > timezone.localdate():
        return {"hold": _("The minutes are recorded once the meeting has taken place "
                          "(%(date)s).") % {"date": review.held_on.isoformat()}}
    return {}


def available_steps(user, review: ManagementReview) -> list[Step]:
    """The steps the user may take now (none for those who do not decide)."""
    if review.status == Status.HELD or not decides(user, review):
        return []
    waiting = waiting_for(review)
    return [step for step in STEPS.values()
            if review.status in step.states and step.name not in waiting]
