"""Base forms: every choice of a related object is limited to what the user may see, and
every date is a plausible one (core.dates), and no text holds control characters
(core.plaintext)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.choosers import chooser_fields, use_choosers
from mamori.core.choosers import register as register_chooser_form
from mamori.core.dates import validate_plausible_date
from mamori.core.plaintext import validate_no_control_characters
from mamori.core.scope import VIEW
from mamori.core.uniqueness import told_to


class ScopedModelForm(forms.ModelForm):
    """A model form whose choices of related objects are only those the user may see.

    `limit_choices(user)` narrows a field's choices for the model; whatever it sets, every
    choice is then restricted to `restrict(user, VIEW)`, so an override cannot widen a list
    past the user's view. A single related object the instance already has stays as it is
    when the user leaves it unchanged, even where it is not offered (see
    `keep_current_choices`), and a value already taken by a record the user may not see is
    refused without naming it (core.uniqueness)."""

    def __init__(self, *args, user=None, **kwargs):
        chooser_fields(type(self))  # before the fields are copied from the class's
        super().__init__(*args, **kwargs)
        self.user = user
        self.limit_choices(user)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                field.queryset = queryset.restrict(user, VIEW)
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(validate_plausible_date)
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters)
        keep_current_choices(self)
        use_choosers(self)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        register_chooser_form(cls)

    def limit_choices(self, user) -> None:
        """Narrow choices further for this model (override). The choices may depend on the
        user and on whether the record is new, not on the submitted data: an import reads a
        new record's choices once for the whole file (core.filelookups)."""

    def full_clean(self):
        super().full_clean()
        for errors in self.errors.values():
            errors.data[:] = [told_to(self.user, error, self.instance)
                              if isinstance(error, ValidationError) else error
                              for error in errors.data]


NOT_VISIBLE = _("(a record you cannot see; kept unless you choose another)")


def keep_current_choices(form) -> None:
    """Each single related object the edited instance already has remains a valid choice,
    even when it is not among the choices offered: it may be outside the user's view (a risk
    owned by a person of another department), or narrowed away (an appointment of a person who
    has left, an acceptance by a former CISO). Saving the form unchanged must neither fail nor
    silently drop it. Only the user's own choices are limited; the current value is theirs to
    keep. Where they may not see it, the choice is shown without its name.

    No query is added to validating the form (an import validates thousands): the current
    value joins the choices' own query, and whether the user may see it is asked only when the
    choices are drawn."""
    if not form.instance.pk:
        return
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField) or isinstance(
                field, forms.ModelMultipleChoiceField):
            continue
        current = getattr(form.initial.get(name), "pk", form.initial.get(name))
        if current in (None, ""):
            continue
        model = field.queryset.model
        field.queryset = field.queryset | model._default_manager.filter(pk=current)
        field.label_from_instance = unnamed_unless_visible(
            field.label_from_instance, model, current, form.user)


def unnamed_unless_visible(label, model, pk, user):
    """`label` (a choice's label function), except that the object `pk` is shown without its
    name when `user` may not see it. Whether they may is asked once, when first needed."""
    visible = []

    def label_from_instance(obj):
        if obj.pk == pk:
            if not visible:
                visible.append(model._default_manager.restrict(user, VIEW).filter(
                    pk=pk).exists())
            if not visible[0]:
                return NOT_VISIBLE
        return label(obj)

    return label_from_instance


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
