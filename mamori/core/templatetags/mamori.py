"""Template helpers: form controls styled for Tabler, cell formatting, status colours."""

import datetime

from django import forms, template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mamori.core import badges
from mamori.core.dates import has_passed

register = template.Library()


@register.filter
def badged(obj, field: str):
    """`obj`'s `field` as the lists show it: its label, as a coloured badge where the field
    reads as one (core.badges)."""
    display = getattr(obj, f"get_{field}_display", None)
    raw = getattr(obj, field)
    return badges.shown(type(obj), field, raw, display() if callable(display) else raw)


@register.filter
def form_control(bound_field):
    widget = bound_field.field.widget
    if isinstance(widget, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    return bound_field.as_widget(attrs={"class": css})


@register.filter
def overdue(value) -> bool:
    """Whether a due date (or moment) has passed (core.dates.has_passed)."""
    return has_passed(value)


@register.filter(expects_localtime=True)  # show times in the local zone, not UTC
def cell(value):
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, datetime.datetime):
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    if isinstance(value, datetime.timedelta):
        return duration(value)
    return value


def duration(value: datetime.timedelta) -> str:
    """A span of time to the minute, e.g. "2 d 3 h 5 min" (2日 3時間 5分)."""
    minutes = int(value.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    days, rest = divmod(abs(minutes), 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = _("%(days)s d %(hours)s h %(minutes)s min")
    elif hours:
        text = _("%(hours)s h %(minutes)s min")
    else:
        text = _("%(minutes)s min")
    return sign + text % {"days": days, "hours": hours, "minutes": minutes}


STATUS_COLOURS = {"pass": "green", "fail": "red", "n/a": "secondary", "none": "secondary",
                  "not_assessed": "secondary"}


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def status_class(status):
    return {"n/a": "na", "not_assessed": "none"}.get(status, status)


@register.filter
def get(mapping, key):
    return mapping.get(key, key)
