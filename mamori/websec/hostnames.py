"""Host names as the scanner may use them: in an HTTP request's Host header and as the TLS server
name (SNI). Plain Python (no Django), shared by the model's validation, the parent side of the
scan and the engine in the child, so a name refused when registered is refused again where it
is used — a row stored before the validation must not put a line break into a request either.

A valid name is an IP literal (IPv4, or IPv6 without a zone) or a DNS name of 1–63 character
labels (IDNA 2008 with the UTS 46 mapping browsers use, so "bücher.example" becomes
"xn--bcher-kva.example" and "ＥＸＡＭＰＬＥ.com" becomes "example.com"), at most 253
characters in its ASCII form, whose last label is not all digits (which resolvers would take
for an IPv4 address).
"""

from __future__ import annotations

import ipaddress
import unicodedata

import idna

MAX_NAME = 253
MAX_LABEL = 63
# Zero-width (non-)joiners are format characters some scripts need inside IDNA labels
# (IDNA 2008 allows them in context); every other format character is invisible and refused.
JOINERS = {"\u200c", "\u200d"}


class InvalidHostName(ValueError):
    """`reason` is one of "empty", "characters" (control, space or invisible characters),
    "too_long" or "invalid"."""

    def __init__(self, reason: str, name: str) -> None:
        super().__init__(f"{reason}: {name!r}")
        self.reason = reason


def has_unsafe_characters(text: str) -> bool:
    """Control characters (CR and LF among them), whitespace, or invisible format characters."""
    for char in text:
        category = unicodedata.category(char)
        if char.isspace() or category in ("Cc", "Zs", "Zl", "Zp", "Cs", "Co", "Cn"):
            return True
        if category == "Cf" and char not in JOINERS:
            return True
    return False


def ip_literal(name: str) -> str | None:
    """The canonical form of an IP literal (IPv6 without brackets), or None for a name."""
    try:
        address = ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        raise InvalidHostName("invalid", name)  # a zone ("fe80::1%eth0") is no host name
    return str(address)


def ascii_host(name: str) -> str:
    """The name as it goes on the wire: an IP literal in canonical form, or a DNS name in its
    lower-case ASCII (A-label) form without a trailing dot. Raises InvalidHostName."""
    if not name:
        raise InvalidHostName("empty", name)
    if has_unsafe_characters(name):
        raise InvalidHostName("characters", name)
    literal = ip_literal(name)
    if literal is not None:
        return literal
    name = name.removesuffix(".")
    try:
        encoded = idna.encode(name, uts46=True, std3_rules=True, transitional=False).decode()
    except idna.IDNAError as exc:
        too_long = "too long" in str(exc).lower()
        raise InvalidHostName("too_long" if too_long else "invalid", name) from exc
    except UnicodeError as exc:
        raise InvalidHostName("invalid", name) from exc
    labels = encoded.split(".")
    if len(encoded) > MAX_NAME or any(len(label) > MAX_LABEL for label in labels):
        raise InvalidHostName("too_long", name)
    if not all(labels) or labels[-1].isdigit():
        raise InvalidHostName("invalid", name)
    return encoded


def is_valid_host(name: str | None) -> bool:
    try:
        ascii_host(name or "")
    except InvalidHostName:
        return False
    return True
