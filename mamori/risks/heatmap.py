"""Heat maps of inherent and residual risk: one grouped COUNT per map over the user's
filtered risks, laid out on the methodology's matrix and coloured by its bands."""

from dataclasses import dataclass

from django.db.models import Count

from mamori.risks.models import RiskBand, RiskMethodology, band_for


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int
    score: int
    colour: str
    band: str


@dataclass(frozen=True)
class HeatMap:
    kind: str  # "inherent" or "residual"
    rows: list  # [(likelihood, level name, [Cell by impact])], highest likelihood first
    impact_names: list
    total: int
    unassessed: int = 0  # residual map: risks without a residual rating


def build(risks, kind: str, methodology=None, bands=None) -> HeatMap:
    methodology = methodology or RiskMethodology.current()
    bands = list(bands if bands is not None else RiskBand.objects.order_by("min_score"))
    l_field, i_field = (("likelihood", "impact") if kind == "inherent"
                        else ("residual_likelihood", "residual_impact"))
    counts = {(row[l_field], row[i_field]): row["n"] for row in
              risks.order_by().values(l_field, i_field).annotate(n=Count("pk"))}
    unassessed = counts.pop((None, None), 0)
    size = methodology.size
    names = methodology.level_names("likelihood")
    impact_names = methodology.level_names("impact")
    rows = []
    for likelihood in range(size, 0, -1):
        cells = []
        for impact in range(1, size + 1):
            score = likelihood * impact
            band = band_for(score, bands)
            cells.append(Cell(likelihood, impact, counts.get((likelihood, impact), 0), score,
                              band.colour if band else "#cccccc", band.name if band else ""))
        rows.append((likelihood, names[likelihood - 1], cells))
    return HeatMap(kind, rows, impact_names, sum(counts.values()), unassessed)
