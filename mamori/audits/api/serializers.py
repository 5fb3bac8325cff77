from rest_framework import serializers

from mamori.audits import independence
from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
)
from mamori.core.api.viewsets import ScopedModelSerializer, request_user


class AuditProgrammeSerializer(ScopedModelSerializer):
    class Meta:
        model = AuditProgramme
        fields = ["id", "fiscal_year", "objectives", "approved_by", "approved_on"]


class AuditSerializer(ScopedModelSerializer):
    class Meta:
        model = Audit
        fields = ["id", "code", "title", "kind", "status", "programme", "auditing_body",
                  "criteria", "departments", "articles", "requirements", "controls",
                  "contractors", "lead_auditor", "team", "planned_start", "planned_end",
                  "fieldwork_started_on", "reporting_started_on", "closed_on", "summary",
                  "conclusion", "follow_up_of", "independence_justification",
                  "independence_accepted_by"]
        read_only_fields = ["status", "fieldwork_started_on", "reporting_started_on",
                            "closed_on", "independence_accepted_by"]

    def validate(self, attrs):
        audit = self.instance or Audit()
        if self.instance is not None and attrs.get("code", audit.code) != audit.code:
            raise serializers.ValidationError({"code": Audit._meta.get_field("code").help_text})

        def given(name):
            if name in attrs:
                return attrs[name]
            if self.instance is None:
                return [] if name in ("team", "departments") else None
            value = getattr(self.instance, name)
            return list(value.all()) if name in ("team", "departments") else value

        probe = Audit()
        refused = independence.settle(
            request_user(self), probe, given("kind") or Audit.Kind.INTERNAL,
            given("lead_auditor"), given("team"),
            given("departments"), attrs.get("independence_justification",
                                            audit.independence_justification or ""))
        if refused:
            raise serializers.ValidationError({"team": refused})
        attrs = super().validate(attrs)
        self._accepted_by = probe.independence_accepted_by_id
        return attrs

    def save(self, **kwargs):
        return super().save(independence_accepted_by_id=self._accepted_by, **kwargs)


class ChecklistItemSerializer(ScopedModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "audit", "position", "kind", "reference", "article", "requirement",
                  "control", "title", "result", "notes", "sampled_records", "evidence"]
        read_only_fields = ["position", "article", "requirement", "control"]


class AuditSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = AuditSettings
        fields = ["id", "fiscal_year_start_month", "cycle_years"]


class AuditEvidenceRequestSerializer(ScopedModelSerializer):
    class Meta:
        model = EvidenceRequest
        fields = ["id", "audit", "item", "asked_of", "request", "due_on", "status", "response",
                  "answered_on", "evidence", "notified_on", "escalated_on"]
        read_only_fields = ["answered_on", "notified_on", "escalated_on"]


class AnswerSerializer(serializers.Serializer):
    response = serializers.CharField()
    evidence = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     default=list)


class AuditCertificateSerializer(ScopedModelSerializer):
    class Meta:
        model = AuditCertificate
        fields = ["id", "audit", "kind", "number", "scope_statement", "issued_on",
                  "expires_on", "evidence", "superseded"]
