"""Recording an acknowledgement: evidence of who accepted which text, when, from where."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mamori.core.clientip import client_ip as address_of_client
from mamori.policies import coverage
from mamori.policies.models import Acknowledgement, PolicyVersion


def client_ip(request) -> str | None:
    # Behind the proxies named in MAMORI_TRUSTED_PROXIES, the client's address from their
    # header; otherwise the connection's. The session and time remain the primary evidence.
    return address_of_client(request)


def acknowledge(request, version: PolicyVersion) -> Acknowledgement:
    """The requesting user acknowledges `version` for themselves, and only if they are in its
    audience and it is the published version."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise ValidationError(_("Your account is not linked to a person record."))
    if version.status != PolicyVersion.Status.PUBLISHED:
        raise ValidationError(_("Only the published version can be acknowledged."))
    if not coverage.audience(version).filter(pk=person.pk).exists():
        raise ValidationError(_("You are not in the audience of this document."))
    session_key = request.session.session_key or ""
    with transaction.atomic():
        return Acknowledgement.objects.create(
            person=person, version=version, content_hash=version.content_hash,
            session=hashlib.sha256(session_key.encode()).hexdigest() if session_key else "",
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300])
