"""What an import's check asks the database once for the whole file instead of once per row.

The check validates each row with the model's own form (core.io), so the rules are the UI's.
A form asks the database for each related object it is given (the department of code X) and
whether each unique value is taken: for a file of 20,000 people that is 40,000 queries, most
of the check's time. `FileLookups` reads both once per file, in chunks, and then answers the
forms from memory:

- Related objects (`ModelChoiceField`s the file fills): read through the choices a new record's
  form offers this user, so a row can pick only what the form itself would accept. Used for
  rows that create records; a row that updates one keeps the form's own lookup, because its
  choices may include the record's current value (core.forms.keep_current_choices). This
  relies on ScopedModelForm.limit_choices depending only on the user and on whether the
  record is new, as its docstring requires. A value not found is asked of the form's own
  query, so its error is the form's.
- Unique values: which record holds each unique value the file names. The form's
  `validate_unique` then looks the row's cleaned value up; a value that was not read with
  the file (the form changed it while cleaning) is checked by Django as usual. Only models
  whose unique rules are single columns are checked this way; the others keep Django's check.
  Two rows of the file giving one unique value are refused here too (the second names the
  first), instead of failing at the write.

The database's own constraints still guard the write transaction, where a value taken
meanwhile rolls the whole import back (core.io._write_rows)."""

from contextlib import suppress
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection

CHUNK = 500


class FileLookups:
    def __init__(self, resource, form_class, user, rows):
        self.model = resource.model
        self.natural_keys = resource.natural_keys
        values = _column_values(resource, rows)
        blank = form_class(user=user)
        self.values = values
        self.choice_keys = {}  # field name -> the related model's field the file names
        self.choices = self._read_choices(blank)  # field name -> {key text: object}
        self.update_choices = None  # the same for an update's form, once read
        self.unique = {}  # field name -> {value: pk of the record holding it}
        self.asked = {}  # field name -> the values asked about
        names = _single_unique_columns(self.model, set(blank.fields))
        if names is not None:
            for name in names:
                if name in values:
                    self.asked[name] = _valid(self.model, name, values[name])
                    self.unique[name] = {
                        getattr(obj, name): obj.pk for obj in
                        _read(self.model._default_manager.only(name), name, self.asked[name])}

        self.quiet_keys = _existence_known(self.model, self.choices)
        self.form = None  # the row's form being cleaned
        self.answered = set()  # its related objects answered from what was read

    def _read_choices(self, form) -> dict:
        choices = {}
        for name, field in form.fields.items():
            if (name in self.values and isinstance(field, forms.ModelChoiceField)
                    and not isinstance(field, forms.ModelMultipleChoiceField)):
                key = self.choice_keys[name] = self.choice_keys.get(name) or (
                    self.natural_keys.get(name) or "pk")
                choices[name] = {
                    str(getattr(obj, key)): obj for obj in
                    _read(field.queryset, key,
                          _valid(field.queryset.model, key, self.values[name]))}
        return choices

    def prepare_template(self, form) -> None:
        """`form` is the template of the rows' forms (core.rowforms). An update's template
        (built without the record's related objects) offers every update row's choices but
        its current objects, which are answered from the record: its related objects are
        read once too."""
        self.prepare_fields(form)
        if form.instance.pk is not None and self.update_choices is None:
            self.update_choices = self._read_choices(form)

    def prepare(self, form) -> None:
        """Make `form`, one row's own form, answer from what was read with the file."""
        self.prepare_fields(form)
        self.prepare_row(form)

    def prepare_fields(self, form) -> None:
        """Make the fields of `form` (a row's form, or the template of every row's form:
        core.rowforms) answer related objects from what was read with the file."""
        for name in self.choices:
            field = form.fields.get(name)
            if field is not None:
                field.to_python = partial(self._choice, name, field, field.to_python)

    def prepare_row(self, form) -> None:
        """`form` checks the next row."""
        self.form, self.answered = form, set()
        if self.unique:
            form.validate_unique = partial(self._validate_unique, form, form.validate_unique)
        if self.quiet_keys:
            form._get_validation_exclusions = partial(
                self._exclusions, form._get_validation_exclusions)

    def _choice(self, name, field, original, value):
        """A ModelChoiceField's to_python, answered from the file's lookup when it can."""
        if value in field.empty_values:
            return None
        instance = self.form.instance
        current_pk = None
        if instance.pk is None:
            found = self.choices[name].get(str(value))
        else:
            # An update: only its current object is answered here (always among its
            # choices: core.forms.keep_current_choices), when it was read with the record;
            # any other value asks the form's query, with the current object added as
            # keep_current_choices adds it to a record's own form.
            model_field = instance._meta.get_field(name)
            current = getattr(instance, name) if model_field.is_cached(instance) else None
            key = self.choice_keys[name]
            found = current if current is not None and str(getattr(current, key)) == str(
                value) else None
            current_pk = getattr(instance, model_field.attname)
            if found is None and self.update_choices is not None:
                # Another object than the current one: the same as the update's own form
                # offers, whose choices are these plus the current object.
                found = self.update_choices.get(name, {}).get(str(value))
        if found is not None:
            self.answered.add(name)
            return found
        if current_pk is None:
            return original(value)
        offered = field.queryset
        field.queryset = offered | offered.model._default_manager.filter(pk=current_pk)
        try:
            return original(value)
        finally:
            field.queryset = offered

    def _exclusions(self, django_exclusions):
        """The model's own check of a foreign key asks the database whether the object
        exists; for one read moments ago through the form's choices, it is not asked again
        (see _existence_known)."""
        return set(django_exclusions()) | (self.answered & self.quiet_keys)

    def _validate_unique(self, form, django_check) -> None:
        instance = form.instance
        checks = {}
        for name in self.unique:
            if name not in form.fields or name in form.errors:
                continue  # as Django: fields not on the form or already wrong are not checked
            value = getattr(instance, self.model._meta.get_field(name).attname)
            if value is None or (value == "" and
                                 connection.features.interprets_empty_strings_as_nulls):
                continue
            if value not in self.asked[name]:
                django_check()  # the form changed a value while cleaning: Django checks them
                return
            checks[name] = value
        for name, value in checks.items():
            holder = self.unique[name].get(value)
            if holder is not None and holder != instance.pk:
                form.add_error(name, instance.unique_error_message(self.model, (name,)))


