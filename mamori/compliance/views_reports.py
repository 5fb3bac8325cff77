"""The compliance register report (policy Art 11): the obligations the reader may see grouped
by source, with their latest evaluations, a summary, the amendments coming and the regulatory
actions open, on the page or as a file (?format=pdf|xlsx)."""

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from mamori.compliance import reports
from mamori.compliance.models import Obligation
from mamori.core.scope import VIEW, can
from mamori.core.views import generic


class ComplianceReport(generic.ModelViewMixin, TemplateView):
    """For whoever may view obligations (information managers their departments', the CISO
    and auditors all); staff without such a scope are refused."""

    model = Obligation
    template_name = "compliance/report.html"

    def get(self, request, *args, **kwargs):
        if not can(request.user, Obligation, VIEW):
            raise PermissionDenied
        report = reports.build(request.user)
        fmt = request.GET.get("format")
        if fmt == "pdf":
            return reports.pdf_response(report)
        if fmt == "xlsx":
            return reports.xlsx_response(report)
        return self.render_to_response(self.base_context(report=report))
