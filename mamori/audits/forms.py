from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.audits import independence
from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
    WorkingPaper,
)
from mamori.core.forms import ScopedModelForm
from mamori.org.forms import DateInput


class AuditProgrammeForm(ScopedModelForm):
    class Meta:
        model = AuditProgramme
        fields = ["fiscal_year", "objectives", "approved_by", "approved_on"]
        widgets = {"approved_on": DateInput}


class AuditForm(ScopedModelForm):
    class Meta:
        model = Audit
        fields = ["code", "title", "kind", "programme", "auditing_body", "criteria",
                  "departments", "articles", "requirements", "controls", "contractors",
                  "lead_auditor", "team",
                  "planned_start", "planned_end", "summary", "conclusion", "follow_up_of",
                  "independence_justification"]
        widgets = {"planned_start": DateInput, "planned_end": DateInput,
                   "articles": forms.CheckboxSelectMultiple}

    def limit_choices(self, user):
        if self.instance.pk:
            self.fields["code"].disabled = True
        if "requirements" in self.fields:
            self.fields["requirements"].queryset = self.fields["requirements"].queryset.filter(
                is_group=False)

    def clean(self):
        cleaned = super().clean()
        refused = independence.settle(
            self.user, self.instance, cleaned.get("kind"), cleaned.get("lead_auditor"),
            cleaned.get("team") or [],
            cleaned.get("departments") or [], cleaned.get("independence_justification", ""))
        if refused:
            self.add_error("team" if "team" in self.fields else None, refused)
        return cleaned


class ChecklistItemForm(ScopedModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["audit", "kind", "reference", "title", "result", "notes", "sampled_records",
                  "evidence"]

    def limit_choices(self, user):
        self.fields["audit"].queryset = Audit.objects.restrict(user, "change")
        if self.instance.pk:
            # What an item is about stays as generated; its findings are what is recorded.
            for name in ("audit", "kind", "reference"):
                self.fields[name].disabled = True


class AuditSettingsForm(ScopedModelForm):
    class Meta:
        model = AuditSettings
        fields = ["fiscal_year_start_month", "cycle_years"]


class EvidenceRequestForm(ScopedModelForm):
    class Meta:
        model = EvidenceRequest
        fields = ["audit", "item", "asked_of", "request", "due_on", "status", "response"]
        widgets = {"due_on": DateInput}

    def limit_choices(self, user):
        self.fields["audit"].queryset = Audit.objects.restrict(user, "change")


class EvidenceRequestAnswerForm(ScopedModelForm):
    """What the one asked fills in: the answer and the evidence that shows it."""

    class Meta:
        model = EvidenceRequest
        fields = ["response", "evidence"]

    def clean_response(self):
        response = self.cleaned_data.get("response", "").strip()
        if not response:
            raise forms.ValidationError(_("Give the answer."))
        return response


class AuditCertificateForm(ScopedModelForm):
    class Meta:
        model = AuditCertificate
        fields = ["audit", "kind", "number", "scope_statement", "issued_on", "expires_on",
                  "evidence", "superseded"]
        widgets = {"issued_on": DateInput, "expires_on": DateInput}

    def limit_choices(self, user):
        self.fields["audit"].queryset = Audit.objects.exclude(kind=Audit.Kind.INTERNAL)


class WorkingPaperForm(ScopedModelForm):
    class Meta:
        model = WorkingPaper
        fields = ["item", "title", "file"]

    def limit_choices(self, user):
        self.fields["item"].queryset = ChecklistItem.objects.restrict(user, "change")
