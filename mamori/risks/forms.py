from django.utils.translation import gettext_lazy as _

from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm, keep_unseen_links
from mamori.core.levels import as_level_field
from mamori.org.forms import DateInput, departments_user_may_staff
from mamori.org.models import Appointment, Person
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, RiskMethodology, Threat


class ThreatForm(ScopedModelForm):
    class Meta:
        model = Threat
        fields = ["code", "name_ja", "name_en", "harms", "description", "policy_article"]


class RiskMethodologyForm(ScopedModelForm):
    class Meta:
        model = RiskMethodology
        fields = ["size", "appetite", "acceptance_months", "likelihood_levels",
                  "impact_levels"]


class RiskBandForm(ScopedModelForm):
    class Meta:
        model = RiskBand
        fields = ["min_score", "name_ja", "name_en", "colour"]


class RiskForm(ScopedModelForm):
    class Meta:
        model = Risk
        fields = ["code", "title_ja", "title_en", "threat", "assets", "department", "owner",
                  "vulnerability", "status", "likelihood", "impact", "treatment",
                  "treatment_plan", "controls", "residual_likelihood", "residual_impact",
                  "assessed_on", "next_review_on"]
        widgets = {"assessed_on": DateInput, "next_review_on": DateInput}

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)
        if "assets" in self.fields:
            self.fields["assets"].queryset = self.fields["assets"].queryset.order_by("code")
        # Each rating is chosen from the methodology's named levels, read in its own words.
        # The field stays a number: the model still refuses a value off the matrix; an import
        # (which shares this form) takes the number or the level's name.
        methodology = RiskMethodology.current()
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
            if name not in self.fields:
                continue
            axis = name.removeprefix("residual_")
            field = self.fields[name] = as_level_field(
                self.fields[name], methodology.levels(axis), blank=not self.fields[name].required)
            field.help_text = _("1 to %(max)s") % {"max": methodology.size}

    def clean_assets(self):
        return keep_unseen_links(self, "assets")

    def clean_controls(self):
        return keep_unseen_links(self, "controls")


class RiskImportForm(RiskForm):
    """Rows of a file: the linked assets and controls are kept as they are."""

    class Meta(RiskForm.Meta):
        fields = [f for f in RiskForm.Meta.fields if f not in ("assets", "controls")]


class RiskAcceptanceForm(ScopedModelForm):
    class Meta:
        model = RiskAcceptance
        fields = ["risk", "accepted_by", "accepted_on", "expires_on", "justification",
                  "revoked_on"]
        widgets = {"accepted_on": DateInput, "expires_on": DateInput, "revoked_on": DateInput}

    def limit_choices(self, user):
        # The acceptance is the CISO's own act: the choice is the current CISO.
        cisos = Appointment.objects.current().filter(role=Appointment.Role.CISO)
        self.fields["accepted_by"].queryset = Person.objects.filter(
            pk__in=cisos.values("person_id"))
        roles = r.roles_for(user)
        if roles.has(r.CISO) and roles.person_id and not self.instance.pk:
            self.initial.setdefault("accepted_by", roles.person_id)
