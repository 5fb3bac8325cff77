"""Base forms: every choice of a related object is limited to what the user may see."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core.scope import VIEW


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                field.queryset = queryset.restrict(user, VIEW)
        self.limit_choices(user)

    def limit_choices(self, user) -> None:
        """Narrow choices further for this model (override)."""


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("UTF-8 CSV or XLSX with a header row of field names, as the export writes "
                    "them. Rows whose key already exists are updated; nothing is saved unless "
                    "every row is valid."),
    )
