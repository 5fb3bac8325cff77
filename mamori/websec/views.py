import datetime

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from mamori.core import badges
from mamori.core.scope import VIEW
from mamori.core.views import generic
from mamori.websec import filtersets, forms, report, service, tables
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint, WebSecuritySettings

ENDPOINT_DETAIL_FIELDS = ["name", "url", "host", "port", "server_name", "purpose",
                          "handles_personal_info", "handles_card_data", "department", "profile",
                          "client_cert_required", "scan_every_hours",
                          "certificate_check_every_hours", "active", "last_full_scan_at",
                          "last_certificate_check_at", "certificate_expires_at"]


class WebEndpointList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The company's web systems that handle personal data, and whether their TLS "
        "protects authentication, encryption and integrity.")
    model = WebEndpoint
    filterset_class = filtersets.WebEndpointFilterSet
    table_class = tables.WebEndpointTable
    resource_class = tables.WebEndpointResource
    template_name = "websec/webendpoint_list.html"


class WebEndpointDetail(generic.ScopedDetailView):
    model = WebEndpoint
    fields = ENDPOINT_DETAIL_FIELDS
    template_name = "websec/webendpoint_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "can_scan": self.can_change,
            "scan_form": forms.ScanForm(),
            "findings": obj.findings.restrict(user).open().order_by("promise", "code"),
            "scans": obj.scans.restrict(user).defer("result").order_by("-started_at")[:30],
            "verdicts": [(service.promise_label(name), getattr(obj, f"{name}_ok"))
                         for name in ("authentication", "encryption", "integrity")],
            "scan_request": latest_scan_request(obj),
        }


SHOW_FINISHED_REQUEST = datetime.timedelta(minutes=10)


def latest_scan_request(endpoint):
    """The endpoint's newest "Scan now": shown while it waits or runs, and for a while after,
    with a link to its report."""
    row = endpoint.scan_requests.select_related("scan").order_by("-created_at", "-pk").first()
    if row is None or (row.pending and not row.given_up()):
        return row
    if row.finished_at and timezone.now() - row.finished_at < SHOW_FINISHED_REQUEST:
        row.outcome = outcome_text(row.scan) if row.scan else ""
        return row
    return None


class WebEndpointCreate(generic.ScopedCreateView):
    model = WebEndpoint
    form_class = forms.WebEndpointForm


class WebEndpointUpdate(generic.ScopedUpdateView):
    model = WebEndpoint
    form_class = forms.WebEndpointForm


class WebEndpointDelete(generic.ScopedDeleteView):
    model = WebEndpoint


class WebEndpointBulkDelete(generic.ScopedBulkDeleteView):
    model = WebEndpoint


class WebEndpointImport(generic.ScopedImportView):
    model = WebEndpoint
    form_class = forms.WebEndpointForm
    resource_class = tables.WebEndpointResource


class WebEndpointHistory(generic.ObjectHistoryView):
    model = WebEndpoint


class WebEndpointScan(generic.ModelActionView):
    """The "Scan now" button: queues the scan for a worker (it takes seconds, a web worker is
    not held for it) and returns to the endpoint, whose page shows the scan's progress."""

    model = WebEndpoint

    def post(self, request, *args, **kwargs):
        endpoint = self.get_object(VIEW)
        form = forms.ScanForm(request.POST)
        kind = form.cleaned_data["kind"] if form.is_valid() else "full"
        _row, queued = service.request_scan(endpoint, request.user, kind)
        if queued:
            messages.info(request, _("The scan of %(endpoint)s is queued; this page shows "
                                     "its progress.") % {"endpoint": endpoint})
        else:
            messages.info(request, _("A scan of %(endpoint)s is already queued.")
                          % {"endpoint": endpoint})
        return HttpResponseRedirect(endpoint.get_absolute_url())


class WebEndpointScanStatus(generic.ModelViewMixin, View):
    """The state of the endpoint's newest "Scan now", as the fragment its page polls."""

    model = WebEndpoint

    def get(self, request, *args, **kwargs):
        endpoint = self.get_object(VIEW)
        return render(request, "websec/_scan_status.html",
                      {"object": endpoint, "scan_request": latest_scan_request(endpoint)})


