"""Statuses and verdicts shown as coloured badges (issue 16 #18), in every list and on every
detail page, from one registry: a model declares once which of its fields read as a badge and
the colour of each value. The badge's text is the value's own label, so the colour is never the
only signal (it helps the eye find the red ones in a long list).

    badges.register(Incident, "status", {"reported": "red", ..., "closed": "green"})
    badges.register(TlsScan, "authentication_ok", badges.VERDICT)   # True / False / None

Tones are Tabler's colour names (green, red, yellow, orange, blue, secondary), shown light
(`bg-<tone>-lt`) as the other badges of the site are.
"""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

VERDICT = "verdict"  # a boolean verdict: pass (green), fail (red), not checked yet (grey)
NEUTRAL = "secondary"

_REGISTRY: dict[tuple[str, str], object] = {}


def register(model, field: str, tones) -> None:
    """`tones`: {stored value: tone} for a field with choices, or VERDICT for a boolean."""
    _REGISTRY[(model._meta.label_lower, field)] = tones


def tones_for(model, field: str):
    return _REGISTRY.get((model._meta.label_lower, field))


def badge(tone: str, text, value="") -> str:
    return format_html('<span class="badge bg-{}-lt text-nowrap" data-badge="{}">{}</span>',
                       tone, value, text)


def verdict_badge(ok) -> str:
    if ok is None:
        return badge(NEUTRAL, _("not checked"), "none")
    return badge("green", _("pass"), "pass") if ok else badge("red", _("fail"), "fail")


def shown(model, field: str, raw, text):
    """`text` (the value as the page would show it) as a badge when the field is registered;
    else `text` unchanged. An empty value stays empty (the page shows a dash)."""
    tones = tones_for(model, field)
    if tones is None:
        return text
    if tones == VERDICT:
        return verdict_badge(raw)
    if raw in (None, ""):
        return text
    return badge(tones.get(raw, NEUTRAL), text, raw)
