from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm, keep_unseen_links
from mamori.org.forms import DateInput, departments_user_may_staff
from mamori.org.models import Department, Person
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewSettings,
)

# What Mamori itself defines of a built-in measure: review.defaults writes these from the
# calculation's definition on every migrate, so an edit here would not last.
BUILTIN_FIXED = ("code", "title_ja", "title_en", "description", "unit", "direction",
                 "by_department")
BUILTIN_FIXED_MESSAGE = _("Mamori defines this of a built-in measure.")
SET_BY_DECIDERS_MESSAGE = _("The CISO or the department's information manager sets this; "
                            "as its owner you record the objective's progress.")
FROZEN_MESSAGE = _("The inputs were frozen into the review pack; they no longer change.")


def changed_fields(instance, values: dict, names) -> list[str]:
    """Which of `names` `values` (cleaned form or serializer data) would change on the
    stored `instance` (single values only; links are compared by their callers)."""
    changed = []
    for name in names:
        if name not in values:
            continue
        field = instance._meta.get_field(name)
        new = values[name]
        new = getattr(new, "pk", new)
        if new != getattr(instance, field.attname):
            changed.append(name)
    return changed


class MeasureForm(ScopedModelForm):
    class Meta:
        model = Measure
        fields = ["code", "title_ja", "title_en", "description", "unit", "direction", "target",
                  "frequency", "by_department", "owner", "active"]

    def limit_choices(self, user):
        if self.instance.builtin:
            # The company decides the target, frequency, owner and whether it is measured.
            for name in BUILTIN_FIXED:
                self.fields[name].disabled = True

    def clean(self):
        # An import's row form is shared by the rows (core.rowforms): what it disables is
        # not the row's, so the rule is checked here for each row as well.
        cleaned = super().clean()
        if self.instance.pk and self.instance.builtin:
            for name in changed_fields(self.instance, cleaned, BUILTIN_FIXED):
                self.add_error(name, BUILTIN_FIXED_MESSAGE)
        return cleaned


class MeasurementForm(ScopedModelForm):
    class Meta:
        model = Measurement
        fields = ["measure", "period", "department", "category", "value", "note"]
        widgets = {"period": DateInput}

    def limit_choices(self, user):
        # Only manual measures take values by hand (the model refuses computed ones too).
        self.fields["measure"].queryset = Measure.objects.filter(builtin="", active=True)
        roles = r.roles_for(user)
        owns = roles.person_id is not None and Measure.objects.filter(
            builtin="", owner=roles.person_id).exists()
        if roles.changes_everything or owns:
            self.fields["department"].queryset = Department.objects.all()
        else:
            # An information manager enters their departments' values, not the company's.
            self.fields["department"].queryset = departments_user_may_staff(user)
            self.fields["department"].required = True
            self.fields["measure"].queryset = self.fields["measure"].queryset.filter(
                by_department=True)


def decides_objectives(user, objective) -> bool:
    """Whether the user sets the objective (the CISO, or the information manager of its
    department), rather than only recording its progress as its owner."""
    roles = r.roles_for(user)
    if roles.changes_everything or not objective.pk:
        return True
    return objective.department_id in roles.managed_department_ids


class ObjectiveForm(ScopedModelForm):
    # Fields its owner, recording progress, does not change.
    SET_BY_DECIDERS = ("title", "owner", "department", "measures", "target_on",
                       "replan_reason")

    class Meta:
        model = Objective
        fields = ["code", "title", "description", "owner", "department", "measures",
                  "target_on", "status", "achieved_on", "replan_reason"]
        widgets = {"target_on": DateInput, "achieved_on": DateInput}

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)
        if self.instance.pk:
            self.fields["code"].disabled = True
        if self.instance.pk and not decides_objectives(user, self.instance):
            for name in self.SET_BY_DECIDERS:
                if name in self.fields:
                    self.fields[name].disabled = True
        elif not r.roles_for(user).changes_everything:
            # Company-wide objectives are the CISO's.
            self.fields["department"].required = True

    def clean_measures(self):
        return keep_unseen_links(self, "measures")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not decides_objectives(self.user, self.instance):
            names = [n for n in self.SET_BY_DECIDERS if n != "measures"]
            for name in changed_fields(self.instance, cleaned, names):
                self.add_error(name, SET_BY_DECIDERS_MESSAGE)
        return cleaned


class ObjectiveImportForm(ObjectiveForm):
    """Rows of a file: the measures are kept as they are (chosen on the page)."""

    class Meta(ObjectiveForm.Meta):
        fields = [f for f in ObjectiveForm.Meta.fields if f != "measures"]

    def limit_choices(self, user):
        # Shared by every row of the file (core.rowforms): nothing is disabled for one
        # record; clean() refuses, row by row, what the importer may not change.
        super().limit_choices(user)
        for name in self.SET_BY_DECIDERS:
            if name in self.fields:
                self.fields[name].disabled = False


class ManagementReviewForm(ScopedModelForm):
    class Meta:
        model = ManagementReview
        fields = ["code", "title", "held_on", "chair", "attendees", "period_start",
                  "feedback", "opportunities"]
        widgets = {"held_on": DateInput, "period_start": DateInput}

    def limit_choices(self, user):
        self.fields["chair"].queryset = Person.objects.filter(category__in=(
            Person.Category.OFFICER, Person.Category.EXECUTIVE_OFFICER))
        if self.instance.pk:
            self.fields["code"].disabled = True
            if self.instance.status != ManagementReview.Status.PREPARING:
                # What the pack was made of stays as it was frozen.
                for name in ManagementReview.PACK_INPUTS:
                    self.fields[name].disabled = True

    def clean_attendees(self):
        return keep_unseen_links(self, "attendees")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status != ManagementReview.Status.PREPARING:
            for name in changed_fields(self.instance, cleaned, ManagementReview.PACK_INPUTS):
                self.add_error(name, FROZEN_MESSAGE)
        return cleaned


class ManagementReviewImportForm(ManagementReviewForm):
    """Rows of a file: the attendees are kept as they are (chosen on the page)."""

    class Meta(ManagementReviewForm.Meta):
        fields = [f for f in ManagementReviewForm.Meta.fields if f != "attendees"]


class HoldForm(forms.Form):
    """The minutes that close a review as held (review.workflow.hold)."""

    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("What was reviewed, what was concluded and who "
                                          "attended."))


class ReviewDecisionForm(ScopedModelForm):
    class Meta:
        model = ReviewDecision
        fields = ["review", "kind", "decision", "department", "owner", "due_on"]
        widgets = {"due_on": DateInput}

    def limit_choices(self, user):
        # Decisions are recorded between freezing the inputs and recording the minutes.
        self.fields["review"].queryset = ManagementReview.objects.filter(
            status=ManagementReview.Status.FROZEN)
        if self.instance.pk:
            self.fields["review"].disabled = True


class ReviewSettingsForm(ScopedModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["interval_months"]
