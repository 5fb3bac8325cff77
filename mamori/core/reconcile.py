"""`mamori verifylog --reconcile`: find records changed without passing through Mamori.

Every write through Mamori appends an entry whose `after` holds the record's concrete fields as
written (core.audit.snapshot; a many-to-many change holds just that field's ids). Folding a
record's entries in order therefore gives what the record should hold now; a record that
differs was changed below the application (raw SQL, a database console, a restore of a
different database), and one without any entry was inserted there.

Per audited model: one query streams its entries (in seq order, with the model's index), one
streams its rows, and one per many-to-many field reads the link table, each in chunks; the
number of queries does not grow with the number of records.

Rows seeded by data migrations have no entry (migrations write through historical models,
which the log does not see). A row without entry whose integer key is below the first key the
log names for its model is taken for such a seed (PREDATES_LOG, listed apart, not an error);
one above it was inserted after Mamori began logging the model (NO_ENTRY, an error). A seed
added by a later data migration to a model already in use is therefore reported as NO_ENTRY.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from mamori.core.audit import AuditedModel, snapshot
from mamori.core.changelog import model_label, read_snapshot

NO_ENTRY = "no-entry"
DELETED_IN_LOG = "deleted-in-log"
MISSING = "missing"
DIFFERS = "differs"
# Rows that no entry names, older than the first row the log names: seeded by a data
# migration (historical models write without the log). Listed, but not counted as tampering.
PREDATES_LOG = "predates-log"


@dataclass
class Difference:
    model: str
    object_id: str
    kind: str  # one of the constants above
    fields: list[str] = field(default_factory=list)


def audited_models() -> list:
    return sorted((m for m in apps.get_models() if issubclass(m, AuditedModel)),
                  key=model_label)


def comparable(model_field, value):
    """A logged JSON value and a current one compare equal when they mean the same value (a
    datetime logged with +09:00 and read back in UTC, a Decimal's trailing zeros)."""
    if value is None or isinstance(model_field, models.JSONField):
        return value
    try:
        return model_field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def logged_states(model, using: str, chunk_size: int) -> dict[str, dict | None]:
    """object_id -> the fields its entries say it holds now (None: its last entry deletes it)."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    states: dict[str, dict | None] = {}
    rows = (Entry.objects.using(using).filter(model=model_label(model)).order_by("seq")
            .values_list("object_id", "action", "after"))
    for object_id, action, after in rows.iterator(chunk_size=chunk_size):
        if action == "delete":
            states[object_id] = None
        elif action == "create":
            states[object_id] = dict(after or {})
        else:
            states[object_id] = {**(states.get(object_id) or {}), **(after or {})}
    return states


def link_ids(model, m2m, using: str, chunk_size: int) -> dict[str, list]:
    through = m2m.remote_field.through
    source = through._meta.get_field(m2m.m2m_field_name()).attname
    target = through._meta.get_field(m2m.m2m_reverse_field_name()).attname
    links: dict[str, list] = {}
    rows = through._base_manager.using(using).order_by(source, target).values_list(source, target)
    for source_id, target_id in rows.iterator(chunk_size=chunk_size):
        links.setdefault(str(source_id), []).append(target_id)
    return links


def reconcile_model(model, using: str = "default", chunk_size: int = 2000) -> list[Difference]:
    label = model_label(model)
    states = logged_states(model, using, chunk_size)
    skipped = set(getattr(model, "changelog_redact", ())) | set(
        getattr(model, "changelog_ignore", ()))
    concrete = [f for f in model._meta.concrete_fields if f.name not in skipped]
    m2ms = [(m, link_ids(model, m, using, chunk_size)) for m in model._meta.many_to_many]
    logged_pks = [int(k) for k in states if k.isdigit()]
    first_logged = min(logged_pks) if logged_pks else None
    differences = []
    seen = set()
    for obj in model._base_manager.using(using).order_by("pk").iterator(chunk_size=chunk_size):
        object_id = str(obj.pk)
        seen.add(object_id)
        if object_id not in states:
            predates = isinstance(obj.pk, int) and (first_logged is None or obj.pk < first_logged)
            differences.append(Difference(label, object_id, PREDATES_LOG if predates
                                          else NO_ENTRY))
            continue
        logged = states[object_id]
        if logged is None:
            differences.append(Difference(label, object_id, DELETED_IN_LOG))
            continue
        current = snapshot(obj)
        changed = [f.name for f in concrete
                   if f.attname in logged
                   and comparable(f, logged[f.attname]) != comparable(f, current[f.attname])]
        changed += [m.name for m, links in m2ms
                    if sorted(logged.get(m.name) or []) != links.get(object_id, [])]
        if changed:
            differences.append(Difference(label, object_id, DIFFERS, changed))
    for object_id, logged in states.items():
        if logged is not None and object_id not in seen:
            differences.append(Difference(label, object_id, MISSING))
    return differences


def reconcile(using: str = "default", chunk_size: int = 2000) -> list[Difference]:
    """Every audited record that does not match its change-log entries, in one snapshot."""
    differences = []
    with read_snapshot(using):
        for model in audited_models():
            differences += reconcile_model(model, using, chunk_size)
    return differences
