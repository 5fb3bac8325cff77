"""Tables for list pages and resources for CSV/XLSX export and import.

A Table names the columns of a list page (sortable ones sort in the database). A Resource
names the columns of a file: exported with field names as headers, so an export can be edited
and imported again. Foreign keys travel by natural key (a department's code, not its id).
"""

import json
from dataclasses import dataclass

from django.db.models import Model

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
        return [(obj, [(c, c.value(obj)) for c in self.columns]) for obj in objects]

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

    def export_value(self, obj, field_name: str):
        value = getattr(obj, field_name)
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

    def export_rows(self, queryset):
        for obj in queryset.select_related(*self.select_related).iterator(chunk_size=2000):
            yield [self.export_value(obj, f) for f in self.fields]
