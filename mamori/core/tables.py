"""Tables for list pages and resources for CSV/XLSX export and import.

A Table names the columns of a list page (sortable ones sort in the database). A Resource
names the columns of a file: exported with field names as headers, so an export can be edited
and imported again. Foreign keys travel by natural key (a department's code, not its id).
"""

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.core import badges
from mamori.core.dates import has_passed
from mamori.core.paging import with_tiebreak


@dataclass(frozen=True)
class Column:
    field: str  # model field, or a dotted path for related values (department.name)
    label: object = None
    sortable: bool = True
    link: bool = False
    order_by: str | None = None  # database ordering for this column, defaults to field

    def header(self, model) -> str:
        if self.label is not None:
            return str(self.label)
        return str(model._meta.get_field(self.field.split(".")[0]).verbose_name)

    def value(self, obj):
        value = obj
        for part in self.field.split("."):
            if value is None:
                return ""
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part)
        if isinstance(value, Model):
            return str(value)
        if value is None:
            return ""
        return value

    @property
    def ordering(self) -> str:
        return self.order_by or self.field.replace(".", "__")

    def raw(self, obj, path: str | None = None):
        """The stored value at `path` (default: the column's field), not its label."""
        value = obj
        for part in (path or self.field).split("."):
            if value is None:
                return None
            value = getattr(value, part)
        return value


def shown_date(value) -> str:
    """A date, or a moment in the site's time zone, as list cells show them."""
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    return formats.date_format(value, "Y-m-d")


@dataclass(frozen=True)
class DueColumn(Column):
    """A due date (or expiry) marked in red, with the word, once it has passed while the thing
    is still owed: `done` names the field that, once set, means it no longer is (a recovery
    action's `done_on`). Colour is not the only signal: the word says it."""

    done: str = ""
    passed: object = gettext_lazy("overdue")

    def value(self, obj):
        due = self.raw(obj)
        if due is None or not has_passed(due) or (self.done and self.raw(obj, self.done)):
            return super().value(obj)
        return format_html(
            '<span class="text-danger" data-overdue>{} <span class="badge bg-red-lt">{}'
            '</span></span>', shown_date(due), self.passed)


class Table:
    columns: list[Column] = []
    select_related: tuple[str, ...] = ()
    default_ordering: str = "pk"
    per_page: int = 50

    def __init__(self, model):
        self.model = model

    def headers(self):
        return [(c, c.header(self.model)) for c in self.columns]

    def rows(self, objects):
        """(object, [(column, value, kept on one line)]) for each object."""
        whole = [self.kept_whole(c) for c in self.columns]
        badged = [self.badged(c) for c in self.columns]
        return [(obj, [(c, badges.shown(self.model, c.field, c.raw(obj), c.value(obj)) if b
                        else c.value(obj), w)
                       for c, w, b in zip(self.columns, whole, badged, strict=True)])
                for obj in objects]

    def badged(self, column) -> bool:
        """Whether the column's values read as badges (core.badges): a plain column of a
        registered field of the listed model itself."""
        return (type(column) is Column and "." not in column.field
                and badges.tones_for(self.model, column.field) is not None)

    # Codes (the fields a record is known by) and choices (statuses, kinds) are short words
    # that read wrongly when broken over two lines (issue 16 #18).
    WHOLE_FIELDS = {"code", "employee_no", "uid", "number"}

    def kept_whole(self, column) -> bool:
        name = column.field.split(".")[-1]
        if name in self.WHOLE_FIELDS:
            return True
        try:
            field = self.model._meta.get_field(column.field.split(".")[0])
        except FieldDoesNotExist:
            return False
        return bool(getattr(field, "choices", None)) or field.get_internal_type() in (
            "DateField", "DateTimeField")

    def ordering_for(self, sort: str | None) -> str:
        if sort:
            name = sort.lstrip("-")
            for column in self.columns:
                if column.sortable and column.field == name:
                    return ("-" if sort.startswith("-") else "") + column.ordering
        return self.default_ordering

    def ordering_with_tiebreak(self, sort: str | None) -> tuple[str, ...]:
        """The ordering of `sort` with the id as tiebreak (core.paging.with_tiebreak)."""
        return with_tiebreak(self.model, self.ordering_for(sort))


