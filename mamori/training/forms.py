from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mamori.core.forms import ScopedModelForm
from mamori.org.forms import DateInput
from mamori.org.models import Person
from mamori.training.models import (
    ClassroomSession,
    Completion,
    Course,
    Programme,
    Question,
    TrainingSettings,
)


class CourseForm(ScopedModelForm):
    class Meta:
        model = Course
        fields = ["code", "kind", "title_ja", "title_en", "summary_ja", "summary_en", "body_ja",
                  "body_en", "policy_document", "duration_minutes", "validity_months",
                  "pass_mark", "is_active"]
        widgets = {"summary_ja": forms.Textarea(attrs={"rows": 3}),
                   "summary_en": forms.Textarea(attrs={"rows": 3}),
                   "body_ja": forms.Textarea(attrs={"rows": 18}),
                   "body_en": forms.Textarea(attrs={"rows": 18})}


class QuestionForm(ScopedModelForm):
    class Meta:
        model = Question
        fields = ["course", "position", "multiple", "text_ja", "text_en", "choices_ja",
                  "choices_en", "correct"]
        widgets = {"text_ja": forms.Textarea(attrs={"rows": 3}),
                   "text_en": forms.Textarea(attrs={"rows": 3}),
                   "choices_ja": forms.Textarea(attrs={"rows": 5}),
                   "choices_en": forms.Textarea(attrs={"rows": 5})}

    def limit_choices(self, user):
        self.fields["course"].queryset = Course.objects.filter(kind=Course.Kind.ELEARNING)

    def clean_course(self):
        course = self.cleaned_data["course"]
        if course.kind != Course.Kind.ELEARNING:
            raise ValidationError(_("Quizzes belong to e-learning courses."))
        return course


class ClassroomSessionForm(ScopedModelForm):
    class Meta:
        model = ClassroomSession
        fields = ["course", "starts_at", "ends_at", "place", "instructor", "notes"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def limit_choices(self, user):
        self.fields["course"].queryset = Course.objects.filter(kind=Course.Kind.CLASSROOM)


class ProgrammeForm(ScopedModelForm):
    categories = forms.MultipleChoiceField(
        label=_("person categories"), choices=Person.Category.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Empty: every category."))
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Programme.Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people holding one of these roles. Empty: anyone."))

    class Meta:
        model = Programme
        fields = ["code", "title_ja", "title_en", "course", "mandatory", "recurrence",
                  "due_days", "categories", "departments", "roles", "handles_personal_data",
                  "handles_card_data", "starts_on", "ends_on", "is_active"]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}


class CompletionForm(ScopedModelForm):
    class Meta:
        model = Completion
        fields = ["person", "course", "completed_on", "score", "note"]
        widgets = {"completed_on": DateInput}

    def __init__(self, *args, source=Completion.Source.RECORDED, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.source = source


class CompletionImportForm(CompletionForm):
    """A line of the LMS file: the same rules, recorded as imported."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, source=Completion.Source.IMPORT, **kwargs)


class AttendanceForm(forms.Form):
    staff_numbers = forms.CharField(
        label=_("staff numbers of the people who attended"), widget=forms.Textarea(
            attrs={"rows": 8}),
        help_text=_("One per line (or separated by commas or spaces)."))


class TrainingSettingsForm(ScopedModelForm):
    class Meta:
        model = TrainingSettings
        fields = ["completion_threshold", "reminder_days", "fiscal_year_start_month"]
