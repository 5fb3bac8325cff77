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

A form class with its own __init__ may build something per row; it gets a new form per row.
"""

import copy

from django.forms.models import model_to_dict

from mamori.core.forms import ScopedModelForm


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
        self.templates = {}  # True for a new record, False for an update -> form

    def form(self, data: dict, instance):
        """A bound form checking `data` against `instance` (None: a new record)."""
        if not self.reusable:
            form = self._build(data, instance)
            self.lookups.prepare(form)
            return form
        new = instance is None
        template = self.templates.get(new)
        if template is None:
            # An update's template stands for any record: its pk only, so that no related
            # object of one record is kept as a choice for the others.
            stand_in = None if new else type(instance)(pk=instance.pk)
            template = self.templates[new] = self._build(None, stand_in)
            self.lookups.prepare_template(template)
        form = copy.copy(template)
        form.is_bound = True
        form.data = data
        form.instance = self.form_class._meta.model() if new else instance
        opts = self.form_class._meta
        form.initial = {} if new else model_to_dict(instance, opts.fields, opts.exclude)
        form._errors = None
        form._bound_fields_cache = {}
        form._validate_unique = False
        self.lookups.prepare_row(form)
        return form

    def _build(self, data, instance):
        form = self.form_class(data=data, instance=instance, user=self.user)
        for name, key_field in self.resource.natural_keys.items():
            if name in form.fields:
                form.fields[name].to_field_name = key_field
        return form
