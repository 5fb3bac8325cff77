"""CSV/XLSX export and all-or-nothing CSV/XLSX import through the model's own form.

Every file written here keeps text from becoming a spreadsheet formula, and import gives back
the exact text that was exported (see core.formulas).

Import validates every row with the same ModelForm as the UI (so the same rules apply),
collects every error with its row number and field, and writes nothing unless every row is
valid. What the forms would ask the database row by row (related objects, taken values) is read
once for the file (core.filelookups). The checking reads only; the writes then happen in one
short transaction, re-checked against the importer's scope (one row out of scope rolls the
whole import back), with one change-log append for all of them.
"""

import csv
import gc
import io
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from mamori.core.audit import one_log_append, save_in_bulk, snapshot
from mamori.core.dbstats import refresh_after_commit
from mamori.core.filelookups import FileLookups, chunks
from mamori.core.formulas import csv_field, keep_text_as_text, unquote
from mamori.core.memo import remembering
from mamori.core.rowforms import RowForms, build_form
from mamori.core.scope import ADD, CHANGE, VIEW, sees_every_row
from mamori.core.uniqueness import IN_USE

MAX_IMPORT_ROWS = 100000
MAX_IMPORT_MEGABYTES = 64  # 100,000 rows of about 600 bytes
MAX_IMPORT_BYTES = MAX_IMPORT_MEGABYTES * 1024 * 1024
WRITE_BATCH = 1000  # rows written by one INSERT / batched UPDATE (bulk-writable models)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 60


