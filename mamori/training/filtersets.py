"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, related_by_id
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


class CourseFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Course
        fields = ["kind", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title_ja__icontains=value)
                               | Q(title_en__icontains=value))


class QuestionFilterSet(ScopedFilterSet):
    class Meta:
        model = Question
        fields = ["course", "multiple"]


class ClassroomSessionFilterSet(ScopedFilterSet):
    class Meta:
        model = ClassroomSession
        fields = ["course"]


class ProgrammeFilterSet(ScopedFilterSet):
    class Meta:
        model = Programme
        fields = ["course", "recurrence", "mandatory", "is_active"]


class AssignmentFilterSet(ScopedFilterSet):
    person = related_by_id(Assignment, "person")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Assignment
        fields = ["programme", "status", "category", "department", "cycle", "person"]

    def filter_overdue(self, queryset, name, value):
        overdue = Assignment.objects.overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class CompletionFilterSet(ScopedFilterSet):
    person = related_by_id(Completion, "person")

    class Meta:
        model = Completion
        fields = ["course", "source", "department", "person"]


class QuizAttemptFilterSet(ScopedFilterSet):
    person = related_by_id(QuizAttempt, "person")

    class Meta:
        model = QuizAttempt
        fields = ["course", "passed", "person"]


class TrainingSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = TrainingSettings
        fields = ["completion_threshold"]
