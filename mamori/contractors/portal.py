"""The vendor portal's links: issued for one screening, found by the digest of the token the
contractor presents, expiring, revocable and rate-limited.

The token is 32 random bytes (256 bits) from `secrets`; only its SHA-256 is stored, so the
database (or a backup of it) gives no working link. A link opens its own screening's answers
and nothing else: every portal view starts from the link and reads through it.
"""

import datetime
import hashlib
import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.contractors.models import PortalLink, Screening
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.context import Actor
from mamori.core.scope import CHANGE

LINK_DAYS = 14  # how long an issued link lasts unless the issuer says otherwise
MAX_LINK_DAYS = 90
# Requests a client address may make to the portal per minute; wrong or dead links count
# five times, so guessing is slower still (on top of 2^256 possible tokens).
REQUESTS_PER_MINUTE = 60
WRONG_LINK_WEIGHT = 5


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user, screening: Screening, days: int = LINK_DAYS) -> tuple[PortalLink, str]:
    """A new link for `screening`, and its token (shown once, never stored)."""
    if not Screening.objects.restrict(user, CHANGE).filter(pk=screening.pk).exists():
        raise PermissionDenied
    if screening.status == Screening.Status.ASSESSED:
        raise ValidationError(_("The screening has been assessed: it takes no more answers."))
    if not 1 <= days <= MAX_LINK_DAYS:
        raise ValidationError(_("A link lasts from 1 to %(days)s days.") % {
            "days": MAX_LINK_DAYS})
    token = secrets.token_urlsafe(32)
    with transaction.atomic(), one_user_action():
        link = PortalLink.objects.create(
            screening=screening, token_hash=digest(token),
            issued_by_id=r.roles_for(user).person_id,
            expires_at=timezone.now() + datetime.timedelta(days=days))
    return link, token


def revoke(user, link: PortalLink) -> PortalLink:
    if not PortalLink.objects.restrict(user, CHANGE).filter(pk=link.pk).exists():
        raise PermissionDenied
    with transaction.atomic(), one_user_action():
        link = PortalLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save()
    return link


def find(token: str) -> PortalLink | None:
    """The link `token` opens, if it is valid now; None for any other token (unknown,
    expired, revoked: the contractor is told the same, and so is someone guessing)."""
    if not token or len(token) > 100:
        return None
    link = PortalLink.objects.select_related("screening__contractor").filter(
        token_hash=digest(token)).first()
    if link is None or link.state != "valid":
        return None
    return link


def actor_for(link: PortalLink, request_id: str) -> Actor:
    """Whom the change log names for what the contractor writes through `link`."""
    return Actor(None, f"portal:{link.pk} {link.screening.contractor.code}", "portal",
                 request_id)


def over_limit(address: str, weight: int = 1) -> bool:
    """Counts a request from `address` in the current minute; True once it is over the
    limit. The count lives in the shared cache (the database cache by default), so it holds
    across workers and hosts."""
    key = f"mamori:portal:{address}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key, weight)
    except ValueError:  # expired between add and incr
        cache.set(key, weight, timeout=120)
        count = weight
    return count > REQUESTS_PER_MINUTE
