from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.controls.forms import EvidenceFileInput
from mamori.core.forms import ScopedModelForm
from mamori.core.scope import CHANGE
from mamori.org.forms import DateInput, departments_user_may_staff

CONTRACTOR_FIELDS = [
    "code", "name_ja", "name_en", "corporate_number", "department", "status", "services",
    "contact_name", "contact_email", "contact_phone", "personal_data",
    "personal_data_categories", "persons", "sensitive_data", "card_data", "system_access",
    "country", "foreign_regime", "foreign_measures"]


class ContractorForm(ScopedModelForm):
    class Meta:
        model = Contractor
        fields = CONTRACTOR_FIELDS

    def limit_choices(self, user):
        # Art 3 and 9: a contractor is entrusted by a department the user manages.
        self.fields["department"].queryset = departments_user_may_staff(user)


class TierRuleForm(ScopedModelForm):
    class Meta:
        model = TierRule
        fields = ["code", "name_ja", "name_en", "tier", "needs_personal_data", "min_persons",
                  "needs_sensitive", "needs_card_data", "needs_system_access", "needs_foreign"]


class ScreeningRequirementForm(ScopedModelForm):
    class Meta:
        model = ScreeningRequirement
        fields = ["code", "title_ja", "title_en", "question_ja", "question_en", "min_tier",
                  "sort_key", "appi_refs", "controls"]

    def limit_choices(self, user):
        if "controls" in self.fields:
            self.fields["controls"].queryset = self.fields["controls"].queryset.order_by("code")


class ScreeningRequirementImportForm(ScreeningRequirementForm):
    """Rows of a file: the links to controls are kept as they are (edited on the page)."""

    class Meta(ScreeningRequirementForm.Meta):
        fields = [f for f in ScreeningRequirementForm.Meta.fields if f != "controls"]


class ScreeningForm(ScopedModelForm):
    class Meta:
        model = Screening
        fields = ["contractor", "kind", "requested_on", "due_on", "note"]
        widgets = {"requested_on": DateInput, "due_on": DateInput}

    def limit_choices(self, user):
        if "contractor" in self.fields:
            self.fields["contractor"].queryset = Contractor.objects.exclude(
                status=Contractor.Status.ENDED).order_by("code")


class ScreeningAnswerForm(ScopedModelForm):
    """The contractor's side of one requirement, as they answered it (on paper, by e-mail or
    through the portal)."""

    class Meta:
        model = ScreeningAnswer
        fields = ["their_level", "their_comment"]


class AcceptGapForm(forms.Form):
    condition = forms.CharField(label=_("condition of acceptance"), widget=forms.Textarea,
                                help_text=_("What the contractor must do, or what we do "
                                            "instead, while the gap remains."))
    expires_on = forms.DateField(label=_("acceptance expires on"), widget=DateInput)


class ContractForm(ScopedModelForm):
    class Meta:
        model = Contract
        fields = ["contractor", "title", "signed_on", "starts_on", "ends_on", "renewal",
                  "clause_confidentiality", "clause_purpose_limitation",
                  "clause_security_measures", "clause_subcontracting_consent",
                  "clause_audit_right", "clause_incident_notification", "notification_hours",
                  "clause_return_or_deletion", "clause_foreign_transfer", "note"]
        widgets = {"signed_on": DateInput, "starts_on": DateInput, "ends_on": DateInput}


class CertificateForm(ScopedModelForm):
    class Meta:
        model = Certificate
        fields = ["contractor", "kind", "number", "issuer", "issued_on", "expires_on",
                  "relied_on", "file", "note"]
        widgets = {"issued_on": DateInput, "expires_on": DateInput, "file": EvidenceFileInput}


class ContractorSettingsForm(ScopedModelForm):
    class Meta:
        model = ContractorSettings
        fields = ["high_review_months", "medium_review_months", "low_review_months",
                  "notification_hours", "expiry_warning_days"]


class SubcontractingForm(ScopedModelForm):
    class Meta:
        model = Subcontracting
        fields = ["contractor", "subcontractor", "work", "information", "requested_on"]
        widgets = {"requested_on": DateInput}

    def limit_choices(self, user):
        if "contractor" in self.fields:
            # Recorded by whoever keeps the contractor that passes the work on.
            self.fields["contractor"].queryset = Contractor.objects.restrict(
                user, CHANGE).exclude(status=Contractor.Status.ENDED).order_by("code")
        if "subcontractor" in self.fields:
            self.fields["subcontractor"].queryset = Contractor.objects.exclude(
                status=Contractor.Status.ENDED).order_by("code")


class SubcontractingDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("decision"), coerce=lambda value: value == "yes",
        choices=[("yes", _("Consent to the subcontracting")), ("no", _("Refuse it"))],
        widget=forms.RadioSelect)
    note = forms.CharField(label=_("reason or condition"), widget=forms.Textarea,
                           required=False, max_length=4000,
                           help_text=_("Required when refusing."))