class Resource:
    """File columns of a model. `key` identifies an existing row for import (update instead
    of create); `natural_keys` maps a foreign key to the related model's identifying field."""

    model: type[Model]
    fields: list[str] = []
    key: str | None = None
    natural_keys: dict[str, str] = {}
    select_related: tuple[str, ...] = ()

    # A file's column headings: the field's name in the language of the page (what its form
    # calls it), as exports write them; an import reads them in either language, or the
    # field names themselves (what exports wrote before, and what a script may write).
    LANGUAGES = ("ja", "en")

    def header(self, name: str) -> str:
        """The heading of column `name` in the active language."""
        try:
            label = self.model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            return name
        text = capfirst(str(label))
        return text if self._headings().get(_folded(text)) == name else name

    # The column beside each related record's code that gives its name, for the reader of
    # the file (a department's code says little to most people); an import reads the code
    # and passes over the name (issue 16 #20).
    SHOWN_NAME = ""  # what `column` answers for such a column: read by nothing

    def name_header(self, name: str) -> str:
        return _("%(column)s (name)") % {"column": self.header(name)}

    def headers(self, with_names: bool = True) -> list[str]:
        """The headings of an export (`with_names`: and of the names beside codes) or of
        an import's template (without: it asks only what the import reads)."""
        headers = []
        for name in self.fields:
            headers.append(self.header(name))
            if with_names and name in self.natural_keys:
                headers.append(self.name_header(name))
        return headers

    def column(self, heading) -> str | None:
        """The field a file's column heading names, SHOWN_NAME for a column of related
        records' names, or None."""
        if not isinstance(heading, str):
            return None
        if heading.strip() in self.fields:
            return heading.strip()
        return self._headings().get(_folded(heading))

    def _headings(self) -> dict:
        """Every field's heading in each language -> the field; a heading two fields share in
        one language names neither (its columns are then headed by their field names)."""
        cached = type(self).__dict__.get("_heading_map")
        if cached is not None:
            return cached
        found, shared = {}, set()
        for language in self.LANGUAGES:
            with translation.override(language):
                for name in self.fields:
                    try:
                        label = self.model._meta.get_field(name).verbose_name
                    except FieldDoesNotExist:
                        continue
                    key = _folded(capfirst(str(label)))
                    if found.get(key, name) != name:
                        shared.add(key)
                    found[key] = name
                    if name in self.natural_keys:
                        found[_folded(_("%(column)s (name)") % {
                            "column": capfirst(str(label))})] = self.SHOWN_NAME
                        # And as an export headed by field names would have named it.
                        found[_folded(_("%(column)s (name)") % {"column": name})] = (
                            self.SHOWN_NAME)
        headings = {key: name for key, name in found.items() if key not in shared}
        type(self)._heading_map = headings
        return headings

    def export_value(self, obj, field_name: str, native: bool = False):
        """The cell of `obj` in column `field_name`: text for CSV; with `native` (XLSX) a
        date, number or boolean stays one, so a spreadsheet sorts and filters it as such."""
        value = getattr(obj, field_name)
        if native and not isinstance(value, Model) and isinstance(
                value, bool | int | float | datetime.date):
            return value  # core.tablebook writes a moment in the site's time zone
        if field_name in self.natural_keys:
            return "" if value is None else getattr(value, self.natural_keys[field_name])
        if value is None:
            return ""
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            # JSON fields travel as JSON text, which is what their form field reads back.
            return json.dumps(value, ensure_ascii=False)
        return value

    def export_rows(self, queryset, native: bool = False):
        for obj in queryset.select_related(*self.select_related).iterator(chunk_size=2000):
            row = []
            for name in self.fields:
                row.append(self.export_value(obj, name, native))
                if name in self.natural_keys:
                    related = getattr(obj, name)
                    row.append("" if related is None else str(related))
            yield row


def _folded(heading: str) -> str:
    """A heading as compared: spaces around it and letter case do not matter."""
    return " ".join(heading.split()).casefold()
