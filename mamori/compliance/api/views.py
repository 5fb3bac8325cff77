from mamori.compliance import filtersets
from mamori.compliance.api import serializers
from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core.api.viewsets import ScopedModelViewSet


class LegalSourceViewSet(ScopedModelViewSet):
    model = LegalSource
    serializer_class = serializers.LegalSourceSerializer
    filterset_class = filtersets.LegalSourceFilterSet


class SourceVersionViewSet(ScopedModelViewSet):
    model = SourceVersion
    linked_fields = ("affected",)
    serializer_class = serializers.SourceVersionSerializer
    filterset_class = filtersets.SourceVersionFilterSet


class ObligationViewSet(ScopedModelViewSet):
    model = Obligation
    linked_fields = ("controls", "policy_sections", "requirements", "breach_rules")
    serializer_class = serializers.ObligationSerializer
    filterset_class = filtersets.ObligationFilterSet


class EvaluationViewSet(ScopedModelViewSet):
    model = Evaluation
    serializer_class = serializers.EvaluationSerializer
    filterset_class = filtersets.EvaluationFilterSet


class ComplianceExceptionViewSet(ScopedModelViewSet):
    model = ComplianceException
    serializer_class = serializers.ComplianceExceptionSerializer
    filterset_class = filtersets.ComplianceExceptionFilterSet


class ImpactAssessmentViewSet(ScopedModelViewSet):
    # Raised by an amendment: read and assessed here, never added or deleted.
    http_method_names = ["get", "put", "patch", "head", "options"]
    model = ImpactAssessment
    serializer_class = serializers.ImpactAssessmentSerializer
    filterset_class = filtersets.ImpactAssessmentFilterSet


class RegulatoryActionViewSet(ScopedModelViewSet):
    model = RegulatoryAction
    linked_fields = ("obligations", "incidents")
    serializer_class = serializers.RegulatoryActionSerializer
    filterset_class = filtersets.RegulatoryActionFilterSet
