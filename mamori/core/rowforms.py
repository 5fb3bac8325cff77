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

Each row's form then cleans without Django's per-field machinery (a BoundField for every field
of every row, construct_instance's per-row checks of every model field, a model field's
clean() for a value cleaned a thousand rows before): clean_row_fields, post_clean_row,
fill_row_instance and clean_model_fields do the same steps in the same order. They stand in for
private Django code (Django is pinned to 5.2): test_rowforms fingerprints that code and holds
both to the same results, row by row, good rows and bad. Together with the shared fields this
took a 100,000-asset import from 4,400 to 5,300 rows/s on SQLite.

A form class with its own __init__ may build something per row, and a form whose building
sets a field of its record (limit_choices naming who assesses a new report) does: such forms
are built per row. A form's cleaning must not change its fields (they are shared by the rows).
"""

import copy
from types import MethodType

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.forms.boundfield import BoundField
from django.forms.models import InlineForeignKeyField, model_to_dict
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
        return cleaned_once(cleaned, value, clean, value)

    field.clean = clean_once


def cleaned_once(known: dict, key, clean, *args):
    """`clean(*args)`, remembered in `known` under `key` (up to REMEMBERED_VALUES keys). A
    refused value raises, and is not remembered: each row gets its own error."""
    try:
        return known[key]
    except KeyError:
        result = clean(*args)
        if len(known) < REMEMBERED_VALUES:
            known[key] = result
        return result
    except TypeError:  # not hashable
        return clean(*args)


def clean_row_fields(form) -> None:
    """Form._clean_fields for an import row (bound to the row's form in place of Django's):
    each field's value cleaned, then the form's clean_<name>(), errors added by field, as
    Django 5.2 does, without a BoundField for each of the dozen fields of each row (the tenth
    of an import spent making them). core/tests/test_rowforms.py holds Django's version to the
    one this was written against, and both to the same results."""
    data, files, cleaned = form.data, form.files, form.cleaned_data
    for name, field in form.fields.items():
        try:
            if field.disabled:
                value = form.get_initial_for_field(field, name)
            else:
                value = field.widget.value_from_datadict(data, files, form.add_prefix(name))
            cleaned[name] = field.clean(value)
            clean_name = getattr(form, f"clean_{name}", None)
            if clean_name is not None:
                cleaned[name] = clean_name()
        except forms.ValidationError as error:
            form.add_error(name, error)


def post_clean_row(form) -> None:
    """BaseModelForm._post_clean for an import row, as Django 5.2 does it, but that the record
    is filled by fill_row_instance and its fields cleaned by clean_model_fields."""
    exclude = form._get_validation_exclusions()
    for name, field in form.fields.items():
        if isinstance(field, InlineForeignKeyField):
            exclude.add(name)
    try:
        fill_row_instance(form)
    except ValidationError as error:
        form._update_errors(error)
    try:
        form.instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        form._update_errors(error)
    if form._validate_unique:
        form.validate_unique()


def fill_row_instance(form) -> None:
    """django.forms.models.construct_instance for a row's form: the same fields set the same
    way, the model's fields that may be set (editable, not an AutoField) listed once per
    model, and the form field read from the form's fields rather than through a BoundField."""
    instance, cleaned, opts = form.instance, form.cleaned_data, form._meta
    files = []
    for f, is_file in settable_fields(type(instance)):
        name = f.name
        if name not in cleaned:
            continue
        if opts.fields is not None and name not in opts.fields:
            continue
        if opts.exclude and name in opts.exclude:
            continue
        field = form.fields[name]
        if (f.has_default()
                and field.widget.value_omitted_from_data(form.data, form.files,
                                                         form.add_prefix(name))
                and cleaned.get(name) in field.empty_values):
            continue
        if is_file:
            files.append(f)
        else:
            f.save_form_data(instance, cleaned[name])
    for f in files:
        f.save_form_data(instance, cleaned[f.name])


_settable: dict = {}


def settable_fields(model) -> tuple:
    if model not in _settable:
        _settable[model] = tuple(
            (f, isinstance(f, models.FileField)) for f in model._meta.fields
            if f.editable and not isinstance(f, models.AutoField))
    return _settable[model]


# Model fields whose clean(value, instance) depends on the value alone, as the form fields
# above; a relation's validate() reads the database, and is never remembered. Not decimals:
# Decimal("1.0") and Decimal("1.00") are one key but not one number of digits to validate.
MODEL_CLEANED_ONCE_PER_VALUE = frozenset({
    models.CharField, models.TextField, models.SlugField, models.EmailField, models.URLField,
    models.IntegerField, models.SmallIntegerField, models.PositiveIntegerField,
    models.PositiveSmallIntegerField, models.BigIntegerField, models.BooleanField,
    models.DateField,
})


def clean_model_fields(instance, remembered: dict, exclude=None) -> None:
    """Model.clean_fields for a row's record, as Django 5.2 does it, each value of a field in
    MODEL_CLEANED_ONCE_PER_VALUE cleaned once per file (`remembered`: model field -> value ->
    cleaned value, REMEMBERED_VALUES each). A refused value is refused anew each time."""
    exclude = exclude or set()
    errors = {}
    for f in instance._meta.fields:
        if f.name in exclude or f.generated:
            continue
        raw_value = getattr(instance, f.attname)
        if f.blank and raw_value in f.empty_values:
            continue
        if isinstance(raw_value, DatabaseDefault):
            continue
        try:
            if type(f) in MODEL_CLEANED_ONCE_PER_VALUE:
                # Keyed by type too: 1 and True are equal keys, not equal values.
                value = cleaned_once(remembered.setdefault(f, {}), (type(raw_value), raw_value),
                                     f.clean, raw_value, instance)
            else:
                value = f.clean(raw_value, instance)
            setattr(instance, f.attname, value)
        except ValidationError as error:
            errors[f.name] = error.error_list
    if errors:
        raise ValidationError(errors)


def cleans_without_bound_fields(form) -> bool:
    """Whether clean_row_fields does what Django's _clean_fields does for `form`: not for a
    file field, which cleans with its initial value too."""
    return not any(isinstance(field, forms.FileField) for field in form.fields.values())


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
        self.fast_cleaning = {}  # the same keys -> whether rows use clean_row_fields
        self.model_values = {}  # model field -> value -> cleaned (clean_model_fields)

    def form(self, data: dict, instance):
        """A bound form checking `data` against `instance` (None: a new record)."""
        new = instance is None
        if self.reusable and new not in self.templates:
            self.templates[new] = template = self._template(instance)
            self.fast_cleaning[new] = template is not None and cleans_without_bound_fields(
                template)
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
        if self.fast_cleaning[new]:
            form._clean_fields = MethodType(clean_row_fields, form)
            form._post_clean = MethodType(post_clean_row, form)
            form.instance.clean_fields = MethodType(self._clean_model_fields, form.instance)
        self.lookups.prepare_row(form)
        return form

    def _clean_model_fields(self, instance, exclude=None):
        clean_model_fields(instance, self.model_values, exclude)

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
