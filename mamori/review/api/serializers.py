"""The review records over the API: the same rules as the pages (the model's clean, the
forms' rules on built-in measures, objectives' owners and frozen inputs), derived and
workflow fields read-only."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from mamori.core.api.viewsets import ScopedModelSerializer, request_user
from mamori.core.scope import VIEW
from mamori.review.forms import (
    BUILTIN_FIXED,
    BUILTIN_FIXED_MESSAGE,
    FROZEN_MESSAGE,
    SET_BY_DECIDERS_MESSAGE,
    changed_fields,
    decides_objectives,
)
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
    ReviewSettings,
)


class DecimalsAsText(ScopedModelSerializer):
    """A decimal travels as text (the schema's type for it, and what responses carry): a
    JSON number is refused as the other mistyped values are (core.api.viewsets.
    json_type_fits), not silently taken."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            wrong = {name: [field.error_messages["invalid"]]
                     for name, field in self.fields.items()
                     if isinstance(field, serializers.DecimalField) and not field.read_only
                     and data.get(name) is not None and not isinstance(data[name], str)}
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


def refuse(names, message):
    if names:
        raise serializers.ValidationError({name: [str(message)] for name in names})


class MeasureSerializer(DecimalsAsText):
    class Meta:
        model = Measure
        fields = ["id", "code", "title_ja", "title_en", "description", "builtin", "unit",
                  "direction", "target", "frequency", "by_department", "owner", "active"]
        read_only_fields = ["builtin"]

    def validate(self, attrs):
        if self.instance is not None and self.instance.builtin:
            refuse(changed_fields(self.instance, attrs, BUILTIN_FIXED), BUILTIN_FIXED_MESSAGE)
        return super().validate(attrs)


class MeasurementSerializer(DecimalsAsText):
    class Meta:
        model = Measurement
        fields = ["id", "measure", "period", "department", "category", "value", "note",
                  "computed", "measured_at"]
        read_only_fields = ["computed", "measured_at"]


class ObjectiveSerializer(ScopedModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "code", "title", "description", "owner", "department", "measures",
                  "target_on", "status", "achieved_on", "replan_reason", "first_target_on",
                  "replanned_count", "replanned_on"]
        read_only_fields = ["first_target_on", "replanned_count", "replanned_on"]

    def validate(self, attrs):
        objective = self.instance
        if objective is not None:
            if attrs.get("code", objective.code) != objective.code:
                raise serializers.ValidationError({"code": _("A number is not changed.")})
            user = request_user(self)
            if not decides_objectives(user, objective):
                changed = changed_fields(objective, attrs, ["title", "owner", "department",
                                                            "target_on", "replan_reason"])
                if "measures" in attrs:
                    seen = set(objective.measures.restrict(user, VIEW).values_list(
                        "pk", flat=True))
                    if {m.pk for m in attrs["measures"]} != seen:
                        changed.append("measures")
                refuse(changed, SET_BY_DECIDERS_MESSAGE)
        return super().validate(attrs)


class ManagementReviewSerializer(ScopedModelSerializer):
    class Meta:
        model = ManagementReview
        fields = ["id", "code", "title", "held_on", "chair", "attendees", "period_start",
                  "feedback", "opportunities", "status", "frozen_at", "frozen_by", "minutes",
                  "closed_on"]
        # The steps set these: POST .../freeze/ and .../hold/.
        read_only_fields = ["status", "frozen_at", "frozen_by", "minutes", "closed_on"]

    def validate(self, attrs):
        review = self.instance
        if review is not None:
            if attrs.get("code", review.code) != review.code:
                raise serializers.ValidationError({"code": _("A number is not changed.")})
            if review.status != ManagementReview.Status.PREPARING:
                refuse(changed_fields(review, attrs, ManagementReview.PACK_INPUTS),
                       FROZEN_MESSAGE)
        return super().validate(attrs)


class HoldRequestSerializer(serializers.Serializer):
    minutes = serializers.CharField()


class ReviewPackSerializer(ScopedModelSerializer):
    class Meta:
        model = ReviewPack
        fields = ["id", "review", "data", "sha256", "frozen_at"]
        read_only_fields = fields


class ReviewDecisionSerializer(ScopedModelSerializer):
    class Meta:
        model = ReviewDecision
        fields = ["id", "review", "number", "kind", "decision", "department", "owner",
                  "due_on", "action"]
        read_only_fields = ["number", "action"]

    def validate(self, attrs):
        decision = self.instance
        if decision is not None and "review" in attrs and attrs["review"] != decision.review:
            raise serializers.ValidationError(
                {"review": _("A decision stays with the review that took it.")})
        return super().validate(attrs)


class ReviewSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = ReviewSettings
        fields = ["id", "interval_months"]
