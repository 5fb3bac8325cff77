"""The audited base model: every create, update and delete appends to the change log.

Writes go through `save()`, the deletion collector (which sends `pre_delete` for every object,
cascades included) or the queryset's bulk methods, all of which are overridden here, so a
bulk `update()` cannot slip past the log.
"""

import copy
import datetime
import decimal
import threading
import uuid
from contextlib import contextmanager

from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute

from mamori.core import changelog, copies
from mamori.core.links import ids_linked, link_columns
from mamori.core.memo import forget, remembered
from mamori.core.rawwrite import insert_rows, update_rows
from mamori.core.scope import RestrictableQuerySetMixin

# Values stored in a snapshot as they are (exact types: an enum member is a str subclass and
# goes through json_value, which keeps it as the str it is).
_AS_IS = frozenset({str, int, bool, float, type(None)})


def json_value(field, value):
    if value is None:
        return None
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return None
    if isinstance(value, (str, int, bool, float, list, dict)):
        return value
    return str(value)


_snapshot_fields: dict = {}  # model -> [(field, key, redacted)], worked out once


def _reads_its_attribute(field) -> bool:
    """Whether the field's value is what the instance holds under its attname (a plain
    column); not so for a file, say, whose descriptor wraps what is stored."""
    return (type(field).value_from_object is models.Field.value_from_object
            and field.descriptor_class.__get__ is DeferredAttribute.__get__)


def _fields_of(model) -> list:
    fields = _snapshot_fields.get(model)
    if fields is None:
        redacted = getattr(model, "changelog_redact", ())
        fields = _snapshot_fields[model] = [
            (field, field.attname if _reads_its_attribute(field) else None,
             field.name in redacted)
            for field in model._meta.concrete_fields]
    return fields


def snapshot(obj) -> dict:
    """The object's concrete field values as JSON-safe data, secrets redacted."""
    data = {}
    # A plain column's value is read from the instance's __dict__, as its descriptor would
    # (a deferred one is loaded by value_from_object): an import takes two snapshots of each
    # of 100,000 rows.
    values = obj.__dict__
    for field, key, redacted in _fields_of(type(obj)):
        value = values[key] if key in values else field.value_from_object(obj)
        if redacted:
            data[field.attname] = "[redacted]" if value else None
        elif type(value) in _AS_IS:
            data[field.attname] = value
        else:
            data[field.attname] = json_value(field, value)
    return data


_batch = threading.local()


@contextmanager
def one_log_append(using: str = "default"):
    """Inside a transaction: the audited writes of this block queue their change-log entries,
    appended together (one `record_many`) when the block ends. The chain head, which
    serialises every writer, is then taken once and only at the end of the block instead of
    at each row's save (a bulk import holds it for milliseconds, not for its duration). An
    exception leaves the queue unwritten; the transaction it is in rolls back. Saves in the
    block take no savepoint of their own (an error anywhere rolls everything back)."""
    with _queued_entries(using, bulk=True):
        yield


@contextmanager
def one_user_action(using: str = "default"):
    """Inside a transaction: the writes of one user action (a form or API save, a workflow
    step) log one entry per object changed. Saving a risk with its assets and controls saves
    the row and then sets each link, and a model's save may save again what it derived; each
    of those writes is one change, but the user made one, so the entries of the same object
    are merged into one (`coalesce`) and appended when the block ends."""
    with _queued_entries(using, bulk=False):
        yield


@contextmanager
def _queued_entries(using: str, bulk: bool):
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("the change-log entries of a block are queued only inside "
                           "transaction.atomic()")
    if getattr(_batch, "changes", None) is not None:
        yield  # nested: the outer block appends
        return
    _batch.changes, _batch.using, _batch.bulk = [], using, bulk
    try:
        yield
        changes = _batch.changes
    finally:
        _batch.changes = None
    changelog.record_many(coalesce(changes), using=using)


def _queue():
    return getattr(_batch, "changes", None)


def log(changes, using) -> None:
    """Append now, or queue for the enclosing `one_log_append` or `one_user_action` block on
    the same database."""
    if not changes:
        return
    queued = _queue()
    if queued is not None and _batch.using == using:
        # With the pk as it is now: a deleted object's is set to None once it is gone,
        # before the queue is written.
        queued.extend((*change, change[1].pk) for change in changes)
    else:
        changelog.record_many(changes, using=using)


