"""The form that checks each row of an import, built once per file instead of once per row.

Building a Django form deep-copies every field of its class and, for a ScopedModelForm, narrows
and restricts each choice list: about half a millisecond a row, more than the rest of an
import. What it builds depends only on the user and on whether the record is new (the contract
of ScopedModelForm.limit_choices), so two forms are built per file (one for new records, one
for updates) and each row gets a shallow copy of one of them: its own data, instance, initial
values and errors, sharing the fields, which cleaning only reads. Every row is still cleaned
by the form's own `full_clean` (fields, clean methods, the model's full_clean, uniqueness).

What an update's form adds for its record (keep_current_choices: its current related objects
stay valid choices; the record's values as initial data) is added per row: the initial values
here, the current choices by core.filelookups, which answers a row's related objects.

A form class with its own __init__ may build something per row, and a form whose building
sets a field of its record (limit_choices naming who assesses a new report) does: such forms
are built per row. A form's cleaning must not change its fields (they are shared by the rows).
"""

import copy

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import model_to_dict
from django.forms.utils import pretty_name
from django.utils.functional import cached_property

from mamori.core.audit import snapshot
from mamori.core.forms import ScopedModelForm


def _fixed_values(instance) -> dict:
    """The instance's values, but those a callable default gives each new instance anew."""
    values = snapshot(instance)
    for field in instance._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            values.pop(field.attname, None)
    return values


class RowBoundField(BoundField):
    """The bound field of an import row's form (Form.bound_field_class): what cleaning reads
    (the form, the field, its name) is set when it is made, and what only a rendered page shows
    (label, help text, ids) when it is first asked for. Django's BoundField works all of that
    out for every field of every row: a third of the time an import spends cleaning fields."""

    def __init__(self, form, field, name):  # not BoundField's: that sets what is lazy here
        self.form = form
        self.field = field
        self.name = name
        self.html_name = form.add_prefix(name)

    @cached_property
    def html_initial_name(self):
        return self.form.add_initial_prefix(self.name)

    @cached_property
    def html_initial_id(self):
        return self.form.add_initial_prefix(self.auto_id)

    @cached_property
    def label(self):
        return pretty_name(self.name) if self.field.label is None else self.field.label

    @cached_property
    def help_text(self):
        return self.field.help_text or ""

    @cached_property
    def renderer(self):
        return self.form.renderer


# Django's form fields whose clean(value) depends on the value alone (the field's settings
# aside) and gives an immutable result: a file's rows repeat the same few values (a type, a
# status, a rating) thousands of times, and such a value is cleaned once. Exact classes
# only (a subclass may clean with more than the value), or a field class that says so with
# `cleaned_once_per_value`.
CLEANED_ONCE_PER_VALUE = frozenset({
    forms.CharField, forms.SlugField, forms.EmailField, forms.URLField, forms.IntegerField,
    forms.DecimalField, forms.BooleanField, forms.NullBooleanField, forms.ChoiceField,
    forms.TypedChoiceField, forms.DateField,
})
REMEMBERED_VALUES = 1000  # per field: the repeated values, not every code of the file


def remember_cleaning(field) -> None:
    """Make `field` (shared by the rows' forms) clean each value once. A value it refuses is
    refused anew each time, so each row's error is its own."""
    if type(field) not in CLEANED_ONCE_PER_VALUE and not getattr(
            field, "cleaned_once_per_value", False):
        return
    clean = field.clean
    cleaned = {}

    def clean_once(value):
        try:
            return cleaned[value]
        except KeyError:
            result = clean(value)
            if len(cleaned) < REMEMBERED_VALUES:
                cleaned[value] = result
            return result
        except TypeError:  # not hashable
            return clean(value)

    field.clean = clean_once


def reusable(form_class) -> bool:
    """Whether one form of `form_class` may be copied for every row: its __init__ is
    ScopedModelForm's, which builds nothing from the row."""
    return form_class.__init__ is ScopedModelForm.__init__


class RowForms:
    def __init__(self, resource, form_class, user, lookups):
        self.resource = resource
        self.form_class = form_class
        self.user = user
        self.lookups = lookups
        self.reusable = reusable(form_class)
        self.templates = {}  # True for a new record, False for an update -> form (or None)

    def form(self, data: dict, instance):
        """A bound form checking `data` against `instance` (None: a new record)."""
        new = instance is None
        if self.reusable and new not in self.templates:
            self.templates[new] = self._template(instance)
        template = self.templates.get(new)
        if template is None:
            form = self._build(data, instance)
            self.lookups.prepare(form)
            return form
        form = copy.copy(template)
        form.is_bound = True
        form.data = data
        form.instance = self.form_class._meta.model() if new else instance
        opts = self.form_class._meta
        form.initial = {} if new else model_to_dict(instance, opts.fields, opts.exclude)
        for name, value in template.initial.items():
            # What limit_choices proposes (setdefault) for every row: a new record's
            # default department, say. An update's own values come first.
            form.initial.setdefault(name, value)
        form._errors = None
        form._bound_fields_cache = {}
        form._validate_unique = False
        form.bound_field_class = RowBoundField
        self.lookups.prepare_row(form)
        return form

    def _template(self, instance):
        """The form every row of a kind is copied from, or None when building it changed
        its instance (limit_choices setting a field of a new record, say): that change is
        the row's own, so such rows get a form each."""
        model = self.form_class._meta.model
        if instance is None:
            template = self._build(None, None)  # as a new row's form: no initial values
            before = model()
        else:
            # An update's template stands for any record: its pk only, so that no related
            # object of one record is kept as a choice for the others.
            before = model(pk=instance.pk)
            template = self._build(None, model(pk=instance.pk))
        if _fixed_values(template.instance) != _fixed_values(before):
            return None
        self.lookups.prepare_template(template)
        for field in template.fields.values():
            remember_cleaning(field)
        return template

    def _build(self, data, instance):
        return build_form(self.resource, self.form_class, self.user, data, instance)


def build_form(resource, form_class, user, data, instance):
    """A new form for one row: its related objects named by the file's natural keys (a
    department's code, not its id)."""
    form = form_class(data=data, instance=instance, user=user)
    for name, key_field in resource.natural_keys.items():
        if name in form.fields:
            form.fields[name].to_field_name = key_field
    return form
