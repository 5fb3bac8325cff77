"""The hash-chained change log: append, verify.

Each entry's hash is SHA-256(previous hash || canonical JSON of the entry). The head of the
chain (sequence number and hash) is kept in a checkpoint row signed with an HMAC whose key
lives outside the database (settings.MAMORI_LOG_KEY), so deleting the newest entries or
rewriting the whole table is detected as well as editing a single row.

Appends are serialised by locking the checkpoint row (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite every transaction takes the write lock when it begins, see settings).
"""

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.context import current_actor

GENESIS = "0" * 64


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_payload(entry) -> dict:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(datetime.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "source": entry.source,
        "request_id": entry.request_id,
        "action": entry.action,
        "model": entry.model,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
    }


def entry_hash(prev_hash: str, entry) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry_payload(entry))).hexdigest()


def checkpoint_mac(seq: int, head_hash: str) -> str:
    key = settings.MAMORI_LOG_KEY.encode()
    return hmac.new(key, f"{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def model_label(model) -> str:
    return model._meta.label_lower


class ChainBroken(RuntimeError):
    pass


def locked_head(using: str):
    """The checkpoint row, locked until the transaction ends. It is created with the schema
    (migration core.0002, and `ensure_genesis` after a flush), never here: a missing
    checkpoint is tampering, and nothing more is appended until someone looks."""
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    head = Checkpoint.objects.using(using).select_for_update().filter(pk=1).first()
    if head is None:
        raise ChainBroken(_("the change-log checkpoint is missing; run `mamori verifylog`"))
    return head


def ensure_genesis(using: str = "default") -> None:
    """Create the genesis checkpoint for an empty log (post_migrate: after `migrate` and after
    `flush`, which empties every table). A log with entries is left as it is."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    if Checkpoint.objects.using(using).filter(pk=1).exists():
        return
    if Entry.objects.using(using).exists():
        return  # tampering; verify() reports it
    Checkpoint.objects.using(using).get_or_create(
        pk=1, defaults={"seq": 0, "head_hash": GENESIS, "mac": checkpoint_mac(0, GENESIS)})


def record(action: str, obj, before, after, using: str | None = None):
    """Append one entry for `obj`. Must run inside the transaction of the change itself."""
    return record_many([(action, obj, before, after)], using=using or obj._state.db)[0]


def record_many(changes, using: str | None = None) -> list:
    """Append one entry per (action, obj, before, after), taking the chain head once, so a
    bulk write of thousands of rows costs one lock and one batched insert."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    if not changes:
        return []
    using = using or "default"
    actor = current_actor()
    now = timezone.now()
    with transaction.atomic(using=using):
        head = locked_head(using)
        seq, prev = head.seq, head.head_hash
        entries = []
        for action, obj, before, after in changes:
            seq += 1
            entry = Entry(
                seq=seq,
                at=now,
                actor_id=actor.user_id,
                actor_name=actor.name[:150],
                source=actor.source,
                request_id=actor.request_id,
                action=action,
                model=model_label(type(obj)),
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                before=before,
                after=after,
                prev_hash=prev,
            )
            entry.hash = prev = entry_hash(prev, entry)
            entries.append(entry)
        Entry.objects.using(using).bulk_create(entries, batch_size=500)
        Checkpoint.objects.using(using).filter(pk=1).update(
            seq=seq, head_hash=prev, mac=checkpoint_mac(seq, prev)
        )
    return entries


@dataclass
class Verdict:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def broken(checked: int, at: int | None, message: str, **params) -> Verdict:
    return Verdict(False, checked, message % params, at)


def verify(using: str = "default", chunk_size: int = 2000) -> Verdict:
    """Recompute the whole chain; name the first entry that does not fit. The problem text is
    in the active language."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    expected_seq, prev = 1, GENESIS
    checked = 0
    for entry in Entry.objects.using(using).order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return broken(checked, expected_seq, _("entry %(seq)s is missing (deleted)"),
                          seq=expected_seq)
        if entry.prev_hash != prev:
            return broken(checked, entry.seq, _("entry %(seq)s does not link to entry "
                                                "%(previous)s (prev_hash altered)"),
                          seq=entry.seq, previous=entry.seq - 1)
        if entry_hash(prev, entry) != entry.hash:
            return broken(checked, entry.seq, _("entry %(seq)s was altered (hash mismatch)"),
                          seq=entry.seq)
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = Checkpoint.objects.using(using).filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None:
        # Created by migration core.0002, so missing is tampering even over an empty log
        # (deleting every entry and the checkpoint must not pass for a fresh installation).
        return broken(checked, None, _("the checkpoint is missing (deleted)"))
    if not hmac.compare_digest(head.mac, checkpoint_mac(head.seq, head.head_hash)):
        return broken(checked, head.seq, _("the checkpoint was altered (HMAC mismatch)"))
    if head.seq > last_seq:
        return broken(checked, last_seq + 1, _("entry %(seq)s is missing (the newest entries "
                                               "up to %(head)s were deleted)"),
                      seq=last_seq + 1, head=head.seq)
    if head.seq < last_seq or head.head_hash != prev:
        # Entries beyond the signed head: the first of them is the first that does not fit.
        first_bad = head.seq + 1 if head.seq < last_seq else head.seq
        return broken(checked, first_bad, _("entry %(seq)s does not match the signed "
                                            "checkpoint"), seq=first_bad)
    return Verdict(True, checked)
