"""A contractor's subcontracting chain (再委託) and its weakest verdict.

Work entrusted to a contractor is only as safe as the weakest party that handles it: the
chain's verdict is the worst of the contractor's own and of every subcontractor below it, and
a link the company has not consented to makes the chain not acceptable whatever the
screenings say.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.contractors.comparison import verdict_in_force
from mamori.contractors.models import LIVE, Screening, Subcontracting

Verdict = Screening.Verdict
NOT_SCREENED = "not_screened"
# Worst first. An expired acceptance counts as not acceptable (verdict_in_force).
RANK = {Verdict.NOT_ACCEPTABLE: 0, NOT_SCREENED: 1, Verdict.GAPS_ACCEPTED: 2,
        Verdict.EQUAL_OR_HIGHER: 3}
LABELS = {NOT_SCREENED: _("Not screened"), **{v.value: v.label for v in Verdict}}


@dataclass(frozen=True)
class ChainLink:
    link: Subcontracting
    depth: int  # 1: the contractor's own subcontractor; 2: theirs; …
    verdict: str  # the subcontractor's verdict as it stands today

    @property
    def verdict_label(self):
        return LABELS[self.verdict]

    @property
    def consented(self) -> bool:
        return self.link.status == Subcontracting.Status.APPROVED


@dataclass(frozen=True)
class Chain:
    own_verdict: str
    links: list[ChainLink]

    @property
    def weakest(self) -> str:
        verdicts = [self.own_verdict, *(link.verdict for link in self.links)]
        if any(not link.consented for link in self.links):
            verdicts.append(Verdict.NOT_ACCEPTABLE)
        return min(verdicts, key=RANK.__getitem__)

    @property
    def weakest_label(self):
        return LABELS[self.weakest]


def verdicts_today(contractor_ids) -> dict[int, str]:
    """Each contractor's verdict as it stands today, from its latest assessed screening:
    one query."""
    today = timezone.localdate()
    verdicts: dict[int, str] = {}
    for screening in Screening.objects.filter(
            contractor_id__in=contractor_ids, status=Screening.Status.ASSESSED).order_by(
            "contractor_id", "-assessed_on", "-pk").only(
            "contractor_id", "verdict", "verdict_until"):
        if screening.contractor_id not in verdicts:
            verdicts[screening.contractor_id] = (
                screening.verdict if verdict_in_force(screening, today)
                else Verdict.NOT_ACCEPTABLE)
    return verdicts


def chain_of(contractor) -> Chain:
    """The live subcontracting below `contractor`, level by level (one query per level, and
    one for the verdicts)."""
    links: list[tuple[Subcontracting, int]] = []
    seen = {contractor.pk}
    level, depth = [contractor.pk], 1
    while level:
        found = list(Subcontracting.objects.filter(LIVE, contractor_id__in=level).select_related(
            "contractor", "subcontractor").order_by("contractor__code", "subcontractor__code"))
        links += [(link, depth) for link in found]
        # Each contractor is followed down once, even when two links reach it (and a circle,
        # which clean() refuses, could not loop).
        level = {link.subcontractor_id for link in found} - seen
        seen |= level
        depth += 1
    verdicts = verdicts_today(seen)
    return Chain(verdicts.get(contractor.pk, NOT_SCREENED),
                 [ChainLink(link, d, verdicts.get(link.subcontractor_id, NOT_SCREENED))
                  for link, d in links])
