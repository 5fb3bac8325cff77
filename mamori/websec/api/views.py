from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.websec import filtersets, service
from mamori.websec.api import serializers as s
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint, WebSecuritySettings


class ScanKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TlsScan.Kind.choices, default=TlsScan.Kind.FULL)


class WebEndpointViewSet(ScopedModelViewSet):
    model = WebEndpoint
    serializer_class = s.WebEndpointSerializer
    filterset_class = filtersets.WebEndpointFilterSet

    @extend_schema(request=ScanKindSerializer, responses={202: s.ScanRequestSerializer})
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """Queue a scan of the endpoint, as the page's "Scan now" does: a worker runs it (a
        scan takes seconds to minutes, no request is held for it). Answers 202 with the
        request; read `status_url` until its status is done or failed, then the scan it
        produced (`scan`). A scan of the endpoint already queued is answered instead of a
        second one."""
        endpoint = self.get_object()
        data = ScanKindSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row, _queued = service.request_scan(endpoint, request.user, data.validated_data["kind"])
        body = s.ScanRequestSerializer(row, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["status_url"]})

    @extend_schema(
        request=None, responses={200: s.ScanRequestSerializer},
        parameters=[OpenApiParameter("request_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                     description="The scan request's id.")])
    @action(detail=True, methods=["get"], url_path=r"scan-requests/(?P<request_id>[0-9]+)",
            url_name="scan-request", filter_backends=[], pagination_class=None)
    def scan_request(self, request, pk=None, request_id=None):
        """The state of a scan queued through `scan`: queued, running, done or failed; when
        done, `scan` is the scan it produced."""
        endpoint = self.get_object()
        row = endpoint.scan_requests.filter(pk=request_id).first()
        if row is None:
            raise Http404
        row.given_up()  # a task given up by the sweep is recorded as failed here
        return Response(s.ScanRequestSerializer(row, context={"request": request}).data)


class TlsScanViewSet(ScopedModelViewSet):
    """Scans are written by the scanner; read them here (`result` on a single scan)."""

    model = TlsScan
    serializer_class = s.TlsScanSerializer
    filterset_class = filtersets.TlsScanFilterSet
    select_related = ("endpoint",)
    http_method_names = ["get", "head", "options"]

    def get_serializer_class(self):
        return s.TlsScanWithResultSerializer if self.action == "retrieve" else s.TlsScanSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.action == "retrieve" else queryset.defer("result")


class TlsFindingViewSet(ScopedModelViewSet):
    model = TlsFinding
    serializer_class = s.TlsFindingSerializer
    filterset_class = filtersets.TlsFindingFilterSet
    select_related = ("endpoint",)
    http_method_names = ["get", "head", "options"]


class TlsProfileViewSet(ScopedModelViewSet):
    model = TlsProfile
    serializer_class = s.TlsProfileSerializer
    filterset_class = filtersets.TlsProfileFilterSet


class WebSecuritySettingsViewSet(ScopedModelViewSet):
    model = WebSecuritySettings
    serializer_class = s.WebSecuritySettingsSerializer
    filterset_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]
