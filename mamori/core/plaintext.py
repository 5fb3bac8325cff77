"""Text a record may hold: no invisible control characters.

A title or note with a C0 control character (say U+0001, pasted from a terminal or sent by a
script) is never what anyone meant; it cannot be written into an XLSX file at all (the
format forbids it: exporting such a list was a server error, found by `make security`), it
can break CSV readers and log lines, and it hides text from the reader. Tab, line feed and
carriage return are ordinary text and stay allowed. Every form
(core.forms.ScopedModelForm) and every API serializer (core.api.viewsets.ScopedModelSerializer)
checks its text fields with this; export replaces such characters in rows stored before.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"


def validate_no_control_characters(value) -> None:
    if isinstance(value, str) and (found := CONTROL_CHARACTERS.search(value)):
        raise ValidationError(
            _("Remove the invisible control character U+%(code)s from the text."),
            code="control_character", params={"code": f"{ord(found.group()):04X}"})


def without_control_characters(value):
    """`value` with any control character replaced by U+FFFD (for rows stored before they
    were refused)."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub(REPLACEMENT, value)
    return value
