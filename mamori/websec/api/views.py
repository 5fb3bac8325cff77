from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.websec import filtersets, service
from mamori.websec.api import serializers as s
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint, WebSecuritySettings


class ScanRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TlsScan.Kind.choices, default=TlsScan.Kind.FULL)


class WebEndpointViewSet(ScopedModelViewSet):
    model = WebEndpoint
    serializer_class = s.WebEndpointSerializer
    filterset_class = filtersets.WebEndpointFilterSet

    @extend_schema(request=ScanRequestSerializer, responses={201: s.TlsScanSerializer})
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """Scan the endpoint now and return the scan (its verdict and problems)."""
        endpoint = self.get_object()
        data = ScanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = service.scan_on_request(endpoint, request.user, data.validated_data["kind"])
        return Response(s.TlsScanSerializer(row, context={"request": request}).data,
                        status=201)


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
