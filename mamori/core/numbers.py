"""Numbers as a reader writes them."""

from decimal import Decimal


def plain(value) -> Decimal | None:
    """`value` (a Decimal, int or numeric text) as written: 4 rather than 4.00, 97.5 rather
    than 97.50, and 100 rather than 1E+2. None stays None."""
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else (
        value.normalize())


def plain_text(value) -> str | None:
    """The same as text without an exponent (97.5, 4): exact and in no language."""
    value = plain(value)
    return None if value is None else format(value, "f")
