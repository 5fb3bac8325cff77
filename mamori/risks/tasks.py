"""Weekly e-mail to the keepers of risks and controls: what needs attention in their scope
(the same lists as their "My page")."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from mamori.core.schedule import periodic
from mamori.org.models import Appointment, Person
from mamori.risks.todo import attention_items

LISTS = ("controls_needing_evidence", "risks_untreated", "risks_to_review",
         "acceptances_expiring")


def digest_message(person, user) -> tuple[str, str, str, list[str]] | None:
    """One e-mail in Japanese followed by English, or None when nothing needs attention.
    The lists are read once; each language renders the same records."""
    items = attention_items(user)
    if not items or not any(items[name] for name in LISTS):
        return None
    parts = []
    for language in ("ja", "en"):
        with override(language):
            parts.append(render_to_string("risks/attention_email.txt",
                                          {"person": person, "items": items}))
    with override("ja"):
        subject = _("[Mamori] Risks and controls to attend to")
    return subject, "\n----\n".join(parts), settings.DEFAULT_FROM_EMAIL, [person.email]


@periodic("weekly")
@task()
def send_attention_digests() -> int:
    """E-mail each current CISO and information manager (with a login and an address)."""
    keepers = Person.objects.filter(
        pk__in=Appointment.objects.current().values("person_id"), user__is_active=True
    ).exclude(email="").exclude(status=Person.Status.LEFT).select_related("user")
    messages = [message for person in keepers
                if (message := digest_message(person, person.user)) is not None]
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
