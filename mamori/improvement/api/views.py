from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.core.api.errors import run_step
from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.improvement import filtersets, workflow
from mamori.improvement.api import serializers
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)


class NonconformityViewSet(ScopedModelViewSet):
    model = Nonconformity
    serializer_class = serializers.NonconformitySerializer
    filterset_class = filtersets.NonconformityFilterSet

    def stepped(self, function, *args, **kwargs):
        nc = self.get_object()
        run_step(function, self.request.user, nc, *args, **kwargs)
        nc.refresh_from_db()
        return Response(self.get_serializer(nc).data)

    @extend_schema(request=None, responses=serializers.NonconformitySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the corrective-action plan (the CISO): needs a root cause and an action."""
        return self.stepped(workflow.approve_plan)

    @extend_schema(request=serializers.CheckRequestSerializer,
                   responses=serializers.NonconformitySerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Record an effectiveness check (the CISO); not effective opens it again."""
        data = serializers.CheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.stepped(workflow.record_check, **data.validated_data)

    @extend_schema(request=None, responses=serializers.NonconformitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close it (the CISO), after a check found the actions effective."""
        return self.stepped(workflow.close)


class CorrectiveActionViewSet(ScopedModelViewSet):
    model = CorrectiveAction
    serializer_class = serializers.CorrectiveActionSerializer
    filterset_class = filtersets.CorrectiveActionFilterSet


class EffectivenessCheckViewSet(ScopedModelViewSet):
    """Checks are recorded by POST /nonconformities/{id}/check/ and never changed."""

    model = EffectivenessCheck
    serializer_class = serializers.EffectivenessCheckSerializer
    filterset_class = filtersets.EffectivenessCheckFilterSet
    http_method_names = ["get", "head", "options"]


class ImprovementActionViewSet(ScopedModelViewSet):
    model = ImprovementAction
    serializer_class = serializers.ImprovementActionSerializer
    filterset_class = filtersets.ImprovementActionFilterSet


class ImprovementSettingsViewSet(ScopedModelViewSet):
    model = ImprovementSettings
    serializer_class = serializers.ImprovementSettingsSerializer
    filterset_class = filtersets.ImprovementSettingsFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]
