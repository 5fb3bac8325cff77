from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mamori.continuity.models import (
    AssetRecovery,
    BusinessProcess,
    ContinuityPlan,
    ContinuitySettings,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
    ImpactCategory,
    PlanInvocation,
    RecoveryStep,
)
from mamori.continuity.models.exercises import PLAN_KINDS
from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm
from mamori.core.scope import CHANGE
from mamori.org.forms import DateInput, departments_user_may_staff


class BusinessProcessForm(ScopedModelForm):
    class Meta:
        model = BusinessProcess
        fields = ["code", "name_ja", "name_en", "department", "description", "is_service",
                  "is_active"]

    def limit_choices(self, user):
        # Art 3: a process is kept by a department the user manages.
        self.fields["department"].queryset = departments_user_may_staff(user)


def score_field_name(category: str, hours: int) -> str:
    return f"impact__{category}__{hours}"


class ImpactAnalysisForm(ScopedModelForm):
    """The scores as a grid of categories by the settings' horizons (one choice each); an
    import gives them as the `impacts` column instead (JSON, as the export writes it)."""

    class Meta:
        model = ImpactAnalysis
        fields = ["process", "analysed_on", "impacts", "rto_hours", "rpo_hours",
                  "minimum_service_level", "peak_periods", "note"]
        widgets = {"analysed_on": DateInput, "impacts": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = ContinuitySettings.current()
        self.fields["impacts"].required = False
        scale = [("", "—")] + [(n, str(n)) for n in range(1, settings.scale_max + 1)]
        self.grid = []
        for category in ImpactCategory:
            row = []
            for hours in settings.horizon_hours():
                name = score_field_name(category.value, hours)
                self.fields[name] = forms.TypedChoiceField(
                    label=_("%(category)s after %(hours)s hours") % {
                        "category": category.label, "hours": hours},
                    choices=scale, coerce=int, required=False,
                    initial=self.instance.score(category.value, hours))
                row.append(name)
            self.grid.append((category.label, row))
        self.horizons = settings.horizon_hours()

    def limit_choices(self, user):
        if "process" in self.fields:
            self.fields["process"].queryset = BusinessProcess.objects.restrict(
                user, CHANGE).filter(is_active=True)

    def grid_fields(self):
        return [(label, [self[name] for name in row]) for label, row in self.grid]

    def plain_fields(self):
        """The visible fields but the scores, which the page lays out as a grid."""
        scores = {name for _label, row in self.grid for name in row}
        return [field for field in self.visible_fields() if field.name not in scores]

    def clean(self):
        cleaned = super().clean()
        given = {name: cleaned.get(name) for _label, row in self.grid for name in row}
        if any(value not in (None, "") for value in given.values()):
            impacts = {}
            for name, value in given.items():
                _prefix, category, hours = name.split("__")
                if value in (None, ""):
                    self.add_error(name, _("Give a score."))
                    continue
                impacts.setdefault(category, {})[hours] = value
            cleaned["impacts"] = impacts
        elif not cleaned.get("impacts"):
            raise ValidationError(_("Score every impact at every horizon."))
        return cleaned

    def _post_clean(self):
        if isinstance(self.cleaned_data.get("impacts"), dict):
            self.instance.impacts = self.cleaned_data["impacts"]
        super()._post_clean()


class DependencyForm(ScopedModelForm):
    class Meta:
        model = Dependency
        fields = ["process", "kind", "asset", "contractor", "upstream", "name", "alternative",
                  "recovery_hours", "backup_interval_hours", "note"]

    def limit_choices(self, user):
        if "process" in self.fields:
            self.fields["process"].queryset = BusinessProcess.objects.restrict(user, CHANGE)


class AssetRecoveryForm(ScopedModelForm):
    class Meta:
        model = AssetRecovery
        fields = ["asset", "recovery_hours", "backup_interval_hours", "demonstrated_on",
                  "exercise", "note"]
        widgets = {"demonstrated_on": DateInput}

    def limit_choices(self, user):
        from mamori.assets.models import Asset

        if "asset" in self.fields:
            self.fields["asset"].queryset = Asset.objects.restrict(user, CHANGE)


class GapAcceptanceForm(ScopedModelForm):
    class Meta:
        model = GapAcceptance
        fields = ["dependency", "gap", "reason", "accepted_on", "expires_on"]
        widgets = {"accepted_on": DateInput, "expires_on": DateInput}

    def save(self, commit=True):
        if self.instance.accepted_by_id is None and self.user is not None:
            self.instance.accepted_by_id = r.roles_for(self.user).person_id
        return super().save(commit)


class ContinuityPlanForm(ScopedModelForm):
    class Meta:
        model = ContinuityPlan
        fields = ["document", "processes", "activation_criteria", "call_tree", "note"]

    def limit_choices(self, user):
        from mamori.policies.models import PolicyDocument

        if "document" in self.fields:
            self.fields["document"].queryset = PolicyDocument.objects.restrict(
                user, CHANGE).filter(kind__in=PLAN_KINDS)


class RecoveryStepForm(ScopedModelForm):
    class Meta:
        model = RecoveryStep
        fields = ["plan", "process", "position", "action", "role", "within_hours"]

    def limit_choices(self, user):
        if "plan" in self.fields:
            self.fields["plan"].queryset = ContinuityPlan.objects.restrict(user, CHANGE)


class ExerciseForm(ScopedModelForm):
    class Meta:
        model = Exercise
        fields = ["code", "title", "kind", "department", "planned_on", "held_on", "scenario",
                  "plans", "participants", "findings"]
        widgets = {"planned_on": DateInput, "held_on": DateInput}

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)


class ExerciseResultForm(ScopedModelForm):
    class Meta:
        model = ExerciseResult
        fields = ["exercise", "process", "recovered_in_hours", "note"]

    def limit_choices(self, user):
        if "exercise" in self.fields:
            self.fields["exercise"].queryset = Exercise.objects.restrict(user, CHANGE)


class ContinuitySettingsForm(ScopedModelForm):
    class Meta:
        model = ContinuitySettings
        fields = ["horizons", "scale_max", "intolerable_score", "critical_mtpd_hours",
                  "bia_review_months", "exercise_months"]


class PlanInvocationForm(ScopedModelForm):
    class Meta:
        model = PlanInvocation
        fields = ["incident", "plan", "invoked_at", "processes", "note"]

    def limit_choices(self, user):
        from mamori.incidents.models import Incident

        if "incident" in self.fields:
            # Invoked by whoever handles the incident.
            self.fields["incident"].queryset = Incident.objects.restrict(user, CHANGE)
