from django.utils.translation import gettext as _
from rest_framework import serializers

from mamori.core.api.viewsets import ScopedModelSerializer
from mamori.core.scope import VIEW
from mamori.incidents.forms import (
    ASSIGNEE_FIELDS,
    LEFT_TO_HANDLERS_ON_REPORT,
    handles_incidents,
)
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentEntry,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)

INCIDENT_FIELDS = ["id", "code", "title", "description", "occurred_at", "noticed_at", "aware_at",
                   "late_awareness_reason", "reported_by", "department", "assets", "data_affected",
                   "personal_data_suspected", "severity", "threats", "status", "assignee",
                   "triaged_at", "contained_at", "recovered_at", "closed_at", "contain_due_at",
                   "recover_due_at", "escalated_at", "risks", "controls", "contractors",
                   "root_cause", "lessons_learned"]


class IncidentSerializer(ScopedModelSerializer):
    """The lifecycle moves only by `POST …/move/` (which stamps each stage and writes the
    timeline), so the status and its dates are read-only here."""

    class Meta:
        model = Incident
        fields = INCIDENT_FIELDS
        read_only_fields = ["code", "reported_by", "status", "triaged_at", "contained_at",
                            "recovered_at", "closed_at", "contain_due_at", "recover_due_at",
                            "escalated_at"]

    def validate(self, attrs):
        user = self.context["request"].user
        if self.instance is None:
            department = attrs.get("department")
            refused = [] if department is not None and handles_incidents(user, department) else [
                name for name in LEFT_TO_HANDLERS_ON_REPORT if name in attrs]
        elif handles_incidents(user, self.instance.department):
            refused = []
        else:  # the assignee: what they may not change, they may still send unchanged (PUT)
            refused = [name for name, value in attrs.items()
                       if name not in ASSIGNEE_FIELDS and self.changes(name, value, user)]
        if refused:
            raise serializers.ValidationError(
                {name: [_("Left to the incident's handlers.")] for name in refused})
        return super().validate(attrs)

    def changes(self, name, value, user) -> bool:
        current = getattr(self.instance, name)
        if hasattr(current, "all"):  # many-to-many: compared with the links the user sees
            return {obj.pk for obj in value} != set(
                current.restrict(user, VIEW).values_list("pk", flat=True))
        return current != value

    def create(self, validated_data):
        request = self.context["request"]
        validated_data.setdefault("reported_by", getattr(request.user, "person", None))
        return super().create(validated_data)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Incident.Status.choices[1:])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = IncidentEntry
        fields = ["id", "incident", "at", "author", "kind", "text"]
        read_only_fields = ["at", "author", "kind"]


# The owner of an action changes it without seeing its incident: ScopedRelatedField keeps the
# incident the action has valid as it is.
class RecoveryActionSerializer(ScopedModelSerializer):
    class Meta:
        model = RecoveryAction
        fields = ["id", "incident", "title", "owner", "due_on", "done_on", "notes"]


class BreachAssessmentSerializer(ScopedModelSerializer):
    grounds = serializers.SerializerMethodField(
        help_text="The items (1-4) of the PPC enforcement rules Art 7 that apply (none when "
                  "the data was protected by advanced encryption: see "
                  "grounds_if_unencrypted).")
    grounds_if_unencrypted = serializers.SerializerMethodField(
        help_text="The items of Art 7 that would have applied without the encryption "
                  "exemption (empty unless exempt).")

    class Meta:
        model = BreachAssessment
        fields = ["id", "incident", "personal_data", "sensitive", "financial_damage",
                  "wrongful_purpose", "being_acquired", "held_data_also_affected",
                  "persons_affected", "encrypted", "data_items", "assessed_by", "assessed_at",
                  "rule", "rule_superseded_by", "reportable", "exempt", "grounds",
                  "grounds_if_unencrypted", "preliminary_target", "preliminary_due", "final_due",
                  "person_notice", "person_notice_on"]
        read_only_fields = ["assessed_by", "rule", "rule_superseded_by", "reportable", "exempt",
                            "preliminary_target", "preliminary_due", "final_due"]

    def get_grounds(self, obj) -> list[int]:
        return obj.grounds_list

    def get_grounds_if_unencrypted(self, obj) -> list[int]:
        return obj.grounds_if_unencrypted_list


class RegulatoryReportSerializer(ScopedModelSerializer):
    class Meta:
        model = RegulatoryReport
        fields = ["id", "incident", "recipient", "recipient_name", "legal_basis", "kind",
                  "due_on", "submitted_on", *RegulatoryReport.ITEMS, "reminded_on",
                  "escalated_on"]
        read_only_fields = ["reminded_on", "escalated_on"]


class BreachRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = BreachRule
        fields = ["id", "code", "name_ja", "name_en", "effective_from",
                  "preliminary_target_days", "preliminary_due_days", "final_days",
                  "final_days_wrongful", "person_threshold", "awareness_day_is_day_one",
                  "acquisition_counts_as_wrongful", "legal_basis"]


class ResponseTargetSerializer(ScopedModelSerializer):
    class Meta:
        model = ResponseTarget
        fields = ["id", "severity", "contain_within_hours", "recover_within_hours"]


class IncidentSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = IncidentSettings
        fields = ["id", "team_email", "reminder_days", *IncidentSettings.COMPANY_FIELDS]
