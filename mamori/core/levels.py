"""Named rating levels: a scale of 1..N where each step has a name and a one-line criterion in
both languages (the methodology's own words), so that people choose "3 — 高: …" rather than
type a number.

An organisation writes its levels one per line from the lowest, as
"名前 | Name | 基準 | criterion" (everything after the Japanese name may be left out); an empty
text means the standard levels shipped with Mamori for that scale.
"""

import re
from dataclasses import dataclass

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from mamori.core.i18n import localized


@dataclass(frozen=True)
class Level:
    number: int
    name_ja: str
    name_en: str = ""
    criterion_ja: str = ""
    criterion_en: str = ""

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def criterion(self) -> str:
        return localized(self.criterion_ja, self.criterion_en)

    @property
    def label(self) -> str:
        """"3 — 高: 年に数回以上" — the number first, so the choice still reads as a rating."""
        text = f"{self.number} — {self.name}" if self.name else str(self.number)
        return f"{text}: {self.criterion}" if self.criterion else text


def parse_levels(text: str) -> list[Level]:
    levels = []
    for line in (text or "").splitlines():
        if line.strip():
            parts = [part.strip() for part in line.split("|")][:4]
            levels.append(Level(len(levels) + 1, *parts))
    return levels


def levels_of(text: str, size: int, standard: dict) -> list[Level]:
    """The levels 1..size: the organisation's own, else the standard ones for that size, else
    bare numbers (a scale Mamori ships no words for)."""
    own = parse_levels(text)
    if own:
        return own
    rows = standard.get(size)
    if rows:
        return [Level(number, *row) for number, row in enumerate(rows, start=1)]
    return [Level(number, "") for number in range(1, size + 1)]


def level_choices(levels: list[Level], blank: bool) -> list[tuple[object, str]]:
    """Choices for a select of ratings; `blank` adds "not rated" for an optional rating."""
    choices = [(level.number, level.label) for level in levels]
    return ([("", _("— not rated —"))] if blank else [("", "---------")]) + choices


def levels_html(levels: list[Level]):
    """The levels in effect, one per line, for a settings page (the standard ones show too,
    so nobody has to guess what an empty text means)."""
    items = format_html_join("", "<li>{}</li>", ((level.label,) for level in levels))
    return format_html('<ul class="list-unstyled mb-0 mamori-levels">{}</ul>', items)


def wrong_line_count(text: str, size: int) -> str | None:
    """The error for levels written for another scale, or None."""
    own = parse_levels(text)
    if own and len(own) != size:
        return _("Give one line for each of the %(size)s levels.") % {"size": size}
    return None


# "3 — 高: …" or "3 - High": a level's label as a select shows it, pasted into a file.
LABEL_NUMBER = re.compile(r"^\s*(\d+)\s*[—–-]")


def level_number(levels: list[Level], text: str) -> int | None:
    """The number of the level `text` names: its name in either language (any letter case) or
    its label; None for anything else (a bare number is left to the number field)."""
    folded = " ".join(text.split()).casefold()
    if not folded:
        return None
    match = LABEL_NUMBER.match(folded)
    if match:
        return int(match.group(1))
    for level in levels:
        if folded in (level.name_ja.casefold(), level.name_en.casefold()):
            return level.number
    return None


class LevelField(forms.IntegerField):
    """A rating chosen from named levels. The value stays a number (the model refuses one
    off the scale), but a file may give the level by name or label in either language, as
    people read them on the page ("高", "High", "3 — 高")."""

    # Cleaning depends on the value alone (the levels are fixed for the form): an import
    # cleans each repeated value once (core.rowforms).
    cleaned_once_per_value = True

    def __init__(self, *, levels: list[Level], blank: bool, **kwargs):
        super().__init__(**kwargs)
        self.levels = levels
        names = ", ".join(level.name for level in levels if level.name)
        self.error_messages["invalid"] = (
            _("Give a level: a number from 1 to %(max)s, or its name (%(names)s).") % {
                "max": len(levels), "names": names} if names else
            _("Give a level: a number from 1 to %(max)s.") % {"max": len(levels)})
        self.widget = forms.Select(choices=level_choices(levels, blank))

    def to_python(self, value):
        if isinstance(value, str):
            number = level_number(self.levels, value)
            if number is not None:
                value = number
        return super().to_python(value)


def as_level_field(field: forms.Field, levels: list[Level], blank: bool) -> LevelField:
    """`field` (a model form's number field) as a LevelField with the same settings."""
    return LevelField(
        levels=levels, blank=blank, required=field.required, label=field.label,
        help_text=field.help_text, initial=field.initial, disabled=field.disabled,
        validators=[v for v in field.validators if v not in forms.IntegerField.default_validators],
        error_messages=field.error_messages)
