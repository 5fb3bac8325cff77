"""Template helpers: form controls styled for Tabler, cell formatting, status colours."""

import datetime

from django import forms, template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


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
    return value


STATUS_COLOURS = {"pass": "green", "fail": "red", "n/a": "secondary", "none": "secondary"}


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def status_class(status):
    return {"n/a": "na"}.get(status, status)


@register.filter
def get(mapping, key):
    return mapping.get(key, key)
