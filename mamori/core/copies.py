"""Fields copied onto other records, kept in step with their source in the same transaction.

A list scoped by a field of another record (an asset recovery's department is its asset's)
joins that record's table on every count and every page: at 200,000 assets the join is most
of the page's time. A copy of the field on the row itself makes the scope one index. A copy
can only be trusted if every write of its source rewrites it in the same transaction, so the
three ways an audited record is written call in here with the records whose field changed:
`AuditedModel.save`, `AuditedQuerySet.update` and `audit.save_in_bulk` (an import). Each
follower rewrites its copies through an audited update, so the change log shows them move.

A follower costs nothing when the field did not change: the comparison is made against the
stored row the write has read already. continuity/tests/test_recovery_department.py holds
the three paths to keeping a copy in step, with real threads for a copy written while its
source moves.
"""

from collections.abc import Callable, Iterable

# model -> attname -> the followers of that field: follow(pks, using) rewrites the copies of
# the records `pks` of `model` from their stored value.
_followers: dict[type, dict[str, list[Callable[[list, str], None]]]] = {}


def keep_copy(model, attname: str, follow: Callable[[list, str], None]) -> None:
    """Register `follow` to be called, in the writing transaction, with the primary keys of
    the `model` records whose `attname` column a write changed."""
    followers = _followers.setdefault(model, {}).setdefault(attname, [])
    if follow not in followers:
        followers.append(follow)


def copied(model) -> dict[str, list]:
    """The copied fields of `model` and their followers ({} for nearly every model)."""
    return _followers.get(model, {})


def _follow(model, changed: dict[str, list], using: str) -> None:
    for attname, pks in changed.items():
        if pks:
            for follow in _followers[model][attname]:
                follow(pks, using)


def saved(obj, old, update_fields, using: str) -> None:
    """After `obj.save()` over its stored row `old` (None: created, so nothing copies it
    yet)."""
    fields = copied(type(obj))
    if not fields or old is None:
        return
    written = ({obj._meta.get_field(name).attname for name in update_fields}
               if update_fields is not None else None)
    _follow(type(obj), {
        attname: [obj.pk] for attname in fields
        if (written is None or attname in written)
        and getattr(old, attname) != getattr(obj, attname)}, using)


def saved_in_bulk(model, changed: Iterable, stored: dict, using: str) -> None:
    """After `save_in_bulk` rewrote the records `changed` over their stored rows."""
    fields = copied(model)
    if not fields:
        return
    _follow(model, {
        attname: [obj.pk for obj in changed
                  if getattr(stored[obj.pk], attname) != getattr(obj, attname)]
        for attname in fields}, using)


def updated(model, befores: dict, afters: dict, using: str) -> None:
    """After a queryset update: `befores` and `afters` are the snapshots (attname -> value)
    of the rows it touched, by primary key."""
    fields = copied(model)
    if not fields:
        return
    _follow(model, {
        attname: [pk for pk, after in afters.items()
                  if befores[pk].get(attname) != after.get(attname)]
        for attname in fields}, using)
