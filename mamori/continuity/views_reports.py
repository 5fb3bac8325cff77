"""The continuity reports (policy Art 10): the business impact analysis table, the RTO gap
chart and the exercise results of the processes the reader may see, on the page or as a
file (?format=pdf|xlsx)."""

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from mamori.continuity import reports
from mamori.continuity.models import BusinessProcess
from mamori.core.scope import VIEW, can
from mamori.core.views import generic


class ContinuityReport(generic.ModelViewMixin, TemplateView):
    """For whoever may view business processes (information managers their departments',
    the CISO and auditors all); staff without such a scope are refused."""

    model = BusinessProcess
    template_name = "continuity/report.html"

    def get(self, request, *args, **kwargs):
        if not can(request.user, BusinessProcess, VIEW):
            raise PermissionDenied
        report = reports.build(request.user)
        fmt = request.GET.get("format")
        if fmt == "pdf":
            return reports.pdf_response(report)
        if fmt == "xlsx":
            return reports.xlsx_response(report)
        return self.render_to_response(self.base_context(
            report=report, **reports.chart_context(report)))
