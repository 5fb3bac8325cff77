"""The upcoming legal changes: the versions of sources not yet in force (and those that took
effect lately), each with how far the reader's impact assessments have got."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from mamori.compliance.models import ImpactAssessment, SourceVersion
from mamori.core.scope import restrict
from mamori.core.views import generic

# Versions that took effect within this many days are still shown: their assessments may be
# late, which is what the Art 11 check (c) reports.
RECENT_DAYS = 90


class UpcomingChanges(generic.ModelViewMixin, TemplateView):
    """Everyone who may read the register (sources are a catalogue) sees the dates; the
    assessment counts are of the assessments the reader may see."""

    model = SourceVersion
    template_name = "compliance/upcoming.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        since = today - datetime.timedelta(days=RECENT_DAYS)
        visible = restrict(ImpactAssessment.objects.all(), request.user).values("pk")
        versions = (SourceVersion.objects.restrict(request.user)
                    .filter(effective_on__gte=since).select_related("source")
                    .annotate(open_count=Count("impact_assessments", filter=Q(
                        impact_assessments__status=ImpactAssessment.Status.OPEN,
                        impact_assessments__in=visible)),
                              done_count=Count("impact_assessments", filter=Q(
                                  impact_assessments__in=visible) & ~Q(
                                  impact_assessments__status=ImpactAssessment.Status.OPEN)))
                    .order_by("effective_on", "pk")[:500])
        return self.render_to_response(self.base_context(
            versions=versions, today=today, recent_days=RECENT_DAYS))
