from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.risks import filtersets
from mamori.risks.api import serializers
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, RiskMethodology, Threat


class ThreatViewSet(ScopedModelViewSet):
    model = Threat
    serializer_class = serializers.ThreatSerializer
    filterset_class = filtersets.ThreatFilterSet


class RiskMethodologyViewSet(ScopedModelViewSet):
    model = RiskMethodology
    serializer_class = serializers.RiskMethodologySerializer
    filterset_class = filtersets.RiskMethodologyFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]


class RiskBandViewSet(ScopedModelViewSet):
    model = RiskBand
    serializer_class = serializers.RiskBandSerializer
    filterset_class = filtersets.RiskBandFilterSet


class RiskViewSet(ScopedModelViewSet):
    model = Risk
    serializer_class = serializers.RiskSerializer
    filterset_class = filtersets.RiskFilterSet
    linked_fields = ("assets", "controls")


class RiskAcceptanceViewSet(ScopedModelViewSet):
    model = RiskAcceptance
    serializer_class = serializers.RiskAcceptanceSerializer
    filterset_class = filtersets.RiskAcceptanceFilterSet
