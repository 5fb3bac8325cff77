"""Acknowledgement reminders: weekly, and on demand from the coverage page."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from mamori.core.schedule import periodic
from mamori.policies import coverage
from mamori.policies.models import PolicyVersion


def reminder_message(person, version) -> tuple[str, str, str, list[str]]:
    """One e-mail in Japanese followed by English: the staff's language is not known."""
    parts = []
    for language in ("ja", "en"):
        with override(language):
            due = version.due_date.isoformat() if version.due_date else "—"
            parts.append(_("%(name)s,\n\nPlease read and acknowledge “%(document)s” (version "
                           "%(number)s) in Mamori, on My page. Due: %(due)s.\n") % {
                "name": person, "document": version.document, "number": version.number,
                "due": due})
    with override("ja"):
        subject = _("[Mamori] Please acknowledge: %(document)s") % {
            "document": version.document}
    return subject, "\n----\n".join(parts), settings.DEFAULT_FROM_EMAIL, [person.email]


@periodic("weekly")
@task()
def send_acknowledgement_reminders(document_id: int | None = None) -> int:
    """E-mail everyone who has not acknowledged a published document (with an address)."""
    versions = PolicyVersion.objects.published().select_related("document").filter(
        document__is_active=True)
    if document_id is not None:
        versions = versions.filter(document_id=document_id)
    messages = []
    for version in versions:
        pending = coverage.pending_people(version.document).exclude(email="")
        messages.extend(reminder_message(person, version)
                        for person in pending.iterator(chunk_size=2000))
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
