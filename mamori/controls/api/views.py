from mamori.controls import filtersets
from mamori.controls.api import serializers
from mamori.controls.models import Control, Evidence, Framework, Requirement, RequirementMapping
from mamori.core.api.viewsets import ScopedModelViewSet


class ControlViewSet(ScopedModelViewSet):
    model = Control
    serializer_class = serializers.ControlSerializer
    filterset_class = filtersets.ControlFilterSet


class EvidenceViewSet(ScopedModelViewSet):
    model = Evidence
    serializer_class = serializers.EvidenceSerializer
    filterset_class = filtersets.EvidenceFilterSet


class FrameworkViewSet(ScopedModelViewSet):
    model = Framework
    serializer_class = serializers.FrameworkSerializer
    filterset_class = filtersets.FrameworkFilterSet


class RequirementViewSet(ScopedModelViewSet):
    model = Requirement
    serializer_class = serializers.RequirementSerializer
    filterset_class = filtersets.RequirementFilterSet
    linked_fields = ("controls",)


class RequirementMappingViewSet(ScopedModelViewSet):
    model = RequirementMapping
    serializer_class = serializers.RequirementMappingSerializer
    filterset_class = filtersets.RequirementMappingFilterSet
