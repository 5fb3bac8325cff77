from rest_framework import serializers

from mamori.core.api.viewsets import ScopedModelSerializer
from mamori.org.models import Person
from mamori.training.models import (
    Assignment,
    ClassroomSession,
    Completion,
    Course,
    Programme,
    Question,
    QuizAttempt,
    TrainingSettings,
)


class CourseSerializer(ScopedModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "code", "kind", "title_ja", "title_en", "summary_ja", "summary_en",
                  "body_ja", "body_en", "policy_document", "duration_minutes",
                  "validity_months", "pass_mark", "is_active"]


class QuestionSerializer(ScopedModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "course", "position", "multiple", "text_ja", "text_en", "choices_ja",
                  "choices_en", "correct"]


class ClassroomSessionSerializer(ScopedModelSerializer):
    class Meta:
        model = ClassroomSession
        fields = ["id", "course", "starts_at", "ends_at", "place", "instructor", "notes"]


class ProgrammeSerializer(ScopedModelSerializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Person.Category.choices), required=False)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Programme.Role.choices), required=False)

    class Meta:
        model = Programme
        fields = ["id", "code", "title_ja", "title_en", "course", "mandatory", "recurrence",
                  "due_days", "categories", "departments", "roles", "handles_personal_data",
                  "handles_card_data", "starts_on", "ends_on", "is_active"]


class AssignmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "programme", "person", "category", "department", "cycle",
                  "assigned_on", "due_from", "due_on", "counts_from", "status",
                  "completed_on", "completion", "cancelled_on", "reminded_on", "escalated_on"]
        read_only_fields = fields


class CompletionSerializer(ScopedModelSerializer):
    class Meta:
        model = Completion
        fields = ["id", "person", "course", "completed_on", "score", "source", "valid_until",
                  "department", "attempt", "session", "acknowledgement", "note"]
        read_only_fields = ["source", "valid_until", "department", "attempt", "session",
                            "acknowledgement"]


class QuizAttemptSerializer(ScopedModelSerializer):
    class Meta:
        model = QuizAttempt
        fields = ["id", "person", "course", "started_at", "submitted_at", "score", "pass_mark",
                  "passed", "content_hash", "answers_hash"]
        read_only_fields = fields


class TrainingSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = TrainingSettings
        fields = ["id", "completion_threshold", "reminder_days", "fiscal_year_start_month"]
