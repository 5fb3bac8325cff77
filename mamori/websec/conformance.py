"""The conformance check of the policy's web section: web systems handling personal data use
TLS for authentication, encryption and integrity — verified by a recent scan."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import Result, register
from mamori.websec.models import WebEndpoint


@register(
    "websec.web.tls_verified",
    article="web",
    title=_("Every web endpoint handling personal data passes authentication, encryption and "
            "integrity on a recent scan"),
    description=_("The policy promises TLS with server authentication, encryption and integrity "
                  "on web systems that handle personal information. A scan older than the "
                  "endpoint's schedule allows (twice its interval) does not count."),
)
def endpoints_verified() -> Result:
    endpoints = WebEndpoint.objects.filter(active=True).handling_personal_data()
    total = endpoints.count()
    if not total:
        return Result.not_applicable(_("No active endpoint handles personal data."))
    passing = Q(verified_until__gte=timezone.now(), authentication_ok=True,
                encryption_ok=True, integrity_ok=True)
    failing = endpoints.exclude(passing).select_related("department")
    return Result.every_one_of(total, failing)
