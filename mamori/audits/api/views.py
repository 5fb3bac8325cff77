from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.audits import filtersets, workflow
from mamori.audits.api import serializers
from mamori.audits.evidence_requests import answer_request
from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
)
from mamori.core.api.errors import run_step
from mamori.core.api.viewsets import ScopedModelViewSet


class AuditProgrammeViewSet(ScopedModelViewSet):
    model = AuditProgramme
    serializer_class = serializers.AuditProgrammeSerializer
    filterset_class = filtersets.AuditProgrammeFilterSet


class AuditViewSet(ScopedModelViewSet):
    model = Audit
    serializer_class = serializers.AuditSerializer
    filterset_class = filtersets.AuditFilterSet
    linked_fields = ("departments", "articles", "requirements", "controls", "contractors",
                     "team")

    def stepped(self, name):
        audit = self.get_object()
        run_step(workflow.STEPS[name].function, self.request.user, audit)
        audit.refresh_from_db()
        return Response(self.get_serializer(audit).data)

    @extend_schema(request=None, responses=serializers.AuditSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start fieldwork: the checklist is generated from the scope."""
        return self.stepped("start")

    @extend_schema(request=None, responses=serializers.AuditSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Start reporting, once every checklist item has a result."""
        return self.stepped("report")

    @extend_schema(request=None, responses=serializers.AuditSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the audit, once its nonconformities are raised and its conclusion written."""
        return self.stepped("close")


class ChecklistItemViewSet(ScopedModelViewSet):
    model = ChecklistItem
    serializer_class = serializers.ChecklistItemSerializer
    filterset_class = filtersets.ChecklistItemFilterSet
    linked_fields = ("evidence",)


class AuditSettingsViewSet(ScopedModelViewSet):
    model = AuditSettings
    serializer_class = serializers.AuditSettingsSerializer
    filterset_class = filtersets.AuditSettingsFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]


class EvidenceRequestViewSet(ScopedModelViewSet):
    model = EvidenceRequest
    serializer_class = serializers.AuditEvidenceRequestSerializer
    filterset_class = filtersets.EvidenceRequestFilterSet
    linked_fields = ("evidence",)

    @extend_schema(request=serializers.AnswerSerializer,
                   responses=serializers.AuditEvidenceRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The one asked answers: the answer and the ids of evidence they may see."""
        asked = self.get_object()
        data = serializers.AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_step(answer_request, request.user, asked, data.validated_data["response"],
                 data.validated_data["evidence"])
        asked.refresh_from_db()
        return Response(self.get_serializer(asked).data)


class AuditCertificateViewSet(ScopedModelViewSet):
    model = AuditCertificate
    serializer_class = serializers.AuditCertificateSerializer
    filterset_class = filtersets.AuditCertificateFilterSet