def coalesce(changes: list) -> list:
    """One entry per object for the changes of one block (each queued with the object's pk
    when it was made), in the order each object was first changed: a create followed by
    updates is the create of what the object became; updates in a row are one update, each
    field's value before the first and after the last (a field that ends as it began drops
    out, and an update that changes nothing is dropped). A deletion stays an entry of its
    own."""
    merged: list = []
    open_entry: dict = {}  # (model, pk) -> index in merged of the entry later changes join
    for action, obj, before, after, pk in changes:
        if obj.pk != pk:  # deleted since: the entry names the object it was
            obj = copy.copy(obj)
            obj.pk = pk
        key = (type(obj)._meta.label_lower, pk)
        at = open_entry.get(key) if action == "update" else None
        if at is None:
            merged.append([action, obj, before, after])
            if action == "delete":
                open_entry.pop(key, None)
            else:
                open_entry[key] = len(merged) - 1
            continue
        entry = merged[at]
        if entry[0] == "create":
            # A secret set after the create is, in the create, a secret that is there.
            after = {k: "[redacted]" if v == "[changed]" else v for k, v in after.items()}
        else:
            entry[2] = {**before, **entry[2]}
        entry[3] = {**entry[3], **after}
    result = []
    for action, obj, before, after in merged:
        if action == "update":
            if _full(obj, after):
                if not _meaningful_change(obj, before, after):
                    continue
            else:
                # Only links changed (their entries hold just those fields): keep those that
                # end other than they began.
                changed = [k for k, v in after.items() if before.get(k) != v]
                if not changed:
                    continue
                before = {k: before.get(k) for k in changed}
                after = {k: after[k] for k in changed}
        result.append((action, obj, before, after))
    return result


def _full(obj, data: dict) -> bool:
    """Whether `data` is a whole snapshot of the object, not just its changed links (whose
    entries never hold the primary key)."""
    return obj._meta.pk.attname in data


def _meaningful_change(obj, before: dict, after: dict) -> bool:
    ignored = {obj._meta.get_field(name).attname for name in getattr(obj, "changelog_ignore", ())}
    return any(before.get(k) != v for k, v in after.items() if k not in ignored)