def _column_values(resource, rows) -> dict:
    values = {}
    for _index, row in rows:
        for name, value in row.items():
            if value != "" and name in resource.fields:
                values.setdefault(name, set()).add(value)
    return values


def _valid(model, name, texts) -> set:
    """The file's texts for the field `name` as the field's values; texts that are not valid
    values are left out (their rows fail in the form, which says why)."""
    model_field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    values = set()
    for text in texts:
        with suppress(ValidationError):
            values.add(model_field.to_python(text))
    return values


def chunks(items):
    """`items` in lists of at most CHUNK: an `IN (…)` list stays within what every database
    accepts as parameters."""
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _read(queryset, name: str, values) -> list:
    found = []
    for chunk in chunks(values):
        found.extend(queryset.filter(**{f"{name}__in": chunk}))
    return found


def _existence_known(model, names) -> set:
    """The foreign keys among `names` whose model check is only "the object exists": no
    validators, no limit_choices_to, and not part of any unique rule or constraint (leaving
    a field out of the model's check leaves it out of those too)."""
    in_rules = {name for names in model._meta.unique_together for name in names}
    for constraint in model._meta.constraints:
        in_rules.update(getattr(constraint, "fields", ()) or ())
        if getattr(constraint, "fields", None) is None or getattr(
                constraint, "expressions", None) or getattr(constraint, "condition", None):
            return set()  # a constraint over expressions: leave every field to Django
    quiet = set()
    for name in names:
        model_field = model._meta.get_field(name)
        if (model_field.many_to_one and not model_field.validators and not model_field.unique
                and not model_field.remote_field.limit_choices_to and name not in in_rules
                and not any(getattr(f, f"unique_for_{kind}", None) == name
                            for f in model._meta.fields for kind in ("date", "month", "year"))):
            quiet.add(name)
    return quiet


def _single_unique_columns(model, on_form):
    """The model's unique columns on the form (text or number, not relations), when those are
    all the unique rules Django's validate_unique would check for it (unique fields and
    unique_together sets whose fields are all on the form); else None."""
    if any(set(names) <= on_form for names in model._meta.unique_together):
        return None
    names = []
    for model_field in model._meta.concrete_fields:
        if model_field.unique and not model_field.primary_key and model_field.name in on_form:
            if model_field.is_relation:
                return None
            names.append(model_field.name)
    return names
