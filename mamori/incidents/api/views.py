from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.core.api.errors import run_step
from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.incidents import filtersets, workflow
from mamori.incidents.api import serializers
from mamori.incidents.forms import announce
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentEntry,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)


class IncidentViewSet(ScopedModelViewSet):
    """Incidents are evidence: they are closed, never deleted."""

    model = Incident
    serializer_class = serializers.IncidentSerializer
    filterset_class = filtersets.IncidentFilterSet
    select_related = ("department",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    linked_fields = ("assets", "threats", "risks", "controls", "contractors")

    def perform_create(self, serializer):
        # One transaction: the notification task commits with the report or not at all.
        with transaction.atomic():
            super().perform_create(serializer)
            announce(serializer.instance)

    @extend_schema(request=serializers.TransitionSerializer,
                   responses=serializers.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the incident forward in its lifecycle (stamping each stage reached)."""
        incident = self.get_object()
        data = serializers.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow.check_can_handle(incident, request.user)
        run_step(workflow.move_to, incident, data.validated_data["status"], request.user,
                 data.validated_data["note"])
        return Response(self.get_serializer(incident).data)


class IncidentEntryViewSet(ScopedModelViewSet):
    """The timeline: read it and add notes; an entry is never changed or deleted."""

    model = IncidentEntry
    serializer_class = serializers.IncidentEntrySerializer
    filterset_class = filtersets.IncidentEntryFilterSet
    select_related = ("incident", "author")
    http_method_names = ["get", "post", "head", "options"]

    def _save_in_scope(self, serializer, action_name):
        serializer.validated_data["author"] = workflow.person_of(self.request.user)
        super()._save_in_scope(serializer, action_name)


class RecoveryActionViewSet(ScopedModelViewSet):
    model = RecoveryAction
    serializer_class = serializers.RecoveryActionSerializer
    filterset_class = filtersets.RecoveryActionFilterSet


class BreachAssessmentViewSet(ScopedModelViewSet):
    model = BreachAssessment
    serializer_class = serializers.BreachAssessmentSerializer
    filterset_class = filtersets.BreachAssessmentFilterSet
    select_related = ("incident",)

    def _save_in_scope(self, serializer, action_name):
        # Saving the answers also records the outcome and drafts the reports it requires.
        if serializer.instance is None:
            serializer.validated_data["assessed_by"] = workflow.person_of(self.request.user)
        super()._save_in_scope(serializer, action_name)
        workflow.record_assessment(serializer.instance, self.request.user)


class RegulatoryReportViewSet(ScopedModelViewSet):
    model = RegulatoryReport
    serializer_class = serializers.RegulatoryReportSerializer
    filterset_class = filtersets.RegulatoryReportFilterSet
    select_related = ("incident",)


class BreachRuleViewSet(ScopedModelViewSet):
    model = BreachRule
    serializer_class = serializers.BreachRuleSerializer
    filterset_class = filtersets.BreachRuleFilterSet


class ResponseTargetViewSet(ScopedModelViewSet):
    model = ResponseTarget
    serializer_class = serializers.ResponseTargetSerializer
    filterset_class = filtersets.ResponseTargetFilterSet


class IncidentSettingsViewSet(ScopedModelViewSet):
    model = IncidentSettings
    serializer_class = serializers.IncidentSettingsSerializer
    filterset_class = filtersets.IncidentSettingsFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]