def attachment(content, content_type: str, filename: str) -> HttpResponse:
    """`content` as a download named `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(resource, queryset, fmt: str, basename: str) -> HttpResponse:
    """The rows of `queryset` as a file headed in the user's language (core.tables.Resource.
    header), which the import reads back."""
    filename = f"{basename}-{timezone.localtime():%Y%m%d-%H%M}"
    return _file_response(resource, resource.export_rows(queryset, native=fmt == "xlsx"),
                          fmt, filename)


def template_response(resource, fmt: str, basename: str) -> HttpResponse:
    """An empty file with the columns an import of `resource` takes: its template."""
    return _file_response(resource, [], fmt, f"{basename}-template", with_names=False)


def _file_response(resource, rows, fmt, filename, with_names=True) -> HttpResponse:
    headers = resource.headers(with_names)
    if fmt == "xlsx":
        from mamori.core.tablebook import TableBook  # built on this module's helpers

        book = TableBook()
        book.add_table(resource.model._meta.verbose_name_plural, headers, rows)
        return book.attachment(filename)
    # A byte-order mark makes Excel open UTF-8 Japanese text correctly.
    return attachment("\ufeff" + csv_text(headers, rows),
                      "text/csv; charset=utf-8", f"{filename}.csv")


SHEET_TITLE_LENGTH = 31  # Excel's limit


def sheet_title(name) -> str:
    """A worksheet name from `name` (a register's name): without the characters Excel refuses
    in one, within its length."""
    text = "".join(" " if c in "[]:*?/\\" else c for c in capfirst(str(name))).strip()
    return text[:SHEET_TITLE_LENGTH] or "Sheet"


def csv_text(headers, rows) -> str:
    buffer = io.StringIO()
    # Every field quoted: a comma, quote or line break inside a value stays in its cell.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_field(h) for h in headers])
    for row in rows:
        writer.writerow([csv_field(v) for v in row])
    return buffer.getvalue()


def xlsx_attachment(book, filename: str) -> HttpResponse:
    """An openpyxl workbook as a download named `filename` (without the extension). Every
    workbook Mamori builds with openpyxl passes here, so none carries a live formula (the
    tables core.tablebook writes keep text as text cell by cell)."""
    keep_text_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return attachment(buffer.getvalue(), XLSX, f"{filename}.xlsx")


def pdf_attachment(html: str, filename: str) -> HttpResponse:
    """A page laid out as a PDF (WeasyPrint; fonts as the template names them), as a
    download named `filename` (without the extension)."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    return attachment(HTML(string=html).write_pdf(), "application/pdf", f"{filename}.pdf")


@dataclass
class RowError:
    row: int  # 1-based data row; the header is row 0... shown to users as spreadsheet line
    field: str  # the field's name ("" for the row as a whole)
    message: str
    heading: str = ""  # the column as the user's file heads it (import_dataset sets it)

    def __str__(self):
        return _("Row %(row)s, %(field)s: %(message)s") % {
            "row": self.row, "field": self.heading or self.field or _("(row)"),
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    write_seconds: float = 0.0  # how long the write transaction took (bench/imports.py)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    pass


def read_dataset(upload) -> tablib.Dataset:
    """Parse an uploaded CSV (UTF-8, with or without BOM) or XLSX file."""
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than %(size)s MB.")
                              % {"size": MAX_IMPORT_MEGABYTES})
    name = (getattr(upload, "name", "") or "").lower()
    try:
        if name.endswith(".xlsx"):
            data = tablib.Dataset().load(io.BytesIO(raw), format="xlsx")
        else:
            text = raw.decode("utf-8-sig")
            data = tablib.Dataset().load(text, format="csv")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 encoded text.")) from exc
    except Exception as exc:  # tablib raises several types for malformed files
        raise ImportFileError(_("The file could not be read: %(error)s") % {"error": exc}) from exc
    if len(data) > MAX_IMPORT_ROWS:
        raise ImportFileError(_("The file has more than %(n)s rows.") % {"n": MAX_IMPORT_ROWS})
    return data


def cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        # A spreadsheet's date reads as a moment at midnight; a moment with a time (a
        # session's start) keeps its time.
        if hasattr(value, "date") and (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.isoformat()[:10]
        return value.isoformat(sep=" ") if hasattr(value, "date") else value.isoformat()
    if isinstance(value, str):
        return unquote(value.strip())
    return str(value).strip()


# Python's cyclic garbage collector runs after every 700 new objects and, each time, walks the
# young objects: an import builds a few hundred objects a row (forms, bound fields, instances,
# snapshots) and keeps most until it ends, so the collector spent a fifth of a 50,000-row
# import walking objects that were all still in use. During an import it runs a hundred times
# less often; what it would have freed is freed at the next collection all the same.
IMPORT_GC_THRESHOLDS = (70_000, 50, 100)


_collections_lock = threading.Lock()
_imports_running = 0
_thresholds_before: tuple = ()


@contextmanager
def fewer_collections():
    """The collector's thresholds raised while any import runs (process-wide: in a web
    process, other requests meanwhile collect less often too, which only delays freeing);
    put back as they were when the last one ends, whatever order imports end in."""
    global _imports_running, _thresholds_before
    with _collections_lock:
        if _imports_running == 0:
            _thresholds_before = gc.get_threshold()
            gc.set_threshold(*IMPORT_GC_THRESHOLDS)
        _imports_running += 1
    try:
        yield
    finally:
        with _collections_lock:
            _imports_running -= 1
            if _imports_running == 0:
                gc.set_threshold(*_thresholds_before)


def import_dataset(resource, form_class, data: tablib.Dataset, user, progress=None,
                   on_written=None) -> ImportResult:
    with fewer_collections():
        return _import_dataset(resource, form_class, data, user, progress, on_written)


def _import_dataset(resource, form_class, data: tablib.Dataset, user, progress=None,
                    on_written=None) -> ImportResult:
    """Validate every row, then (only if all are valid) save them all in one transaction.

    The rows are checked first, outside any write transaction, so other users' writes go on
    meanwhile. The writes then happen in one short transaction whose change-log entries are
    appended together at its end (audit.one_log_append): the chain head, which every writer
    waits for, is held for the time of that append, not for the whole import.

    `progress(rows_checked)` is called every PROGRESS_EVERY rows of the check; `on_written(
    result)` inside the write transaction once every row is saved (a background import
    records there that it is done, atomically with the rows)."""
    result = ImportResult()
    given = [h.strip() if isinstance(h, str) else h for h in (data.headers or [])]
    headers = [resource.column(h) for h in given]
    unknown = [str(h) for h, name in zip(given, headers, strict=True) if name is None]
    twice = sorted({resource.header(name) for name in headers
                    if name and headers.count(name) > 1})
    missing = [resource.key] if resource.key and resource.key not in headers else []
    if unknown:
        result.errors.append(RowError(0, ", ".join(unknown),
                                      _("unknown column; expected: %(cols)s")
                                      % {"cols": ", ".join(
                                          resource.headers(with_names=False))}))
    if twice:
        result.errors.append(RowError(0, ", ".join(twice), _("column given more than once")))
    if missing:
        result.errors.append(RowError(0, ", ".join(resource.header(m) for m in missing),
                                      _("required column is missing")))
    if result.errors:
        return result

    read = [position for position, name in enumerate(headers) if name]  # not names shown
    rows = [(index, {headers[p]: cell(values[p]) for p in read if p < len(values)})
            for index, values in enumerate(data, start=1)]
    with remembering():
        checked = _check_rows(resource, form_class, user, rows, result, progress)
    if result.errors:
        _name_columns(resource, result)
        return result
    started = time.perf_counter()
    try:
        # Its own core.memo block: the write reads the settings its rules use afresh.
        with transaction.atomic(), one_log_append(), remembering():
            _write_rows(resource, form_class, user, checked, result)
            if result.errors:
                raise _RolledBack
            refresh_after_commit(resource.model, result.created + result.updated)
            if on_written is not None:
                on_written(result)
    except _RolledBack:
        pass
    except IntegrityError:
        # Raised at the commit (a deferred foreign key: a record the file refers to was
        # deleted meanwhile). The database's own words may quote other records: not shown.
        result.errors.append(RowError(0, "", _(
            "The file could not be saved: records it refers to were changed meanwhile. "
            "Import it again.")))
    result.write_seconds = time.perf_counter() - started
    if result.errors:
        result.created = result.updated = 0
    _name_columns(resource, result)
    return result


def _name_columns(resource, result) -> None:
    """Each row error names its column as the user's file heads it, in the user's language."""
    for error in result.errors:
        if error.field in resource.fields or error.field in (
                f.name for f in resource.model._meta.get_fields()):
            error.heading = resource.header(error.field)


class _RolledBack(Exception):
    """Leaves the write transaction (rolled back) with the errors found in it."""


@dataclass
class CheckedRow:
    index: int
    row: dict
    instance: object = None  # the record the row updates
    before: dict | None = None  # its values when checked
    form: object = None  # None: checked again in the write transaction (see _check_rows)


PROGRESS_EVERY = 1000  # a background job's progress is written this often (core.imports)


def _check_rows(resource, form_class, user, rows, result, progress=None) -> list[CheckedRow]:
    """Validate each row with the model's form, reading only. A row whose only trouble is a
    reference to a record created by a row above it (a department under a new parent) is
    checked again in the write transaction, once that row is saved."""
    model = resource.model
    keys = [row.get(resource.key, "") for _index, row in rows] if resource.key else []
    existing = _existing(model, resource.key, [k for k in keys if k],
                         resource.select_related)
    changeable = _pks_in_scope(model, user, CHANGE, [o.pk for o in existing.values()])
    self_references = {name for name, field in resource.natural_keys.items()
                       if _related_model(model, name) is model}
    seen_keys: dict[str, int] = {}
    lookups = FileLookups(resource, form_class, user, rows)
    forms = RowForms(resource, form_class, user, lookups)
    checked = []
    for index, row in rows:
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index)
        key_value = row.get(resource.key, "") if resource.key else ""
        instance = None
        if key_value:
            if key_value in seen_keys:
                result.errors.append(RowError(index, resource.key, _(
                    "duplicate of row %(row)s") % {"row": seen_keys[key_value]}))
                continue
            seen_keys[key_value] = index
            instance = existing.get(key_value)
            if instance is not None and instance.pk not in changeable:
                # The key cannot be used either way; only a user who may see the record is
                # told that it exists (core.uniqueness): the others get what the form says.
                if model.objects.restrict(user, VIEW).filter(pk=instance.pk).exists():
                    message = _("%(value)s exists but is outside your scope") % {
                        "value": key_value}
                else:
                    message = str(IN_USE)
                result.errors.append(RowError(index, resource.key, message))
                continue
        entry = CheckedRow(index, row, instance,
                           snapshot(instance) if instance is not None else None)
        form = forms.form(_form_data(resource, row, instance), instance)
        valid = form.is_valid()
        # A checked form is kept until the write: not its bound fields (a dozen objects per
        # field, rebuilt if ever asked for), a third of an import's memory at 100,000 rows.
        form._bound_fields_cache = {}
        if valid:
            entry.form = form
        elif self_references and all(
                name in self_references and row.get(name) in seen_keys
                for name in form.errors):
            pass  # refers to a row above: checked again when that row is saved
        else:
            _form_errors(index, form, result)
            continue
        checked.append(entry)
    return checked


def _write_rows(resource, form_class, user, checked, result) -> None:
    """Inside the write transaction: save every checked row in order. A record changed by
    someone else since it was checked is not overwritten: the import stops with that row, as
    it stops at a row the database refuses (no savepoint per row: a failure here is a race
    with another user, rare, and everything is rolled back anyway)."""
    model = resource.model
    stored = {}  # the rows to update as they are now, locked until the commit (PostgreSQL)
    updates = [c.instance.pk for c in checked if c.instance is not None]
    for chunk in chunks(updates):
        stored.update((o.pk, o) for o in
                      model._base_manager.select_for_update().filter(pk__in=chunk))
    current = {pk: snapshot(obj) for pk, obj in stored.items()}
    saved = {ADD: [], CHANGE: []}
    bulk = _bulk_writable(model, form_class, checked)
    pending = []  # (row number, record) waiting for the next bulk write
    for entry in checked:
        if entry.instance is not None and current.get(entry.instance.pk) != entry.before:
            result.errors.append(RowError(entry.index, resource.key, _(
                "the record was changed by someone else while the file was being checked; "
                "import the file again")))
            return
        form = entry.form
        if form is None:
            form = build_form(resource, form_class, user,
                              _form_data(resource, entry.row, entry.instance), entry.instance)
            if not form.is_valid():
                _form_errors(entry.index, form, result)
                continue
        else:
            _clean_again(model, entry, form, result)
        if bulk:
            form.instance.derive_fields()  # what its save() does before writing
            pending.append((entry.index, form.instance))
            if len(pending) == WRITE_BATCH:
                _write_batch(model, pending, stored, current, saved, result)
                pending = []
            continue
        if entry.instance is not None:
            # audit.AuditedModel.save logs the change from this row instead of reading it again
            form.instance._audit_old = stored[entry.instance.pk]
        try:
            obj = form.save()
        except (PermissionDenied, ValidationError) as exc:
            result.errors.append(RowError(entry.index, "", str(exc)))
            raise _RolledBack from exc
        except IntegrityError as exc:
            _conflict(entry.index, result, exc)
        saved[ADD if entry.instance is None else CHANGE].append((entry.index, obj.pk))
    if pending:
        _write_batch(model, pending, stored, current, saved, result)
    # Every written record is re-read through the importer's scope; one outside it rolls the
    # whole import back (as a single form would be).
    for action, written in saved.items():
        inside = _pks_in_scope(model, user, action, [pk for _i, pk in written])
        for index, pk in written:
            if pk not in inside:
                result.errors.append(RowError(index, "", _(
                    "The change would fall outside your scope.")))
    if result.errors:
        return
    result.created = len(saved[ADD])
    result.updated = len(saved[CHANGE])


def _bulk_writable(model, form_class, checked) -> bool:
    """Whether the rows can be written a batch at a time (audit.save_in_bulk): the model
    allows it, the form saves nothing besides the record (no many-to-many field), and no row
    waits for a row above it to be saved."""
    return (model.bulk_writable
            and not any(f.name in form_class.base_fields for f in model._meta.many_to_many)
            and all(entry.form is not None for entry in checked))


def _write_batch(model, pending, stored, current, saved, result) -> None:
    """One bulk write of `pending` rows, in a savepoint: a row the database refuses (a value
    taken meanwhile) is then found by writing the batch's rows one at a time, so the error
    names it as the row-by-row path does."""
    objs = [obj for _index, obj in pending]
    new = [obj._state.adding for obj in objs]
    try:
        with transaction.atomic():
            save_in_bulk(model, objs, stored, stored_snapshots=current)
    except IntegrityError as exc:
        _forget_inserts(objs, new)
        for index, obj in pending:
            try:
                with transaction.atomic():
                    save_in_bulk(model, [obj], stored, stored_snapshots=current)
            except IntegrityError as row_exc:
                _conflict(index, result, row_exc)
        _conflict(pending[0][0], result, exc)  # not found alone: named by the batch's first
    for (index, obj), was_new in zip(pending, new, strict=True):
        saved[ADD if was_new else CHANGE].append((index, obj.pk))


def _forget_inserts(objs, new) -> None:
    """After a failed bulk write (rolled back): the new records are new again."""
    for obj, was_new in zip(objs, new, strict=True):
        if was_new:
            obj.pk = None
            obj._state.adding = True


def _conflict(index, result, exc):
    # The database's own words name the constraint and may quote another record's values
    # (a row saved concurrently, say): the user is told no more than that.
    result.errors.append(RowError(index, "", _(
        "The row could not be saved: it conflicts with a record that already exists.")))
    raise _RolledBack from exc


def _clean_again(model, entry, form, result) -> None:
    """The model's own rules once more, now that the rows above are saved: rules about other
    records of the same model (two CISOs appointed for one period, a department below
    itself through another row of the file) see those rows only now. References to the same
    model are read afresh, not from the objects loaded when the row was checked."""
    instance = form.instance
    for model_field in model._meta.concrete_fields:
        if (model_field.is_relation and model_field.related_model is model
                and model_field.is_cached(instance)):
            model_field.delete_cached_value(instance)
    try:
        instance.clean()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    result.errors.append(RowError(
                        entry.index, "" if name == NON_FIELD_ERRORS else name, message))
        else:
            for message in exc.messages:
                result.errors.append(RowError(entry.index, "", message))
        raise _RolledBack from exc


def _existing(model, key, values, related=()) -> dict:
    """The records the file's keys name, with the related objects its columns name (a row
    that keeps them is checked without asking for them again: core.filelookups)."""
    found = {}
    for chunk in chunks(values):
        for obj in model._default_manager.select_related(*related).filter(
                **{f"{key}__in": chunk}):
            found[str(getattr(obj, key))] = obj
    return found


def _pks_in_scope(model, user, action, pks) -> set:
    """Which of `pks` (rows that exist) lie in `user`'s scope for `action`: asked of the
    database a chunk at a time, unless that scope is every row (an administrator, the CISO:
    200 queries of a 100,000-row import)."""
    if sees_every_row(user, model, action):
        return set(pks)
    return _pks_in(model.objects.restrict(user, action), pks)


def _pks_in(queryset, pks) -> set:
    inside = set()
    for chunk in chunks(pks):
        inside.update(queryset.filter(pk__in=chunk).values_list("pk", flat=True))
    return inside


def _related_model(model, name):
    try:
        return model._meta.get_field(name).related_model
    except Exception:  # a resource column that is not a model field
        return None


def _form_errors(index, form, result) -> None:
    for name, messages in form.errors.items():
        for message in messages:
            result.errors.append(RowError(index, "" if name == "__all__" else name, message))


def _form_data(resource, row: dict, instance) -> dict:
    """Columns absent from the file keep the instance's current values on update."""
    data = {}
    for name in resource.fields:
        if name in row:
            data[name] = row[name]
        elif instance is not None:
            data[name] = resource.export_value(instance, name)
    return data
