from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm, keep_unseen_links
from mamori.core.scope import CHANGE
from mamori.org.forms import DateInput, departments_user_may_staff
from mamori.org.models import Person


class LegalSourceForm(ScopedModelForm):
    class Meta:
        model = LegalSource
        fields = ["code", "kind", "title_ja", "title_en", "short_name", "issuer",
                  "jurisdiction", "url", "note"]


class SourceVersionForm(ScopedModelForm):
    class Meta:
        model = SourceVersion
        fields = ["source", "version", "promulgated_on", "effective_on", "summary_ja",
                  "summary_en", "affects_all", "affected"]
        widgets = {"promulgated_on": DateInput, "effective_on": DateInput}


class ObligationForm(ScopedModelForm):
    class Meta:
        model = Obligation
        fields = ["code", "source", "article", "title_ja", "title_en", "summary_ja",
                  "summary_en", "applicability", "applicability_reason", "department",
                  "interval_months", "controls", "policy_sections", "requirements",
                  "breach_rules"]

    def limit_choices(self, user):
        # Art 3: an obligation is owned by a department the user manages.
        self.fields["department"].queryset = departments_user_may_staff(user)


class ObligationImportForm(ObligationForm):
    """Rows of a file: the mappings are kept as they are (they are chosen on the page; a
    file has no column for them, and would otherwise unlink them all)."""

    class Meta(ObligationForm.Meta):
        fields = [f for f in ObligationForm.Meta.fields
                  if f not in ("controls", "policy_sections", "requirements", "breach_rules")]


class EvaluationForm(ScopedModelForm):
    class Meta:
        model = Evaluation
        fields = ["obligation", "result", "evaluated_on", "evaluator", "evidence", "file",
                  "note"]
        widgets = {"evaluated_on": DateInput}

    def limit_choices(self, user):
        self.fields["obligation"].queryset = Obligation.objects.restrict(user, CHANGE)
        person = r.roles_for(user).person_id if user is not None else None
        if person and not self.instance.pk:
            self.fields["evaluator"].initial = person
        self.fields["evaluator"].queryset = Person.objects.all()


class ComplianceExceptionForm(ScopedModelForm):
    class Meta:
        model = ComplianceException
        fields = ["obligation", "reason", "compensating_measures", "accepted_on",
                  "expires_on"]
        widgets = {"accepted_on": DateInput, "expires_on": DateInput}

    def save(self, commit=True):
        if self.instance.accepted_by_id is None and self.user is not None:
            self.instance.accepted_by_id = r.roles_for(self.user).person_id
        return super().save(commit)


class ImpactAssessmentForm(ScopedModelForm):
    class Meta:
        model = ImpactAssessment
        fields = ["status", "assessment"]


class RegulatoryActionForm(ScopedModelForm):
    class Meta:
        model = RegulatoryAction
        fields = ["code", "kind", "title", "regulator", "reference", "received_on",
                  "description", "department", "response_due_on", "responded_on",
                  "response", "status", "obligations", "incidents"]
        widgets = {"received_on": DateInput, "response_due_on": DateInput,
                   "responded_on": DateInput}

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)

    def clean_obligations(self):
        return keep_unseen_links(self, "obligations")

    def clean_incidents(self):
        return keep_unseen_links(self, "incidents")


class RegulatoryActionImportForm(RegulatoryActionForm):
    """Rows of a file: the obligations and incidents concerned are kept as they are."""

    class Meta(RegulatoryActionForm.Meta):
        fields = [f for f in RegulatoryActionForm.Meta.fields
                  if f not in ("obligations", "incidents")]
