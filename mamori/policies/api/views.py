from django.db import IntegrityError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.core.api.errors import run_step
from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.policies import acknowledge, coverage, filtersets, workflow
from mamori.policies.api import serializers
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion


class PolicyDocumentViewSet(ScopedModelViewSet):
    model = PolicyDocument
    serializer_class = serializers.PolicyDocumentSerializer
    filterset_class = filtersets.PolicyDocumentFilterSet

    @extend_schema(responses=serializers.CoverageSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def coverage(self, request, pk=None):
        document = self.get_object()
        if not workflow.sees_coverage(request.user):
            raise exceptions.PermissionDenied()
        cov = coverage.coverage(document)
        return Response(serializers.CoverageSerializer({
            "document": document.pk, "version": cov.version.pk if cov.version else None,
            "total": cov.total, "acknowledged": cov.acknowledged, "pending": cov.pending,
            "overdue": cov.overdue, "percent": cov.percent}).data)

    @extend_schema(request=serializers.NewVersionSerializer,
                   responses={201: serializers.PolicyVersionSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        document = self.get_object()
        data = serializers.NewVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = run_step(workflow.new_draft, request.user, document, **data.validated_data)
        return Response(serializers.PolicyVersionSerializer(
            draft, context=self.get_serializer_context()).data, status=201)


class PolicyVersionViewSet(ScopedModelViewSet):
    model = PolicyVersion
    serializer_class = serializers.PolicyVersionSerializer
    filterset_class = filtersets.PolicyVersionFilterSet
    select_related = ("document",)
    linked_fields = ("audience_departments",)

    def _step(self, request, name):
        version = self.get_object()
        run_step(workflow.STEPS[name].function, request.user, version)
        return Response(self.get_serializer(version).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, "submit")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, "approve")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request, pk=None):
        return self._step(request, "return")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._step(request, "publish")

    @extend_schema(request=None, responses={201: serializers.AcknowledgementSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        version = self.get_object()
        try:
            ack = run_step(acknowledge.acknowledge, request._request, version)
        except IntegrityError as exc:
            raise exceptions.ValidationError(
                {"detail": _("You have already acknowledged this version.")}) from exc
        return Response(serializers.AcknowledgementSerializer(
            ack, context=self.get_serializer_context()).data, status=201)


class AcknowledgementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """Acknowledgements are evidence: read-only here; made with POST
    /api/policies/versions/{id}/acknowledge/ by the person themselves."""

    serializer_class = serializers.AcknowledgementSerializer
    filterset_class = filtersets.AcknowledgementFilterSet

    def get_queryset(self):
        return Acknowledgement.objects.restrict(self.request.user).select_related(
            "person", "version").order_by("pk")


class PolicyReviewViewSet(ScopedModelViewSet):
    model = PolicyReview
    serializer_class = serializers.PolicyReviewSerializer
    filterset_class = filtersets.PolicyReviewFilterSet
