"""The heart of Art 9: is the contractor's security level equal to or higher than ours?

Per requirement asked, our level (computed from our controls, frozen when the screening is
assessed) is set beside theirs; a requirement where theirs is lower is a gap. The verdict:
equal or higher when there is no gap; gaps accepted when the CISO accepted every gap and each
acceptance is in force; otherwise not acceptable. Until every question is answered there is
no verdict.
"""

from dataclasses import dataclass

from django.utils import timezone

from mamori.contractors.levels import Level, our_levels
from mamori.contractors.models import Screening, ScreeningAnswer, ScreeningRequirement

Verdict = Screening.Verdict


@dataclass(frozen=True)
class Line:
    answer: ScreeningAnswer
    ours: int
    theirs: int | None

    @property
    def gap(self) -> int:
        """How many steps theirs is below ours (0: none); an unanswered question is no gap
        yet."""
        return max(0, self.ours - self.theirs) if self.theirs is not None else 0

    @property
    def ours_label(self):
        return Level.LABELS[self.ours]

    @property
    def theirs_label(self):
        return Level.LABELS[self.theirs] if self.theirs is not None else ""

    @property
    def accepted(self) -> bool:
        return bool(self.gap) and self.answer.acceptance_in_force


@dataclass(frozen=True)
class Comparison:
    lines: list[Line]
    verdict: str  # "" while a question is unanswered
    until: object = None  # the first accepted gap's expiry, with gaps accepted

    @property
    def unanswered(self) -> int:
        return sum(line.theirs is None for line in self.lines)

    @property
    def verdict_label(self):
        return Verdict(self.verdict).label if self.verdict else ""


def answers_of(screening: Screening):
    return ScreeningAnswer.objects.filter(screening=screening).select_related(
        "requirement", "accepted_by").order_by("requirement__sort_key", "requirement__code")


def compare(screening: Screening, answers=None) -> Comparison:
    """The comparison as it stands: with our levels frozen once the screening is assessed,
    computed from our controls before (two queries either way)."""
    answers = list(answers if answers is not None else answers_of(screening))
    if screening.status == Screening.Status.ASSESSED:
        ours = {a.pk: a.our_level or Level.NONE for a in answers}
    else:
        live = our_levels(ScreeningRequirement.objects.filter(
            pk__in=[a.requirement_id for a in answers]))
        ours = {a.pk: live[a.requirement_id].level for a in answers}
    lines = [Line(a, ours[a.pk], a.their_level) for a in answers]
    return Comparison(lines, *verdict_of(lines))


def verdict_of(lines: list[Line]) -> tuple[str, object]:
    if any(line.theirs is None for line in lines):
        return "", None
    gaps = [line for line in lines if line.gap]
    if not gaps:
        return Verdict.EQUAL_OR_HIGHER, None
    if all(line.accepted for line in gaps):
        expiries = [line.answer.acceptance_expires_on for line in gaps
                    if line.answer.acceptance_expires_on]
        return Verdict.GAPS_ACCEPTED, min(expiries) if expiries else None
    return Verdict.NOT_ACCEPTABLE, None


def verdict_in_force(screening: Screening, on=None) -> bool:
    """Whether an assessed screening's verdict lets the company entrust the contractor on
    `on` (default today): equal or higher, or gaps accepted and not yet expired."""
    on = on or timezone.localdate()
    if screening.verdict == Verdict.EQUAL_OR_HIGHER:
        return True
    return screening.verdict == Verdict.GAPS_ACCEPTED and (
        screening.verdict_until is None or screening.verdict_until >= on)
