"""E-mails as Mamori sends them: Japanese followed by English in one message."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override


def message(template, subject, context, recipients) -> tuple[str, str, str, list[str]]:
    """One message for send_mass_mail: `template` rendered in Japanese then in English,
    `subject` (marked with gettext_noop) in Japanese."""
    parts = []
    for language in ("ja", "en"):
        with override(language):
            parts.append(render_to_string(template, context))
    with override("ja"):
        subject = f"[Mamori] {_(subject)}"
    return subject, "\n----\n".join(parts), settings.DEFAULT_FROM_EMAIL, recipients
