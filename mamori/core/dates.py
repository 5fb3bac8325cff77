"""Dates and moments a record may hold.

Mamori's records are about the present: when something happened, was decided or is due.
A date before 1900 or after 2999 is a typing error, and it breaks what is computed from it:
the due moments add days, months or hours (year 9999 plus a day overflows: a server error),
and before 1900 the Japanese time zone is local mean time (+09:18:59), an offset RFC 3339,
and so the API's `date-time`, cannot express. Every form (core.forms.ScopedModelForm) and
every API serializer (core.api.viewsets.ScopedModelSerializer) checks its dates with this.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)


def validate_plausible_date(value) -> None:
    """Refuse a date (or the date of a moment) outside 1900–2999."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(day, datetime.date) and not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            code="implausible_date",
            params={"earliest": EARLIEST.year, "latest": LATEST.year})


def has_passed(value) -> bool:
    """Whether a due date (or moment) has passed: today in the site's time zone is later."""
    if isinstance(value, datetime.datetime):
        return value < timezone.now()
    return isinstance(value, datetime.date) and value < timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus (or, negative, minus) whole months, on the month's last day when it has
    fewer days (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))
