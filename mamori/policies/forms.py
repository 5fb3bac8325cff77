from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm
from mamori.org.models import Department, Person
from mamori.policies.models import PolicyDocument, PolicyReview, PolicyVersion


class PolicyDocumentForm(ScopedModelForm):
    class Meta:
        model = PolicyDocument
        fields = ["code", "kind", "title_ja", "title_en", "owner_department", "approver",
                  "review_interval_months", "next_review_date", "acknowledgement_days",
                  "is_active"]
        widgets = {"next_review_date": forms.DateInput(attrs={"type": "date"})}

    def limit_choices(self, user):
        roles = r.roles_for(user)
        if not roles.changes_everything:
            self.fields["owner_department"].queryset = Department.objects.filter(
                pk__in=roles.managed_department_ids)
            # Who approves is for the CISO (or an administrator) to decide: an information
            # manager naming themselves would approve their own drafts.
            self.fields["approver"].disabled = True
        # Narrowed here; ScopedModelForm then keeps only the people the user may see.
        self.fields["approver"].queryset = self.fields["approver"].queryset.exclude(
            status=Person.Status.LEFT)


class PolicyVersionForm(ScopedModelForm):
    """The text and audience of a draft."""

    audience_categories = forms.MultipleChoiceField(
        label=_("audience categories"), choices=Person.Category.choices, required=False,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PolicyVersion
        fields = ["document", "is_material", "change_summary", "body_ja", "body_en",
                  "audience", "audience_categories", "audience_departments"]
        widgets = {"body_ja": forms.Textarea(attrs={"rows": 18}),
                   "body_en": forms.Textarea(attrs={"rows": 18})}

    def limit_choices(self, user):
        self.fields["document"].queryset = PolicyDocument.objects.restrict(user, "change")
        if self.instance.pk:
            self.fields["document"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status not in PolicyVersion.EDITABLE:
            raise forms.ValidationError(_("Only a draft can be edited; start a new version."))
        return cleaned


class NewDraftForm(forms.Form):
    is_material = forms.TypedChoiceField(
        label=_("kind of change"), coerce=lambda v: v == "material",
        choices=[("material", _("Material: everyone must acknowledge again")),
                 ("editorial", _("Editorial: acknowledgements stay valid"))])
    change_summary = forms.CharField(label=_("summary of changes"), max_length=500,
                                     required=False)


class PolicyReviewForm(ScopedModelForm):
    reasons = forms.MultipleChoiceField(label=_("reasons"), choices=PolicyReview.Reason.choices,
                                        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PolicyReview
        fields = ["document", "reviewer", "reviewed_on", "outcome", "reasons", "notes",
                  "next_review_date"]
        widgets = {"reviewed_on": forms.DateInput(attrs={"type": "date"}),
                   "next_review_date": forms.DateInput(attrs={"type": "date"})}

    def limit_choices(self, user):
        self.fields["document"].queryset = PolicyDocument.objects.restrict(user, "change")
        self.fields["reviewer"].queryset = self.fields["reviewer"].queryset.exclude(
            status=Person.Status.LEFT)
