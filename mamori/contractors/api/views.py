from mamori.contractors import filtersets
from mamori.contractors.api import serializers
from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
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
