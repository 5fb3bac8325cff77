from decimal import Decimal

from django import template

from mamori.core.numbers import plain

register = template.Library()


@register.filter
def hours(value, missing="—"):
    """A number of hours as people write it: 2, 0.5, 3.25 (not 2.00 beside 2); `missing`
    when there is none."""
    if value is None or value == "":
        return missing
    return f"{plain(Decimal(str(value)))}"
