"""Conformance checks for policy Art 7: the company audits its information security. Within
the audit cycle (a setting; one year unless changed) closed internal audits have covered
every active department and every article of the policy."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.audits.coverage import closed_in_cycle, covered_articles, covered_department_ids
from mamori.audits.models import PolicyArticle
from mamori.core.conformance import every_row_passes, register
from mamori.org.models import Department


@register(
    "audits.art7.departments_covered",
    article="7",
    title=_("Every active department was covered by a closed internal audit in the cycle"),
    description=_("An internal audit of a department covers the departments below it too; "
                  "the failing objects are the active departments no internal audit closed "
                  "within the audit cycle has covered."),
)
def departments_covered():
    covered = covered_department_ids(closed_in_cycle())
    return every_row_passes(Department.objects.active(), ~Q(pk__in=covered),
                            _("There is no active department."))


@register(
    "audits.art7.articles_covered",
    article="7",
    title=_("Every policy article was covered by a closed internal audit in the cycle"),
    description=_("The failing objects are the articles of the policy that no internal "
                  "audit closed within the audit cycle had in its scope."),
)
def articles_covered():
    covered = covered_articles(closed_in_cycle()).values("pk")
    return every_row_passes(PolicyArticle.objects.all(), ~Q(pk__in=covered),
                            _("The policy has no articles."))
