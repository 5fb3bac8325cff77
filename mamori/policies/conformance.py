"""Conformance checks for policy Art 1, 2, 6 and 12."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import FAIL, PASS, Result, register
from mamori.policies import coverage
from mamori.policies.models import PolicyDocument, PolicyReview, PolicyVersion
from mamori.policies.workflow import add_months

Kind = PolicyDocument.Kind


def basic_policy():
    return PolicyDocument.objects.filter(kind=Kind.BASIC_POLICY, is_active=True).first()


def acknowledgement_threshold() -> float:
    return float(getattr(settings, "MAMORI_ACKNOWLEDGEMENT_THRESHOLD", 95.0))


@register(
    "policies.art1.basic_policy_published",
    article="1",
    title=_("A basic policy is approved and published"),
    description=_("The company states its basic principles for securing information in an "
                  "approved, published basic policy."),
)
def basic_policy_published() -> Result:
    published = PolicyVersion.objects.published().filter(
        document__kind=Kind.BASIC_POLICY, document__is_active=True, approved_at__isnull=False)
    count = published.count()
    result = Result(PASS if count else FAIL, value=count, threshold=1)
    if not count:
        result.detail = gettext("No approved basic policy is published.")
    return result


@register(
    "policies.art2.basic_policy_acknowledged",
    article="2",
    title=_("Everyone in scope has acknowledged the current basic policy"),
    description=_("Officers, executive officers, employees and dispatched workers acknowledge "
                  "the current version of the basic policy (after each material change)."),
)
def basic_policy_acknowledged() -> Result:
    threshold = acknowledgement_threshold()
    document = basic_policy()
    if document is None or document.current_version() is None:
        return Result(FAIL, value=0.0, threshold=threshold, unit="%",
                      detail=gettext("No basic policy is published."))
    cov = coverage.coverage(document)
    return Result.from_failing(coverage.pending_people(document), value=cov.percent,
                               threshold=threshold, unit="%",
                               passed=cov.percent >= threshold, count=cov.pending)


@register(
    "policies.art6.internal_rules_current",
    article="6",
    title=_("Every internal rule is published and within its review date"),
    description=_("Internal rules are in force (a published version) and reviewed on time."),
)
def internal_rules_current() -> Result:
    today = timezone.localdate()
    rules = PolicyDocument.objects.filter(kind=Kind.INTERNAL_RULE, is_active=True)
    published = PolicyVersion.objects.published().filter(document=OuterRef("pk"))
    failing = rules.filter(~Q(Exists(published)) | Q(next_review_date__lt=today))
    total = rules.count()
    if total == 0:
        return Result(FAIL, value=0, threshold=1,
                      detail=gettext("No internal rules are registered."))
    missing = failing.count()
    return Result.from_failing(failing, value=total - missing, threshold=total, count=missing)


@register(
    "policies.art12.basic_policy_reviewed",
    article="12",
    title=_("The basic policy was reviewed within its interval"),
    description=_("The basic policy is reviewed in the light of changes in business, "
                  "society, regulation and technology, at least once per review interval."),
)
def basic_policy_reviewed() -> Result:
    document = basic_policy()
    if document is None:
        return Result(FAIL, detail=gettext("No basic policy is registered."))
    last = PolicyReview.objects.filter(document=document).order_by("-reviewed_on").first()
    interval = document.review_interval_months
    threshold = gettext("%(months)s months") % {"months": interval}
    if last is None:
        return Result(FAIL, value=None, threshold=threshold,
                      detail=gettext("The basic policy has never been reviewed."))
    due = add_months(last.reviewed_on, interval)
    days = (timezone.localdate() - last.reviewed_on).days
    result = Result(PASS if due >= timezone.localdate() else FAIL,
                    value=gettext("%(days)s days ago") % {"days": days}, threshold=threshold)
    if result.status == FAIL:
        result.detail = gettext("The review was due on %(date)s.") % {"date": due.isoformat()}
    return result