outcome_text = service.outcome_text


class TlsScanList(generic.ScopedListView):
    model = TlsScan
    filterset_class = filtersets.TlsScanFilterSet
    table_class = tables.TlsScanTable
    resource_class = tables.TlsScanResource


class TlsScanDetail(generic.ScopedDetailView):
    model = TlsScan
    fields = ["endpoint", "kind", "status", "started_at", "finished_at", "requested_by",
              "profile_code", "profile_version", "authentication_ok", "encryption_ok",
              "integrity_ok", "profile_ok", "certificate_expires_at", "result_sha256",
              "evidence"]
    template_name = "websec/tlsscan_detail.html"
    VERDICTS = ("authentication_ok", "encryption_ok", "integrity_ok", "profile_ok")

    def field_rows(self, obj):
        rows = super().field_rows(obj)
        if not (obj.incomplete or (obj.result or {}).get("error")):
            return rows
        # A scan that did not complete has no verdicts, whatever a row written before that
        # rule stored (issue 16 #5): they read "not checked", not "fail".
        unknown = {str(self.opts.get_field(name).verbose_name) for name in self.VERDICTS}
        return [(label, badges.verdict_badge(None) if str(label) in unknown else value)
                for label, value in rows]

    def extra_context(self, obj):
        return {"report": report.build(obj)}


class TlsScanReport(generic.ModelViewMixin, View):
    """The readable report (HTML page or PDF) and the raw result (JSON) of one scan."""

    model = TlsScan

    def get(self, request, *args, **kwargs):
        row = self.get_object(VIEW)
        return report.response(row, kwargs["format"], request)


class TlsScanHistory(generic.ObjectHistoryView):
    model = TlsScan


class TlsFindingList(generic.ScopedListView):
    model = TlsFinding
    filterset_class = filtersets.TlsFindingFilterSet
    table_class = tables.TlsFindingTable
    resource_class = tables.TlsFindingResource


class TlsFindingDetail(generic.ScopedDetailView):
    model = TlsFinding
    fields = ["endpoint", "code", "promise", "level", "opened_at", "last_seen_at",
              "closed_at", "opened_by_scan", "closed_by_scan"]

    def extra_context(self, obj):
        return {"description": obj.text}


class TlsFindingHistory(generic.ObjectHistoryView):
    model = TlsFinding


class TlsProfileList(generic.ScopedListView):
    model = TlsProfile
    filterset_class = filtersets.TlsProfileFilterSet
    table_class = tables.TlsProfileTable
    resource_class = tables.TlsProfileResource


class TlsProfileDetail(generic.ScopedDetailView):
    model = TlsProfile
    fields = ["code", "name_ja", "name_en", "source", "version", "definition"]


class TlsProfileCreate(generic.ScopedCreateView):
    model = TlsProfile
    form_class = forms.TlsProfileForm


class TlsProfileUpdate(generic.ScopedUpdateView):
    model = TlsProfile
    form_class = forms.TlsProfileForm


class TlsProfileDelete(generic.ScopedDeleteView):
    model = TlsProfile


class TlsProfileBulkDelete(generic.ScopedBulkDeleteView):
    model = TlsProfile


class TlsProfileImport(generic.ScopedImportView):
    model = TlsProfile
    form_class = forms.TlsProfileForm
    resource_class = tables.TlsProfileResource


class TlsProfileHistory(generic.ObjectHistoryView):
    model = TlsProfile


class WebSecuritySettingsList(generic.SettingsRowView):
    model = WebSecuritySettings


class WebSecuritySettingsDetail(generic.ScopedDetailView):
    model = WebSecuritySettings
    fields = ["company_ca_pem", "expiry_warning_days", "control"]


class WebSecuritySettingsUpdate(generic.ScopedUpdateView):
    model = WebSecuritySettings
    form_class = forms.WebSecuritySettingsForm


class WebSecuritySettingsHistory(generic.ObjectHistoryView):
    model = WebSecuritySettings

