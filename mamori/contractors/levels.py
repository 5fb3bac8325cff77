"""The company's own level per screening requirement, computed from its controls.

Art 9 compares a contractor with the company, so the company's side must be as honest as the
contractor's: a requirement is only as well met as the weakest of the controls linked to it,
and a control counts fully only while it has evidence that has not expired. A requirement
linked to no control (or only to retired ones) is not met: nothing shows the company does it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from mamori.contractors.models import LEVEL_CHOICES, ScreeningRequirement
from mamori.controls.models import Control, Evidence, current_evidence_filter


class Level:
    """The scale both sides are placed on; a contractor's answers use the same numbers."""

    NONE = 0
    PARTIAL = 1
    IN_PLACE = 2
    EVIDENCED = 3

    CHOICES = LEVEL_CHOICES
    LABELS = dict(CHOICES)


def control_level(status: str, has_current_evidence: bool) -> int:
    if status == Control.Status.IMPLEMENTED:
        return Level.EVIDENCED if has_current_evidence else Level.IN_PLACE
    if status == Control.Status.PARTIAL:
        return Level.PARTIAL
    return Level.NONE


@dataclass(frozen=True)
class OurLevel:
    level: int
    controls: int  # the linked controls counted (retired ones are not)
    weakest: str = ""  # the code of the control that sets the level

    @property
    def label(self):
        return Level.LABELS[self.level]


def our_levels(requirements=None) -> dict[int, OurLevel]:
    """{requirement id: OurLevel} for `requirements` (a queryset; default every one), in one
    query whatever their number: the links to controls, each with its control's status and
    whether it has current evidence."""
    links = ScreeningRequirement.controls.through.objects.exclude(
        control__status=Control.Status.RETIRED)
    if requirements is not None:
        links = links.filter(screeningrequirement__in=requirements.values("pk"))
        ids = list(requirements.values_list("pk", flat=True))
    else:
        ids = list(ScreeningRequirement.objects.values_list("pk", flat=True))
    evidenced = Exists(Evidence.objects.filter(current_evidence_filter(),
                                               control=OuterRef("control_id")))
    weakest: dict[int, tuple[int, str]] = {}
    counts: dict[int, int] = {}
    for requirement_id, code, status, has_evidence in links.annotate(
            evidenced=evidenced).values_list(
            "screeningrequirement_id", "control__code", "control__status", "evidenced"):
        level = control_level(status, has_evidence)
        counts[requirement_id] = counts.get(requirement_id, 0) + 1
        if requirement_id not in weakest or (level, code) < weakest[requirement_id]:
            weakest[requirement_id] = (level, code)
    return {pk: OurLevel(weakest[pk][0], counts[pk], weakest[pk][1]) if pk in weakest
            else OurLevel(Level.NONE, 0) for pk in ids}
