from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.training import filtersets, tally
from mamori.training.api import serializers
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


class CourseViewSet(ScopedModelViewSet):
    model = Course
    serializer_class = serializers.CourseSerializer
    filterset_class = filtersets.CourseFilterSet


class QuestionViewSet(ScopedModelViewSet):
    model = Question
    serializer_class = serializers.QuestionSerializer
    filterset_class = filtersets.QuestionFilterSet


class ClassroomSessionViewSet(ScopedModelViewSet):
    model = ClassroomSession
    serializer_class = serializers.ClassroomSessionSerializer
    filterset_class = filtersets.ClassroomSessionFilterSet


class ProgrammeViewSet(ScopedModelViewSet):
    model = Programme
    serializer_class = serializers.ProgrammeSerializer
    filterset_class = filtersets.ProgrammeFilterSet
    linked_fields = ("departments",)


class AssignmentViewSet(ScopedModelViewSet):
    """Derived by Mamori; read only."""

    model = Assignment
    serializer_class = serializers.AssignmentSerializer
    filterset_class = filtersets.AssignmentFilterSet
    http_method_names = ["get", "head", "options"]
    # Two million rows at ten times the company: sorted only where an index gives the order
    # with the id as tiebreak, or in groups of one person's rows (as the list page sorts).
    # An index's first column is not enough here: (status, due_on) sorted by status and id
    # sorted 700,000 rows a status.
    ordering_fields = ("id", "person", "due_on")

    def known_count(self):
        return tally.ASSIGNMENTS.count(self.request.user, self.list_filterset())


class CompletionViewSet(ScopedModelViewSet):
    model = Completion
    serializer_class = serializers.CompletionSerializer
    filterset_class = filtersets.CompletionFilterSet
    ordering_fields = ("id", "person", "completed_on")  # as for assignments (1.6 million)

    def known_count(self):
        return tally.COMPLETIONS.count(self.request.user, self.list_filterset())


class QuizAttemptViewSet(ScopedModelViewSet):
    """Written by taking the quiz on My page; read only."""

    model = QuizAttempt
    serializer_class = serializers.QuizAttemptSerializer
    filterset_class = filtersets.QuizAttemptFilterSet
    http_method_names = ["get", "head", "options"]


class TrainingSettingsViewSet(ScopedModelViewSet):
    model = TrainingSettings
    serializer_class = serializers.TrainingSettingsSerializer
    filterset_class = filtersets.TrainingSettingsFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]
