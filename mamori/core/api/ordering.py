"""`?ordering=` by what the API shows, and by nothing else."""

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.utils.encoding import force_str
from rest_framework.filters import OrderingFilter

from mamori.core.paging import with_tiebreak

# Registers of hundreds of thousands of rows at a large company (ten per incident, several per
# person): the API sorts them only by columns an index serves.
SORTED_BY_INDEX_ONLY = frozenset({
    "org.person", "assets.asset", "policies.acknowledgement", "core.changelogentry",
    "incidents.incidententry", "incidents.recoveryaction",
    "training.assignment", "training.completion", "contractors.screeninganswer",
})


def indexed_columns(model) -> set[str]:
    """The fields of `model` whose order an index gives: the primary key, a unique field that
    is never empty, and the first field of each of its indexes."""
    found = {f.name for f in model._meta.concrete_fields
             if f.primary_key or (f.unique and not f.null)}
    for index in model._meta.indexes:
        if index.fields:
            found.add(model._meta.get_field(index.fields[0].lstrip("-")).name)
    return found


class ExposedFieldOrdering(OrderingFilter):
    """Orders a list by the fields its serializer shows (or by the view's own list of
    `ordering_fields`), so that sorting cannot read a column the API hides: ordering people by
    a field left out of the API would reveal its values row by row.

    Within those fields:
    - a many-to-many field is not orderable: it sorts by one row per link, so rows repeat and
      links to objects the user may not see are counted;
    - a foreign key sorts by the id the API shows, not by the related model's own ordering
      (which would sort risks by their owners' staff numbers, owners the user may not see);
    - a name that is not orderable is ignored, whether or not the model has such a field, as
      DRF ignores unknown names; when none is left, the view's default order applies;
    - the primary key breaks ties, so that pages of a sorted list neither repeat nor skip rows
      (core.paging.with_tiebreak);
    - a register of hundreds of thousands of rows (SORTED_BY_INDEX_ONLY) sorts only by a
      column an index serves (one that tells rows apart, or the first column of one of its
      indexes): sorting 200,000 assets by their description read and sorted the whole table
      on every page (300 ms on SQLite).
    """

    def columns(self, view, context=None) -> dict[str, tuple[str, str]]:
        """Each name `?ordering=` accepts → (the column it sorts by, its label)."""
        cached = getattr(view, "_mamori_ordering_columns", None)
        if cached is not None:
            return cached
        serializer_class = view.get_serializer_class()
        model = serializer_class.Meta.model
        explicit = getattr(view, "ordering_fields", None)
        if explicit == "__all__":
            raise ImproperlyConfigured(
                f"{type(view).__name__}: ordering_fields = '__all__' would sort by columns the "
                "API does not show; name the fields, or leave it to the serializer")
        if explicit is not None:
            shown = {name: (name, name) for name in explicit}
        else:
            fields = serializer_class(context=context or {}).fields
            shown = {name: (field.source, force_str(field.label or name))
                     for name, field in fields.items()
                     if not field.write_only and field.source != "*" and "." not in field.source}
        columns = {}
        for name, (source, label) in shown.items():
            try:
                model_field = model._meta.get_field(source)
            except FieldDoesNotExist:  # a property or a method: not a column
                continue
            if model_field.concrete and not model_field.many_to_many and (
                    model._meta.label_lower not in SORTED_BY_INDEX_ONLY
                    or model_field.name in indexed_columns(model)):
                columns[name] = (model_field.attname, label)
        view._mamori_ordering_columns = columns
        return columns

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, label) for name, (_column, label) in self.columns(view, context).items()]

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        columns = self.columns(view, {"request": request})
        order_by = []
        for term in ordering:
            name = term.removeprefix("-")
            # The view's default ordering may name a column that is not a query name.
            column = columns[name][0] if name in columns else name
            order_by.append(f"-{column}" if term.startswith("-") else column)
        return queryset.order_by(*with_tiebreak(queryset.model, *order_by))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        names = ", ".join(f"`{name}`" for name in self.columns(
            view, {"request": getattr(view, "request", None)}))
        if not names:
            return []
        for parameter in parameters:
            parameter["description"] = (
                f"{parameter['description']} One or more of {names}, separated by commas; "
                "`-` before a name sorts in descending order. Other names are ignored.")
        return parameters
