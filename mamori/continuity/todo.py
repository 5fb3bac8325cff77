"""What an information manager (or the CISO) should attend to for the processes they keep,
on "My page": impact analyses waiting for their approval, analyses whose yearly review is due
within a month or past, and, for the CISO, the critical processes with dependency gaps that
are neither fixed nor accepted. Each list is bounded; the gaps are one graph load."""

import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from mamori.continuity import gaps
from mamori.continuity.models import BusinessProcess, ImpactAnalysis
from mamori.contractors.workflow import decides_for_the_company
from mamori.core.scope import CHANGE

SHOWN = 10
REVIEW_WARNING_DAYS = 30


def my_page_panel(request, person):
    user = request.user
    today = timezone.localdate()
    kept = BusinessProcess.objects.restrict(user, CHANGE).filter(is_active=True)
    to_approve = list(ImpactAnalysis.objects.filter(
        status=ImpactAnalysis.Status.DRAFT, process__in=kept).select_related(
        "process").order_by("analysed_on", "pk")[:SHOWN])
    standing = ImpactAnalysis.objects.latest_approved().filter(process=OuterRef("process"))
    review_due = list(ImpactAnalysis.objects.filter(
        pk=Subquery(standing.values("pk")[:1]), process__in=kept,
        review_due_on__lte=today + datetime.timedelta(days=REVIEW_WARNING_DAYS)).select_related(
        "process").order_by("review_due_on", "pk")[:SHOWN])
    with_gaps = []
    if decides_for_the_company(user):
        critical = BusinessProcess.objects.critical().values_list("pk", flat=True)
        with_gaps = list(BusinessProcess.objects.filter(
            pk__in=gaps.with_open_gaps(critical)).order_by("code")[:SHOWN])
    if not (to_approve or review_due or with_gaps):
        return None
    return {"to_approve": to_approve, "review_due": review_due, "with_gaps": with_gaps,
            "today": today}
