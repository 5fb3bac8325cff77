"""Base forms: every choice of a related object is limited to what the user may see, and
every date is a plausible one (core.dates)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.dates import validate_plausible_date
from mamori.core.scope import VIEW


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                field.queryset = queryset.restrict(user, VIEW)
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(validate_plausible_date)
        self.limit_choices(user)

    def limit_choices(self, user) -> None:
        """Narrow choices further for this model (override)."""


def keep_unseen_links(form, name):
    """The chosen objects of a many-to-many field plus those already linked that the user
    cannot see: they were not offered, so saving the form must not unlink them."""
    chosen = form.cleaned_data.get(name)
    if chosen is None or not form.instance.pk:
        return chosen
    offered = form.fields[name].queryset
    unseen = getattr(form.instance, name).exclude(pk__in=offered.values("pk"))
    return offered.model.objects.filter(Q(pk__in=chosen.values("pk"))
                                        | Q(pk__in=unseen.values("pk")))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("UTF-8 CSV or XLSX with a header row of field names, as the export writes "
                    "them. Rows whose key already exists are updated; nothing is saved unless "
                    "every row is valid."),
    )