class AuditedQuerySet(RestrictableQuerySetMixin, models.QuerySet):
    """Bulk writes log one entry per object, in the same transaction as the write."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            befores = {row.pk: snapshot(row) for row in self}
            count = super().update(**kwargs)
            changes = []
            rows = self.model._base_manager.using(self.db).filter(pk__in=befores)
            if self.query.select_related:  # what the entries' names read, in the same query
                rows.query.select_related = self.query.select_related
            afters = {}
            for row in rows:
                after = afters[row.pk] = snapshot(row)
                if _meaningful_change(row, befores[row.pk], after):
                    changes.append(("update", row, befores[row.pk], after))
            log(changes, self.db)
            copies.updated(self.model, befores, afters, self.db)
        forget(self.model)
        return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            # Which rows were skipped or upserted is not reported back, so they cannot be
            # logged truthfully; audited models write conflicting rows one by one instead.
            raise ValueError("bulk_create with conflict handling is not supported on "
                             "audited models")
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            log([("create", obj, None, snapshot(obj)) for obj in created], self.db)
        forget(self.model)
        return created

    # No bulk_update() override: Django runs bulk_update() as one update() per batch, and
    # update() above logs every changed row from the database, before and after. Logging here
    # as well wrote each change twice (and logged unsaved in-memory fields as changes).


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):
    pass


class SingleRow:
    """A model of one settings row, created at installation: `current()` is that row (or the
    defaults, unsaved, before it exists)."""

    @classmethod
    def current(cls):
        def read():
            row = cls.objects.order_by("pk").first()
            return row if row is not None else cls()

        # Read once per import (core.memo): an asset's rules ask for it at each row.
        return remembered(cls, "current", read)


class AuditedModel(models.Model):
    """Base for every record a user can change. Subclasses set `scope` (see core.scope)."""

    changelog_redact: tuple[str, ...] = ()
    changelog_ignore: tuple[str, ...] = ()

    objects = AuditedManager()

    class Meta:
        abstract = True

    # Whether an import may write this model's records with `save_in_bulk` (one INSERT or
    # UPDATE per batch) instead of one save() each: only where save() computes its derived
    # fields in `derive_fields()` and does nothing else (no signal receivers, no other
    # writes). core/tests/test_bulk_save.py holds every such model to that.
    bulk_writable = False

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        queue = _queue()
        # Inside one_log_append (a bulk import) an error anywhere rolls everything back, so
        # no savepoint per row (two statements fewer for each of thousands of rows).
        batching = queue is not None and _batch.bulk
        # The stored row, when the caller read it (locked) in this transaction already.
        known_old = self.__dict__.pop("_audit_old", None) if batching else None
        queued_before = len(queue) if queue is not None else 0
        try:
            with transaction.atomic(using=using, savepoint=not batching):
                old = None
                if not self._state.adding and self.pk is not None:
                    old = known_old if known_old is not None and known_old.pk == self.pk else (
                        type(self)._base_manager.using(using).filter(pk=self.pk).first())
                super().save(*args, **kwargs)
                log(_change(self, old, kwargs.get("update_fields")), using)
                copies.saved(self, old, kwargs.get("update_fields"), using)
        except BaseException:
            if queue is not None and not batching:
                # The savepoint undid this save (and what it set off): so do its queued
                # entries, in case the caller carries on after the error.
                del queue[queued_before:]
            raise
        forget(type(self))

    save.alters_data = True

    def derive_fields(self) -> None:
        """Set the fields save() computes from the others (a model that has some overrides
        this and calls it from its save())."""


def _change(obj, old, update_fields=None, before=None) -> list:
    """The change-log entry of saving `obj` over its stored row `old` (None: created);
    `before`: the snapshot of `old`, when the caller has taken it already."""
    if old is None:
        return [("create", obj, None, snapshot(obj))]
    if before is None:
        before = snapshot(old)
    after = snapshot(obj)
    for name in _changed_secrets(old, obj):
        after[name] = "[changed]"  # the value stays secret; the change does not
    if update_fields is not None:
        # Only these columns were written; other fields may hold unsaved values.
        written = {obj._meta.get_field(name).attname for name in update_fields}
        after = {k: v if k in written else before.get(k) for k, v in after.items()}
    return [("update", obj, before, after)] if _meaningful_change(obj, before, after) else []


def save_in_bulk(model, objs, stored: dict, using: str = "default",
                 stored_snapshots: dict | None = None) -> None:
    """What `save()` does for each of `objs` (records of a `bulk_writable` model, checked
    and with their derived fields set), in one INSERT for the new ones and one batched UPDATE
    (`executemany`) for the others: every column written as save() writes it (each field's
    `pre_save`, so an auto_now date moves too), and the change-log entries `_change` gives,
    in the order of `objs`. `stored`: the stored row of each record to update, read (locked)
    in this transaction, and `stored_snapshots` their snapshots if taken already. Meant for
    one_log_append blocks, where any error rolls back."""
    if not model.bulk_writable:
        raise ValueError(f"{model._meta.label} does not allow bulk writes")
    connection = transaction.get_connection(using)
    new = [obj for obj in objs if obj._state.adding]
    changed = [obj for obj in objs if not obj._state.adding]
    created = {id(obj) for obj in new}
    insert_rows(model, new, connection)
    update_rows(model, changed, connection, stored)
    copies.saved_in_bulk(model, changed, stored, using)
    before = stored_snapshots or {}
    log([entry for obj in objs for entry in (
        _change(obj, None) if id(obj) in created
        else _change(obj, stored[obj.pk], before=before.get(obj.pk)))], using)
    forget(model)


def _changed_secrets(old, new) -> list[str]:
    """Attnames of redacted fields (e.g. the password hash) whose stored value changed."""
    changed = []
    for name in getattr(new, "changelog_redact", ()):
        field = new._meta.get_field(name)
        if field.value_from_object(old) != field.value_from_object(new):
            changed.append(field.attname)
    return changed


def record_deletion(sender, instance, using, **kwargs):
    """pre_delete receiver, connected for each audited model in CoreConfig.ready().

    Besides the deletion itself it logs the SET_NULL updates the deletion is about to make to
    audited rows that point at the instance: Django applies those with a plain UPDATE that
    bypasses the audited queryset."""
    changes = [("delete", instance, snapshot(instance), None)]
    for relation in instance._meta.related_objects:
        if relation.on_delete is not models.SET_NULL or relation.many_to_many:
            continue
        related_model = relation.related_model
        if not issubclass(related_model, AuditedModel):
            continue
        field = relation.field
        for row in related_model._base_manager.using(using).filter(**{field.name: instance}):
            before = snapshot(row)
            changes.append(("update", row, before, {**before, field.attname: None}))
    log(changes, using)


def record_m2m_change(sender, instance, action, reverse, model, pk_set, using, **kwargs):
    """m2m_changed receiver: a change to a many-to-many field of an audited object is one
    update entry of that object, with the field's ids before and after. A change made from the
    other side (`control.requirements.set(...)` for `Requirement.controls`) is an update entry
    of each object of the field's model whose ids changed."""
    if action not in ("pre_add", "post_add", "pre_remove", "post_remove", "pre_clear",
                      "post_clear"):
        return
    if reverse:
        _record_reverse_m2m_change(sender, instance, action, model, pk_set, using)
        return
    if not isinstance(instance, AuditedModel):
        return
    field = next(f for f in instance._meta.many_to_many if f.remote_field.through is sender)
    if action.startswith("pre_"):
        instance._m2m_before = sorted(getattr(instance, field.name).values_list("pk", flat=True))
        return
    before = getattr(instance, "_m2m_before", None)
    after = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    if before is not None and before != after:
        log([("update", instance, {field.name: before}, {field.name: after})], using)


def _record_reverse_m2m_change(through, instance, action, model, pk_set, using):
    if not issubclass(model, AuditedModel):
        return
    field = next(f for f in model._meta.many_to_many if f.remote_field.through is through)
    _through, source, target = link_columns(field)
    if action.startswith("pre_"):
        if action == "pre_clear":
            owners = set(through._base_manager.using(using).filter(**{target: instance.pk})
                         .values_list(source, flat=True))
        else:
            owners = set(pk_set or ())
        instance._m2m_reverse_before = ids_linked(field, owners, using)
        return
    before = getattr(instance, "_m2m_reverse_before", None)
    if not before:
        return
    after = ids_linked(field, before, using)
    changed = {pk for pk in before if before[pk] != after[pk]}
    if not changed:
        return
    owners = model._base_manager.using(using).filter(pk__in=changed).order_by("pk")
    log([("update", owner, {field.name: before[owner.pk]}, {field.name: after[owner.pk]})
         for owner in owners], using)
