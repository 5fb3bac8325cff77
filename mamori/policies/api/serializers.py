from django.utils.translation import gettext as _
from rest_framework import serializers

from mamori.core import roles as r
from mamori.core.api.viewsets import ScopedModelSerializer
from mamori.org.models import Person
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion


class PolicyDocumentSerializer(ScopedModelSerializer):
    class Meta:
        model = PolicyDocument
        fields = ["id", "code", "kind", "title_ja", "title_en", "owner_department", "approver",
                  "review_interval_months", "next_review_date", "acknowledgement_days",
                  "is_active"]

    def validate_approver(self, value):
        # As in the form: only the CISO or an administrator names the approver.
        current = self.instance.approver if self.instance is not None else None
        request = self.context.get("request")
        if value != current and not r.roles_for(request.user if request else None) \
                .changes_everything:
            raise serializers.ValidationError(
                _("Only the CISO or an administrator names the approver."))
        return value


class PolicyVersionSerializer(ScopedModelSerializer):
    audience_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Person.Category.choices), required=False)

    class Meta:
        model = PolicyVersion
        fields = ["id", "document", "number", "status", "is_material", "change_summary",
                  "body_ja", "body_en", "content_hash", "audience", "audience_categories",
                  "audience_departments", "submitted_at", "approved_by", "approved_at",
                  "published_at"]
        read_only_fields = ["number", "status", "content_hash", "submitted_at", "approved_by",
                            "approved_at", "published_at"]

    def validate(self, attrs):
        if self.instance is not None and self.instance.status not in PolicyVersion.EDITABLE:
            raise serializers.ValidationError(_("Only a draft can be edited."))
        if self.instance is not None and "document" in attrs and \
                attrs["document"] != self.instance.document:
            raise serializers.ValidationError({"document": _("A version cannot change document.")})
        return super().validate(attrs)


class AcknowledgementSerializer(ScopedModelSerializer):
    class Meta:
        model = Acknowledgement
        fields = ["id", "person", "version", "content_hash", "acknowledged_at", "ip_address",
                  "user_agent"]
        read_only_fields = fields


class PolicyReviewSerializer(ScopedModelSerializer):
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=PolicyReview.Reason.choices), min_length=1)

    class Meta:
        model = PolicyReview
        fields = ["id", "document", "reviewer", "reviewed_on", "outcome", "reasons", "notes",
                  "next_review_date"]


class CoverageSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.FloatField()


class NewVersionSerializer(serializers.Serializer):
    """What POST …/documents/{id}/new-version/ takes (both optional)."""

    is_material = serializers.BooleanField(
        default=True, help_text="Material changes are acknowledged again by everyone.")
    change_summary = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                           default="")
