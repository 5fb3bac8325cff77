"""The conformance check of the policy's web section: web systems handling personal data use
TLS for authentication, encryption and integrity — verified by a recent scan."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import Result, percent, register
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
    # The last full scan did not complete: not checked, so neither passing nor failing.
    unknown = Q(last_full_scan_at__isnull=False, authentication_ok__isnull=True)
    not_checked = endpoints.filter(unknown).count()
    checked = total - not_checked
    detail = _("%(count)s endpoint(s) not checked: the last scan did not complete, so their "
               "verdicts are unknown (counted neither as passing nor as failing).") % {
        "count": not_checked} if not_checked else ""
    if not checked:
        return Result.not_applicable(detail)
    failing = endpoints.exclude(passing).exclude(unknown).select_related("department")
    missing = failing.count()
    return Result.from_failing(failing, value=percent(checked - missing, checked),
                               threshold=100.0, unit="%", count=missing, detail=detail)
