from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from mamori.core import roles as r
from mamori.core.api.viewsets import ScopedModelSerializer, request_user
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)
from mamori.improvement.rules import FINDING_LOCKED, restated_fields

RAISED_FROM = ["source", "source_reference", "source_type", "source_id"]


class NonconformitySerializer(ScopedModelSerializer):
    class Meta:
        model = Nonconformity
        fields = ["id", "code", "title", "description", "severity", "status", *RAISED_FROM,
                  "policy_article", "requirement", "department", "raised_on", "raised_by",
                  "correction", "correction_done_on", "root_cause", "plan_due_on",
                  "plan_approved_on", "plan_approved_by", "reopened_on", "closed_on",
                  "closed_by"]
        read_only_fields = ["status", "source_type", "source_id", "raised_by", "plan_due_on",
                            "plan_approved_on", "plan_approved_by", "reopened_on",
                            "closed_on", "closed_by"]

    def validate(self, attrs):
        nc = self.instance
        if nc is not None:
            if attrs.get("code", nc.code) != nc.code:
                raise serializers.ValidationError({"code": _("A number is not changed.")})
            changed = restated_fields(request_user(self), nc, attrs)
            if changed:
                raise serializers.ValidationError(dict.fromkeys(changed, FINDING_LOCKED))
        return super().validate(attrs)

    def create(self, validated_data):
        validated_data["raised_by_id"] = r.roles_for(request_user(self)).person_id
        return super().create(validated_data)


class CorrectiveActionSerializer(ScopedModelSerializer):
    class Meta:
        model = CorrectiveAction
        fields = ["id", "nonconformity", "title", "owner", "due_on", "done_on", "notes"]


class EffectivenessCheckSerializer(ScopedModelSerializer):
    class Meta:
        model = EffectivenessCheck
        fields = ["id", "nonconformity", "checked_on", "verifier", "effective", "notes"]


class CheckRequestSerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    notes = serializers.CharField()
    checked_on = serializers.DateField(required=False, default=timezone.localdate)


class ImprovementActionSerializer(ScopedModelSerializer):
    class Meta:
        model = ImprovementAction
        fields = ["id", "code", "title", "description", *RAISED_FROM, "department", "owner",
                  "raised_on", "due_on", "status", "completed_on", "outcome"]
        read_only_fields = ["source_type", "source_id"]

    def validate(self, attrs):
        if self.instance is not None and attrs.get("code", self.instance.code) != (
                self.instance.code):
            raise serializers.ValidationError({"code": _("A number is not changed.")})
        return super().validate(attrs)


class ImprovementSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = ImprovementSettings
        fields = ["id", "plan_days"]
