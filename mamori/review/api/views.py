from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from mamori.core.api.errors import run_step
from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.review import filtersets, workflow
from mamori.review.api import serializers
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
    ReviewSettings,
)


class MeasureViewSet(ScopedModelViewSet):
    model = Measure
    select_related = ("owner",)
    serializer_class = serializers.MeasureSerializer
    filterset_class = filtersets.MeasureFilterSet


class MeasurementViewSet(ScopedModelViewSet):
    model = Measurement
    serializer_class = serializers.MeasurementSerializer
    filterset_class = filtersets.MeasurementFilterSet


class ObjectiveViewSet(ScopedModelViewSet):
    model = Objective
    linked_fields = ("measures",)
    serializer_class = serializers.ObjectiveSerializer
    filterset_class = filtersets.ObjectiveFilterSet


class ManagementReviewViewSet(ScopedModelViewSet):
    model = ManagementReview
    linked_fields = ("attendees",)
    serializer_class = serializers.ManagementReviewSerializer
    filterset_class = filtersets.ManagementReviewFilterSet

    def stepped(self, function, *args):
        review = self.get_object()
        run_step(function, self.request.user, review, *args)
        review.refresh_from_db()
        return Response(self.get_serializer(review).data)

    @extend_schema(request=None, responses=serializers.ManagementReviewSerializer)
    @action(detail=True, methods=["post"])
    def freeze(self, request, pk=None):
        """Freeze the inputs into the review's pack (the CISO): records the built-in
        measures of the current period and keeps what the review reads as it is now."""
        return self.stepped(workflow.freeze)

    @extend_schema(request=serializers.HoldRequestSerializer,
                   responses=serializers.ManagementReviewSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Record the minutes (the CISO), once the meeting has taken place: the review was
        held, and nothing in it changes any more."""
        data = serializers.HoldRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.stepped(workflow.hold, data.validated_data["minutes"])


class ReviewPackViewSet(ScopedModelViewSet):
    """Packs are made by freezing a review (POST /reviews/{id}/freeze/), never written."""

    model = ReviewPack
    select_related = ("review",)
    serializer_class = serializers.ReviewPackSerializer
    filterset_class = filtersets.ReviewPackFilterSet
    http_method_names = ["get", "head", "options"]


class ReviewDecisionViewSet(ScopedModelViewSet):
    model = ReviewDecision
    serializer_class = serializers.ReviewDecisionSerializer
    filterset_class = filtersets.ReviewDecisionFilterSet


class ReviewSettingsViewSet(ScopedModelViewSet):
    model = ReviewSettings
    serializer_class = serializers.ReviewSettingsSerializer
    filterset_class = filtersets.ReviewSettingsFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]
