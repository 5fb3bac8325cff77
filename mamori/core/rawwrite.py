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
    if connection.vendor == "postgresql" and type(meta.pk) in _INTEGER_KEYS:
        _copy_rows(model, objs, fields, kinds, connection, returning)
        return
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


def _copy_rows(model, objs, fields, kinds, connection, returning) -> None:
    """PostgreSQL: the rows in one COPY, four times as fast as a multi-row INSERT of them
    (whose thousands of parameters the server parses anew each time). COPY returns nothing:
    the keys are taken from the table's own sequence first (one query; a sequence hands out
    each number once, whatever other writers do meanwhile). A COPY does not pass through
    Django's query log, so a test counting queries does not see it."""
    meta = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if returning:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)",
                           [quote(meta.db_table), meta.pk.column, len(objs)])
            keys = [key for (key,) in cursor.fetchall()]
            fields, kinds = [meta.pk, *fields], [int, *kinds]
            for obj, key in zip(objs, keys, strict=True):
                obj.pk = key
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(f.column) for f in fields))
        # psycopg's own cursor (Django's wraps it): COPY is psycopg's API, not the DB-API's.
        # Its errors are turned into Django's (a refused row: IntegrityError) as Django's
        # cursor turns those of a query.
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row(_values(fields, kinds, obj, True, connection))
    if returning:
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias


def update_rows(model, objs, connection, stored: dict | None = None) -> None:
    """UPDATE the columns of `objs` (records read in this transaction): on SQLite one
    statement run for all of them (`executemany`), on PostgreSQL one UPDATE from a COPY.
    `stored` (pk -> the row as read, unchanged since): on SQLite only the columns that differ
    from it are written (_changed_columns)."""
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.primary_key]
    kinds = [_passed_as_is(f) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            updated = _update_from_copy(cursor, model, objs, fields, kinds, connection)
        elif stored is None:
            updated = _update_each(cursor, model, objs, fields, kinds, connection)
        else:
            updated = 0
            for columns, rows in _by_changed_columns(fields, kinds, objs, stored).items():
                if columns:
                    updated += _update_each(cursor, model, rows, [f for f, _k in columns],
                                            [k for _f, k in columns], connection)
                else:
                    updated += len(rows)  # nothing to write: the row is as stored
    if updated != len(objs):
        # The rows were read locked in this transaction: a missing one is not a race to
        # shrug off but a write that did not happen.
        raise DatabaseError(f"{len(objs) - updated} of {len(objs)} rows were not updated")


def _by_changed_columns(fields, kinds, objs, stored) -> dict:
    """`objs` grouped by the columns each changes, as (field, kind) tuples. SQLite rewrites
    the entry of every index on a column an UPDATE sets, changed or not: an asset has a dozen
    such indexes (and a search table kept by a trigger), and a re-imported register changes
    one or two columns a row. A field whose `pre_save` is its own (a date set on save) is
    always written; another is left out when its value equals the stored row's."""
    plain = [(field, kind, type(field).pre_save is models.Field.pre_save)
             for field, kind in zip(fields, kinds, strict=True)]
    groups = {}
    for obj in objs:
        old = stored[obj.pk]
        columns = tuple((field, kind) for field, kind, is_plain in plain
                        if not is_plain or getattr(obj, field.attname)
                        != getattr(old, field.attname))
        groups.setdefault(columns, []).append(obj)
    return groups


def _update_each(cursor, model, objs, fields, kinds, connection) -> int:
    meta = model._meta
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names only, see above)
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(meta.pk.column))
    cursor.executemany(sql, [[*_values(fields, kinds, obj, False, connection),
                              meta.pk.get_db_prep_save(obj.pk, connection)] for obj in objs])
    return cursor.rowcount


def _update_from_copy(cursor, model, objs, fields, kinds, connection) -> int:
    """The new rows are copied into a temporary table shaped like the model's (dropped at
    the commit; emptied for each batch of the transaction), then one UPDATE takes them from
    there: a quarter of the time of an UPDATE run for each row."""
    meta = model._meta
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    staged = quote(f"rawwrite_{meta.db_table}")
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staged} (LIKE {table}) "
                   "ON COMMIT DROP")
    cursor.execute(f"TRUNCATE {staged}")
    columns = [meta.pk, *fields]
    with connection.wrap_database_errors, cursor.cursor.copy("COPY {} ({}) FROM STDIN".format(
            staged, ", ".join(quote(f.column) for f in columns))) as copy:
        for obj in objs:
            copy.write_row(_values(columns, [int, *kinds], obj, False, connection))
    cursor.execute("UPDATE {} AS t SET {} FROM {} AS s WHERE t.{} = s.{}".format(  # noqa: S608
        table, ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields),
        staged, key, key))
    return cursor.rowcount
