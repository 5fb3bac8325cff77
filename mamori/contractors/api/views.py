from mamori.contractors import filtersets
from mamori.contractors.api import serializers
from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.core.api.viewsets import ScopedModelViewSet


class ContractorViewSet(ScopedModelViewSet):
    model = Contractor
    serializer_class = serializers.ContractorSerializer
    filterset_class = filtersets.ContractorFilterSet


class TierRuleViewSet(ScopedModelViewSet):
    model = TierRule
    serializer_class = serializers.TierRuleSerializer
    filterset_class = filtersets.TierRuleFilterSet


class ScreeningRequirementViewSet(ScopedModelViewSet):
    model = ScreeningRequirement
    serializer_class = serializers.ScreeningRequirementSerializer
    filterset_class = filtersets.ScreeningRequirementFilterSet
    linked_fields = ("controls",)


class ScreeningViewSet(ScopedModelViewSet):
    model = Screening
    serializer_class = serializers.ScreeningSerializer
    filterset_class = filtersets.ScreeningFilterSet


class ScreeningAnswerViewSet(ScopedModelViewSet):
    """Answers are made with their screening and never deleted on their own; an assessed
    screening's answers are refused by the model (kept as assessed)."""

    model = ScreeningAnswer
    serializer_class = serializers.ScreeningAnswerSerializer
    filterset_class = filtersets.ScreeningAnswerFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]


class ContractViewSet(ScopedModelViewSet):
    model = Contract
    serializer_class = serializers.ContractSerializer
    filterset_class = filtersets.ContractFilterSet


class CertificateViewSet(ScopedModelViewSet):
    model = Certificate
    serializer_class = serializers.CertificateSerializer
    filterset_class = filtersets.CertificateFilterSet


class ContractorSettingsViewSet(ScopedModelViewSet):
    model = ContractorSettings
    serializer_class = serializers.ContractorSettingsSerializer
    filterset_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]


class SubcontractingViewSet(ScopedModelViewSet):
    model = Subcontracting
    serializer_class = serializers.SubcontractingSerializer
    filterset_class = filtersets.SubcontractingFilterSet
