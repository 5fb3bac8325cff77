from django.contrib import admin

from mamori.core.admin import ScopedAdmin
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


@admin.register(Course)
class CourseAdmin(ScopedAdmin):
    list_display = ("code", "title_ja", "kind", "is_active")


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    list_display = ("course", "position", "multiple")


@admin.register(ClassroomSession)
class ClassroomSessionAdmin(ScopedAdmin):
    list_display = ("course", "starts_at", "place")


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    list_display = ("code", "title_ja", "course", "recurrence", "is_active")


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ("programme", "person", "cycle", "status", "due_on")


@admin.register(Completion)
class CompletionAdmin(ScopedAdmin):
    list_display = ("person", "course", "completed_on", "source")


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ScopedAdmin):
    list_display = ("person", "course", "started_at", "score", "passed")


@admin.register(TrainingSettings)
class TrainingSettingsAdmin(ScopedAdmin):
    list_display = ("completion_threshold", "reminder_days")
