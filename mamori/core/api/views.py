"""Core API endpoints: conformance results, the change log, personal API tokens."""

import functools

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from mamori.core import conformance
from mamori.core import roles as r
from mamori.core.api.pagination import ChangeLogPagination
from mamori.core.api.viewsets import ChangeLogEntrySerializer
from mamori.core.filtersets import ChangeLogApiFilterSet
from mamori.core.models import ApiToken, ChangeLogEntry


def check_serializer(many: bool):
    """The shape of one check's result (GET /api/conformance/<code>/), for the schema: one
    class for both uses (the schema refuses two different components of one name)."""
    return _check_serializer_class()(many=many)


@functools.cache
def _check_serializer_class():
    failing = inline_serializer("FailingObject", {
        "label": serializers.CharField(), "url": serializers.CharField(allow_blank=True)},
        many=True)
    return inline_serializer("ConformanceCheck", {
        "code": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["pass", "fail", "n/a"]),
        "value": serializers.JSONField(allow_null=True),
        "threshold": serializers.JSONField(allow_null=True),
        "unit": serializers.CharField(allow_blank=True),
        "failing_count": serializers.IntegerField(),
        "failing": failing,
        "failing_outside_scope": serializers.IntegerField(
            help_text=_("Failing objects outside your scope: counted, not listed.")),
    }).__class__


def article_serializer():
    """The shape of GET /api/conformance/, for the OpenAPI schema."""
    return inline_serializer("ConformanceArticle", {
        "article": serializers.CharField(),
        "title": serializers.CharField(),
        # not_assessed: the article has no checks yet (its module is not built).
        "status": serializers.ChoiceField(choices=["pass", "fail", "n/a", "not_assessed"]),
        "checks": check_serializer(many=True),
    }, many=True)


def can_see_conformance(user) -> bool:
    return r.roles_for(user).has(r.ADMIN, r.CISO, r.AUDITOR, r.INFORMATION_MANAGER)


class ConformanceView(APIView):
    """Every article of the policy with the current result of each of its checks. Verdicts
    and counts are company-wide; the failing objects listed are those you may view."""

    @extend_schema(responses=article_serializer())
    def get(self, request):
        if not can_see_conformance(request.user):
            raise exceptions.PermissionDenied()
        base = request.build_absolute_uri("/")[:-1]
        return Response(conformance.as_json(conformance.evaluate(request.user), base))


class ConformanceCheckView(APIView):
    """One check's current result, as GET /api/conformance/ gives it among the others: its
    verdict and counts company-wide, its failing objects those you may view."""

    @extend_schema(responses=check_serializer(many=False))
    def get(self, request, code):
        if not can_see_conformance(request.user):
            raise exceptions.PermissionDenied()
        outcome = conformance.evaluate_check(code, request.user)
        if outcome is None:
            raise exceptions.NotFound()
        return Response(conformance.check_as_json(outcome, request.build_absolute_uri("/")[:-1]))


class ChangeLogViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChangeLogEntrySerializer
    filterset_class = ChangeLogApiFilterSet
    pagination_class = ChangeLogPagination
    lookup_field = "seq"
    ordering_fields = ["seq", "at"]

    def get_queryset(self):
        return ChangeLogEntry.objects.restrict(self.request.user).order_by("-seq")


class ApiTokenSerializer(serializers.ModelSerializer):
    days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=366)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at",
                  "revoked_at", "days"]
        read_only_fields = ["prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    """Creation, whose response alone carries the token (so only its schema requires it)."""

    token = serializers.CharField(read_only=True,
                                  help_text=_("Shown once, in the response to creation."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    """Your personal API tokens. DELETE revokes a token (it stays listed, revoked)."""

    serializer_class = ApiTokenSerializer

    def get_serializer_class(self):
        return NewApiTokenSerializer if self.action == "create" else ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return ApiToken.objects.none()
        return ApiToken.objects.restrict(self.request.user).filter(
            user=self.request.user).order_by("-created_at")

    def create(self, request, *args, **kwargs):
        # A token could otherwise mint its successors forever, each outliving the last: new
        # tokens come only from a signed-in session, which passed the second factor where
        # one is required (core.api.authentication.GatedSessionAuthentication).
        if request.auth is not None:
            raise exceptions.PermissionDenied(
                _("API tokens are issued from a signed-in session (My page → API tokens), "
                  "not by another token."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        days = serializer.validated_data.pop("days", settings.MAMORI_API_TOKEN_DAYS)
        with transaction.atomic():
            token, raw = ApiToken.issue(self.request.user, serializer.validated_data["name"],
                                        days)
        serializer.instance = token
        token.token = raw

    @extend_schema(responses={204: OpenApiResponse(description="revoked")})
    def destroy(self, request, *args, **kwargs):
        token = self.get_object()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save()
        return Response(status=204)
