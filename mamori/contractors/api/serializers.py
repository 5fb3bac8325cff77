from rest_framework import serializers

from mamori.contractors.forms import CONTRACTOR_FIELDS
from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.contractors.tables import CONTRACT_FIELDS
from mamori.core.api.viewsets import ScopedModelSerializer


class ContractorSerializer(ScopedModelSerializer):
    class Meta:
        model = Contractor
        fields = ["id", *CONTRACTOR_FIELDS, "tier"]
        read_only_fields = ["tier"]


class TierRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = TierRule
        fields = ["id", "code", "name_ja", "name_en", "tier", "needs_personal_data",
                  "min_persons", "needs_sensitive", "needs_card_data", "needs_system_access",
                  "needs_foreign"]


class ScreeningRequirementSerializer(ScopedModelSerializer):
    class Meta:
        model = ScreeningRequirement
        fields = ["id", "code", "title_ja", "title_en", "question_ja", "question_en",
                  "min_tier", "sort_key", "appi_refs", "controls"]


class ScreeningSerializer(ScopedModelSerializer):
    # Empty until the CISO assesses the screening: said so in the schema too.
    verdict = serializers.ChoiceField(choices=Screening.Verdict.choices, allow_blank=True,
                                      read_only=True)

    class Meta:
        model = Screening
        fields = ["id", "contractor", "kind", "tier", "requested_on", "due_on", "status",
                  "answered_on", "assessed_on", "assessed_by", "verdict", "verdict_until",
                  "note"]
        read_only_fields = ["tier", "status", "answered_on", "assessed_on", "assessed_by",
                            "verdict", "verdict_until"]


class ScreeningAnswerSerializer(ScopedModelSerializer):
    class Meta:
        model = ScreeningAnswer
        fields = ["id", "screening", "requirement", "their_level", "their_comment",
                  "our_level", "accepted_on", "accepted_by", "acceptance_condition",
                  "acceptance_expires_on"]
        read_only_fields = ["screening", "requirement", "our_level", "accepted_on",
                            "accepted_by", "acceptance_condition", "acceptance_expires_on"]


class ContractSerializer(ScopedModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", *CONTRACT_FIELDS]


class CertificateSerializer(ScopedModelSerializer):
    """The file is uploaded on the page or through the portal (the API is JSON); its name,
    size and SHA-256 are read here."""

    class Meta:
        model = Certificate
        fields = ["id", "contractor", "kind", "number", "issuer", "issued_on", "expires_on",
                  "relied_on", "note", "file_name", "file_size", "file_sha256",
                  "submitted_through"]
        read_only_fields = ["file_name", "file_size", "file_sha256", "submitted_through"]


class SubcontractingSerializer(ScopedModelSerializer):
    """The consent moves only by the CISO's step on the page: read-only here."""

    class Meta:
        model = Subcontracting
        fields = ["id", "contractor", "subcontractor", "work", "information", "requested_on",
                  "status", "decided_on", "decided_by", "decision_note", "ended_on"]
        read_only_fields = ["status", "decided_on", "decided_by", "decision_note", "ended_on"]


class ContractorSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = ContractorSettings
        fields = ["id", "high_review_months", "medium_review_months", "low_review_months",
                  "notification_hours", "expiry_warning_days"]
