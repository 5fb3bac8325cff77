from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.controls.models import (
    Control,
    Evidence,
    Framework,
    Requirement,
    RequirementMapping,
    requirement_uid,
)
from mamori.core.forms import ScopedModelForm
from mamori.core.scope import CHANGE
from mamori.org.forms import DateInput, departments_user_may_staff


class ControlForm(ScopedModelForm):
    class Meta:
        model = Control
        fields = ["code", "title_ja", "title_en", "description", "theme", "department", "owner",
                  "status", "frequency"]

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)


class EvidenceFileInput(forms.ClearableFileInput):
    """The file already attached is named, not linked: Django's widget links the storage
    address, which is not served (evidence is downloaded through its own page, which checks
    that the reader may see it), so the link answered 404."""

    template_name = "controls/widgets/evidence_file.html"


class EvidenceForm(ScopedModelForm):
    # Declared so that an address typed without a scheme is taken as https (Django 6's rule).
    url = forms.URLField(label=Evidence._meta.get_field("url").verbose_name, required=False,
                         max_length=500, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = ["control", "kind", "title", "file", "url", "note", "collected_on",
                  "expires_on", "collected_by"]
        widgets = {"collected_on": DateInput, "expires_on": DateInput,
                   "file": EvidenceFileInput}

    def limit_choices(self, user):
        # Evidence is added to controls the user keeps.
        self.fields["control"].queryset = Control.objects.restrict(user, CHANGE)


class FrameworkForm(ScopedModelForm):
    class Meta:
        model = Framework
        fields = ["code", "name_ja", "name_en", "version", "publisher", "source",
                  "licence_note", "in_soa"]


class RequirementForm(ScopedModelForm):
    class Meta:
        model = Requirement
        fields = ["framework", "ref", "parent", "sort_key", "title_ja", "title_en",
                  "description", "theme", "is_group", "controls", "applicable",
                  "justification"]
        widgets = {"applicable": forms.NullBooleanSelect}


class RequirementImportForm(RequirementForm):
    """Rows of a file (for example the licensed text of a standard the organisation owns):
    the mapped controls are kept as they are."""

    uid = forms.CharField(required=False, max_length=140)

    class Meta(RequirementForm.Meta):
        fields = [f for f in RequirementForm.Meta.fields if f != "controls"]

    def clean(self):
        cleaned = super().clean()
        uid, framework, ref = cleaned.get("uid"), cleaned.get("framework"), cleaned.get("ref")
        expected = requirement_uid(framework.code, ref) if framework and ref else None
        if uid and expected and uid != expected:
            self.add_error("uid", _("%(uid)s does not match the framework and reference "
                                    "(%(expected)s).") % {"uid": uid, "expected": expected})
        return cleaned


class RequirementMappingForm(ScopedModelForm):
    class Meta:
        model = RequirementMapping
        fields = ["source", "target", "relationship", "strength", "rationale", "annotation"]


class LibraryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Library file (YAML)"),
        help_text=gettext_lazy(
            "A CISO Assistant library: a framework, requirement mapping sets, or both. "
            "Nothing is saved unless the whole file is valid; importing it again updates "
            "what it imported and keeps your decisions."))
