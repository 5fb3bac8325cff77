"""How a risk's ratings and scores read on its pages: a rating by its level's name, a score
with the band it falls in as a coloured badge.

The page's Content-Security-Policy allows no inline style, so the band's colour (any hex the
methodology chose) is painted by an SVG swatch's fill attribute, as on the heat map."""

from django.utils.html import format_html

from mamori.core.levels import Level
from mamori.risks.models import RiskBand, band_for


def band_badge(score: int | None, bands: list[RiskBand]):
    """"6 ■ 高" as a badge, or the bare score when no band covers it (or "" when unrated)."""
    if score is None:
        return ""
    band = band_for(score, bands)
    if band is None:
        return score
    return format_html(
        '<span class="badge mamori-band" data-band="{}">{} '
        '<svg class="mamori-band-swatch" width="10" height="10" aria-hidden="true">'
        '<rect width="10" height="10" rx="2" fill="{}"/></svg> {}</span>',
        band.min_score, score, band.colour, band.name)


def rating_text(value: int | None, levels: list[Level]) -> str:
    """"3 — 高: 年に数回以上" for a rating on the methodology's levels."""
    if value is None:
        return ""
    for level in levels:
        if level.number == value:
            return level.label
    return str(value)
