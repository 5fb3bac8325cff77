"""The compliance records over the API: the same validation as the pages (the model's
clean), derived and decided fields read-only."""

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core import roles as r
from mamori.core.api.viewsets import ScopedModelSerializer, request_user


class LegalSourceSerializer(ScopedModelSerializer):
    class Meta:
        model = LegalSource
        fields = ["id", "code", "kind", "title_ja", "title_en", "short_name", "issuer",
                  "jurisdiction", "url", "shipped", "note"]
        read_only_fields = ["shipped"]


class SourceVersionSerializer(ScopedModelSerializer):
    class Meta:
        model = SourceVersion
        fields = ["id", "source", "version", "promulgated_on", "effective_on", "summary_ja",
                  "summary_en", "affects_all", "affected"]


class ObligationSerializer(ScopedModelSerializer):
    class Meta:
        model = Obligation
        fields = ["id", "code", "source", "article", "title_ja", "title_en", "summary_ja",
                  "summary_en", "applicability", "applicability_reason", "department",
                  "interval_months", "controls", "policy_sections", "requirements",
                  "breach_rules", "shipped"]
        read_only_fields = ["shipped"]


class EvaluationSerializer(ScopedModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "obligation", "result", "evaluated_on", "evaluator", "evidence",
                  "note", "file_name", "file_size", "file_sha256"]
        read_only_fields = ["file_name", "file_size", "file_sha256"]


class ComplianceExceptionSerializer(ScopedModelSerializer):
    class Meta:
        model = ComplianceException
        fields = ["id", "obligation", "reason", "compensating_measures", "accepted_on",
                  "expires_on", "accepted_by"]
        read_only_fields = ["accepted_by"]

    def create(self, validated_data):
        validated_data["accepted_by_id"] = r.roles_for(request_user(self)).person_id
        return super().create(validated_data)


class ImpactAssessmentSerializer(ScopedModelSerializer):
    class Meta:
        model = ImpactAssessment
        fields = ["id", "amendment", "obligation", "due_on", "status", "assessment",
                  "assessed_on"]
        read_only_fields = ["amendment", "obligation", "due_on", "assessed_on"]


class RegulatoryActionSerializer(ScopedModelSerializer):
    class Meta:
        model = RegulatoryAction
        fields = ["id", "code", "kind", "title", "regulator", "reference", "received_on",
                  "description", "department", "response_due_on", "responded_on", "response",
                  "status", "obligations", "incidents"]
