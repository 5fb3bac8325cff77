"""The Japanese corporate number (法人番号): 13 digits, the first a check digit over the other
twelve (the National Tax Agency's rule, 法人番号の指定等に関する省令 Art 2)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def check_digit(base: str) -> int:
    """The check digit of the 12-digit base number: 9 minus the remainder by 9 of the sum of
    its digits, each counted once in odd places and twice in even places from the right."""
    total = sum(int(digit) * (2 if place % 2 == 0 else 1)
                for place, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def validate_corporate_number(value: str) -> None:
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A corporate number is 13 digits."), code="format")
    if int(value[0]) != check_digit(value[1:]):
        raise ValidationError(
            _("This corporate number's check digit (the first) does not match the other "
              "twelve; check it against the National Tax Agency's register."),
            code="check_digit")


def normalise(value: str) -> str:
    """As typed in Japan: full-width digits and hyphens or spaces between groups allowed."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", value)
                   if ch not in " -\u2010\u2011\u2012\u2013\u2212\u30fc")
