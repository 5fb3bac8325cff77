"""Rows written a batch at a time in plain SQL, for the bulk paths that write thousands of
records at once (an import's records and their change-log entries).

Each value is prepared exactly as a save() prepares it (the field's `pre_save`, then
`get_db_prep_save`), so what is stored is the same; what is left out is the work Django's
bulk_create does per value to allow expressions and per batch to compile the statement (half
of a 100,000-row import's write). Only quoted names of the model's own table and columns go
into the SQL text; every value is a parameter.
"""

import sqlite3

from django.db import DatabaseError, models

# PostgreSQL takes at most 65,535 parameters in one statement.
POSTGRESQL_MAX_PARAMETERS = 65535


def max_parameters(connection) -> int:
    """How many parameters one statement may carry on this connection."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        # The compiled-in limit of the SQLite library in use (32,766 since SQLite 3.32);
        # Django's bulk_create assumes the old default of 999.
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return POSTGRESQL_MAX_PARAMETERS


# Django's own field classes whose preparation for the database returns a value of this
# Python type unchanged (a str for a text column, an int for an integer one, None for NULL):
# such a value is passed as it is, without the calls that would return it (a few
# microseconds per value, a fifth of an import's write).
_PASSED_AS_IS = {
    models.CharField: str, models.TextField: str, models.SlugField: str,
    models.IntegerField: int, models.SmallIntegerField: int, models.BigIntegerField: int,
    models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int, models.BooleanField: bool,
}
_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _passed_as_is(field):
    """The Python type of the values `field` stores unchanged, or None."""
    if type(field) is models.ForeignKey and type(field.target_field) in _INTEGER_KEYS:
        return int
    return _PASSED_AS_IS.get(type(field))


def _values(fields, kinds, obj, add, connection) -> list:
    """The row of `obj` as parameters; `kinds`: _passed_as_is of each field."""
    values = []
    for field, kind in zip(fields, kinds, strict=True):
        value = field.pre_save(obj, add)
        if kind is not None and (value is None or type(value) is kind):
            values.append(value)
        elif hasattr(value, "resolve_expression"):
            raise ValueError("rawwrite writes values, not expressions")
        else:
            values.append(field.get_db_prep_save(value, connection))
    return values


def insert_rows(model, objs, connection, returning: bool = True) -> None:
    """INSERT `objs` (new records whose primary key the database assigns). With `returning`,
    each object gets its primary key and is marked saved, as bulk_create leaves it."""
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.primary_key]
    kinds = [_passed_as_is(f) for f in fields]
    quote = connection.ops.quote_name
    per_statement = max(1, max_parameters(connection) // len(fields))
    row_sql = "({})".format(", ".join(["%s"] * len(fields)))
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names only, see above)
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields))
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start:start + per_statement]
            params = []
            for obj in batch:
                params.extend(_values(fields, kinds, obj, True, connection))
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)
            if not returning:
                continue
            # Both databases return the rows of a multi-row VALUES in its order (bulk_create
            # relies on the same).
            keys = cursor.fetchall()
            if len(keys) != len(batch):
                raise DatabaseError(f"{len(batch) - len(keys)} of {len(batch)} rows "
                                    "were not inserted")
            for obj, (key,) in zip(batch, keys, strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = connection.alias


def update_rows(model, objs, connection) -> None:
    """UPDATE every column of `objs` (records read in this transaction), one statement run
    for all of them (`executemany`)."""
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.primary_key]
    kinds = [_passed_as_is(f) for f in fields]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names only, see above)
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(meta.pk.column))
    rows = [[*_values(fields, kinds, obj, False, connection),
             meta.pk.get_db_prep_save(obj.pk, connection)] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        if cursor.rowcount != len(rows):
            # The rows were read locked in this transaction: a missing one is not a race
            # to shrug off but a write that did not happen.
            raise DatabaseError(
                f"{len(rows) - cursor.rowcount} of {len(rows)} rows were not updated")
