from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm
from mamori.improvement import sources
from mamori.improvement.models import (
    CorrectiveAction,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)
from mamori.improvement.rules import FINDING_LOCKED, restated_fields
from mamori.org.forms import DateInput, departments_user_may_staff
from mamori.org.models import Department


class RaisedFromForm(ScopedModelForm):
    """A record that may be raised from another: the view sets `source_record` (one the user
    may see) and the saved record links to it."""

    source_record = None

    def limit_choices(self, user):
        # Auditors raise findings against any department they audit; the others, in theirs.
        self.fields["department"].queryset = (
            Department.objects.all() if r.roles_for(user).sees_everything
            else departments_user_may_staff(user))

    def save(self, commit=True):
        if self.source_record is not None and self.instance.pk is None:
            sources.link(self.instance, self.source_record)
        return super().save(commit)


class NonconformityForm(RaisedFromForm):
    class Meta:
        model = Nonconformity
        fields = ["code", "title", "description", "severity", "source", "source_reference",
                  "policy_article", "requirement", "department", "raised_on", "correction",
                  "correction_done_on", "root_cause"]
        widgets = {"raised_on": DateInput, "correction_done_on": DateInput}

    def limit_choices(self, user):
        super().limit_choices(user)
        if not self.instance.pk:
            self.instance.raised_by_id = r.roles_for(user).person_id
        else:
            self.fields["code"].disabled = True

    def clean(self):
        # The department answering a finding records its correction and cause; what was
        # found stays as the one who raised it said (on the page those fields are shown
        # read-only: NonconformityUpdate; an import or a crafted post is refused here).
        cleaned = super().clean()
        for name in restated_fields(self.user, self.instance, cleaned):
            self.add_error(name, FINDING_LOCKED)
        return cleaned


class CorrectiveActionForm(ScopedModelForm):
    class Meta:
        model = CorrectiveAction
        fields = ["nonconformity", "title", "owner", "due_on", "done_on", "notes"]
        widgets = {"due_on": DateInput, "done_on": DateInput}

    def limit_choices(self, user):
        self.fields["nonconformity"].queryset = Nonconformity.objects.exclude(
            status=Nonconformity.Status.CLOSED).order_by("-raised_on", "-pk")

    def clean_done_on(self):
        done_on = self.cleaned_data.get("done_on")
        if done_on and done_on > timezone.localdate():
            raise ValidationError(_("An action cannot be done on a day still to come."))
        return done_on


class ImprovementActionForm(RaisedFromForm):
    class Meta:
        model = ImprovementAction
        fields = ["code", "title", "description", "source", "source_reference", "department",
                  "owner", "raised_on", "due_on", "status", "completed_on", "outcome"]
        widgets = {"raised_on": DateInput, "due_on": DateInput, "completed_on": DateInput}

    def limit_choices(self, user):
        super().limit_choices(user)
        if self.instance.pk:
            self.fields["code"].disabled = True


class EffectivenessCheckForm(forms.Form):
    """The CISO's finding on a nonconformity's actions (improvement.workflow.record_check)."""

    checked_on = forms.DateField(label=_("checked on"), initial=timezone.localdate,
                                 widget=DateInput)
    effective = forms.TypedChoiceField(
        label=_("Were the corrective actions effective?"), widget=forms.RadioSelect,
        choices=[("yes", _("Effective: the nonconformity did not recur")),
                 ("no", _("Not effective: open it again for a new plan"))],
        coerce=lambda value: value == "yes")
    notes = forms.CharField(label=_("what was checked"), widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("The records sampled, the interviews held, the "
                                        "period looked at."))


class ImprovementSettingsForm(ScopedModelForm):
    class Meta:
        model = ImprovementSettings
        fields = ["plan_days"]
