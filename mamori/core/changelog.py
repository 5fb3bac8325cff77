"""The hash-chained change log: append, verify.

Each entry's hash is SHA-256(previous hash || canonical JSON of the entry). The head of the
chain (sequence number and hash) is kept in a checkpoint row signed with an HMAC whose key
lives outside the database (settings.MAMORI_LOG_KEY), so deleting the newest entries or
rewriting the whole table is detected as well as editing a single row.

Appends are serialised by locking the checkpoint row (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite every transaction takes the write lock when it begins, see settings). Before it
appends, a writer checks the head it continues from (`check_head`): a checkpoint whose HMAC
does not verify, or that does not match the newest entry, is refused instead of re-signed.

After every committed append the head is also written to an append-only anchor file outside
the database (`anchor_head`, settings.MAMORI_LOG_ANCHOR_FILE), and `verify_anchor` checks that
every anchored head is still in the chain: a restored older database with its (validly signed)
older checkpoint no longer passes.
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.context import current_actor
from mamori.core.rawwrite import insert_rows

GENESIS = "0" * 64

logger = logging.getLogger(__name__)


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


class ChainBroken(RuntimeError):
    pass


class LogKeyMissing(ChainBroken):
    """The log has entries but the key that signs its checkpoint is not where it should be."""


def key_location() -> str:
    """Where the operator should put the key, for messages."""
    if settings.MAMORI_LOG_KEY_FILE is not None:
        return _("the file %(file)s (or the environment variable MAMORI_LOG_KEY or "
                 "MAMORI_LOG_KEY_FILE)") % {"file": settings.MAMORI_LOG_KEY_FILE}
    return _("the environment variable MAMORI_LOG_KEY")


def log_has_entries(using: str = "default") -> bool:
    Entry = apps.get_model("core", "ChangeLogEntry")
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    return (Entry.objects.using(using).exists()
            or Checkpoint.objects.using(using).filter(seq__gt=0).exists())


def missing_key_message() -> str:
    return _("The change log has entries but its key is missing: put the key back in "
             "%(where)s. A new key would not verify the existing log; Mamori does not make one "
             "up.") % {"where": key_location()}


def signing_key(using: str = "default") -> str:
    """The checkpoint's HMAC key. The default key file in the data directory is generated
    here, and only while the log is empty (a new database): a key that is missing when the
    log has entries was lost or removed, and making up a new one would sign whatever the
    database holds. Then nothing is written or verified (LogKeyMissing)."""
    if settings.MAMORI_LOG_KEY:
        return settings.MAMORI_LOG_KEY
    if settings.MAMORI_LOG_KEY_FILE is None or log_has_entries(using):
        message = missing_key_message()
        logger.critical("%s", message)
        raise LogKeyMissing(message)
    from mamori.datadir import DataDir

    file = Path(settings.MAMORI_LOG_KEY_FILE)
    settings.MAMORI_LOG_KEY = DataDir(file.parent).secret(file.name)
    logger.warning("generated the change-log key %s for a new, empty change log", file)
    # An empty log's genesis checkpoint signed with a lost key (a new data directory over an
    # existing empty database) is signed again: there is nothing in the log to protect yet.
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    Checkpoint.objects.using(using).filter(pk=1, seq=0, head_hash=GENESIS).update(
        mac=hmac.new(settings.MAMORI_LOG_KEY.encode(), f"0:{GENESIS}".encode(),
                     hashlib.sha256).hexdigest())
    return settings.MAMORI_LOG_KEY


def checkpoint_mac(seq: int, head_hash: str, using: str = "default",
                   key: str | None = None) -> str:
    """The checkpoint's HMAC, with the current key unless one is given (key rotation)."""
    key = key or signing_key(using)
    return hmac.new(key.encode(), f"{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def model_label(model) -> str:
    return model._meta.label_lower


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
        pk=1, defaults={"seq": 0, "head_hash": GENESIS,
                        "mac": checkpoint_mac(0, GENESIS, using)})


def refuse(message: str):
    logger.critical("change log: %s; the write was refused", message)
    raise ChainBroken(message)


def check_head(head, using: str) -> None:
    """Before appending: the locked checkpoint must be validly signed and be the newest entry
    (the entry at its seq exists with its hash, and nothing lies beyond it). One indexed
    lookup, not a verification of the whole chain: a rewritten table or a forged checkpoint
    is refused here, instead of being signed again by the next ordinary save."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    if not hmac.compare_digest(head.mac, checkpoint_mac(head.seq, head.head_hash, using)):
        refuse(_("the checkpoint was altered (HMAC mismatch); run `mamori verifylog`"))
    found = list(Entry.objects.using(using).filter(seq__gte=head.seq).order_by("seq")
                 .values_list("seq", "hash")[:2])
    beyond = _("entry %(seq)s lies beyond the signed checkpoint; run `mamori verifylog`")
    if head.seq == 0:
        if found:
            refuse(beyond % {"seq": found[0][0]})
        return
    if not found or found[0][0] != head.seq:
        refuse(_("entry %(seq)s, the head the checkpoint names, is missing; run "
                 "`mamori verifylog`") % {"seq": head.seq})
    if found[0][1] != head.head_hash:
        refuse(_("entry %(seq)s does not match the signed checkpoint; run `mamori verifylog`")
               % {"seq": head.seq})
    if len(found) > 1:
        refuse(beyond % {"seq": found[1][0]})


def entry_time(Entry, using: str):
    """The time of the entries being appended, taken while holding the chain head: now, or
    the newest entry's time if the clock stands behind it (set back, or another process's
    clock ahead). So no entry is earlier than one before it, and a range of days is a range
    of sequence numbers (core.filtersets.day_bound)."""
    now = timezone.now()
    newest = Entry.objects.using(using).order_by("-at").values_list("at", flat=True).first()
    return max(now, newest) if newest is not None else now


def first_entry_from(moment, using: str = "default") -> int | None:
    """The sequence number S such that the entries at or after `moment` are exactly the
    entries from S on, when the log's times are known to be in order there: `moment` is later
    than the first entry of the checkpoint's `ordered_from`, whose time no earlier entry
    exceeds (entry_time). None otherwise (a moment within a log written before times were
    kept in order): the caller then asks the times themselves. Two or three index lookups."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    head = Checkpoint.objects.using(using).filter(pk=1).values_list(
        "ordered_from", "seq").first()
    if head is None:
        return None
    ordered_from, newest = head
    first_at = Entry.objects.using(using).filter(seq=ordered_from).values_list(
        "at", flat=True).first()
    if first_at is None:
        return None
    if moment <= first_at:
        # Every ordered entry is at or after it; so is every entry if there are no others.
        return ordered_from if ordered_from <= 1 else None
    # Every entry at or after `moment` lies in the ordered part, where the earliest time is
    # also the lowest number: the first by (time, number) is the first by number.
    found = Entry.objects.using(using).filter(at__gte=moment).order_by("at", "seq").values_list(
        "seq", flat=True).first()
    return found if found is not None else newest + 1


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
    signing_key(using)  # a missing key: refused before anything is written
    with transaction.atomic(using=using):
        head = locked_head(using)
        check_head(head, using)
        now = entry_time(Entry, using)
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
        insert_rows(Entry, entries, connections[using], returning=False)
        add_to_tallies(entries, using)
        Checkpoint.objects.using(using).filter(pk=1).update(
            seq=seq, head_hash=prev, mac=checkpoint_mac(seq, prev, using)
        )
        # After the commit only: a head that is rolled back is never anchored.
        transaction.on_commit(lambda: anchor_head(seq, prev), using=using)
    return entries


def tally_key(entry) -> tuple[str, str, str]:
    return entry.model, entry.action, entry.source


def add_to_tallies(entries, using: str) -> None:
    """Count `entries` in their (model, action, source) tallies. Runs under the chain head's
    lock (record_many), so no other append races for the same tally row."""
    Tally = apps.get_model("core", "ChangeLogTally")
    added = Counter(tally_key(entry) for entry in entries)
    for (model, action, source), count in added.items():
        tallies = Tally.objects.using(using).filter(model=model, action=action, source=source)
        if not tallies.update(entries=F("entries") + count):
            Tally.objects.using(using).create(model=model, action=action, source=source,
                                              entries=count)


def counted_tallies(using: str = "default") -> Counter:
    """The tallies as the entries themselves give them (one pass over the log)."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    rows = Entry.objects.using(using).order_by().values("model", "action", "source").annotate(
        n=Count("seq"))
    return Counter({(row["model"], row["action"], row["source"]): row["n"] for row in rows})


def kept_tallies(using: str = "default") -> Counter:
    Tally = apps.get_model("core", "ChangeLogTally")
    return Counter({(t.model, t.action, t.source): t.entries
                    for t in Tally.objects.using(using).filter(entries__gt=0)})


def rebuild_tallies(using: str = "default") -> None:
    """Count the tallies afresh from the entries: for a log loaded without record_many (the
    migration that introduced them, a benchmark's bulk load)."""
    Tally = apps.get_model("core", "ChangeLogTally")
    with transaction.atomic(using=using):
        Tally.objects.using(using).all().delete()
        Tally.objects.using(using).bulk_create(
            Tally(model=model, action=action, source=source, entries=n)
            for (model, action, source), n in counted_tallies(using).items())


@dataclass
class Verdict:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def broken(checked: int, at: int | None, message: str, **params) -> Verdict:
    return Verdict(False, checked, message % params, at)


@contextmanager
def read_snapshot(using: str = "default"):
    """Run the reads inside one consistent snapshot of the database, without blocking writers.

    PostgreSQL: a READ ONLY transaction at REPEATABLE READ sees the database as of its first
    query, whatever commits meanwhile.

    SQLite: every atomic() block here begins IMMEDIATE (settings), which takes the write lock
    and would stop every save for the whole verification. In autocommit mode Django leaves the
    sqlite3 connection without an implicit transaction, so we issue `BEGIN DEFERRED` ourselves:
    a deferred transaction takes no lock until it writes (it never does), and in WAL mode its
    first read fixes the snapshot it keeps until COMMIT while writers go on appending to the
    WAL. (A long verification only delays the WAL checkpoint past its snapshot.)

    Inside a caller's transaction (a test, an atomic block) that transaction's view is used:
    an isolation level cannot be changed once a transaction has started."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")  # nothing was written: this only ends the snapshot
    else:
        yield


def verify(using: str = "default", chunk_size: int = 2000) -> Verdict:
    """Recompute the whole chain up to the signed checkpoint; name the first entry that does
    not fit. The problem text is in the active language.

    The checkpoint is read first and only entries up to its seq are checked, all in one
    snapshot (`read_snapshot`): entries appended by writers that commit while this runs are
    outside the snapshot, so a live system is never reported as tampered with. Entries beyond
    the checkpoint inside the snapshot are an error: every append moves the checkpoint in the
    same transaction."""
    signing_key(using)  # before the (read-only) snapshot: it may generate the key
    with read_snapshot(using):
        return _verify(using, chunk_size)


def _verify(using: str, chunk_size: int) -> Verdict:
    Entry = apps.get_model("core", "ChangeLogEntry")
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    head = Checkpoint.objects.using(using).filter(pk=1).first()
    entries = Entry.objects.using(using).order_by("seq")
    if head is not None:
        entries = entries.filter(seq__lte=head.seq)
    expected_seq, prev = 1, GENESIS
    checked = 0
    # The checkpoint's `ordered_from` is not signed: it only says where the day filters may
    # read times as numbers (first_entry_from). Checking here that the times really are in
    # order from there on means a lowered value cannot hide entries from a filtered view.
    ordered_from = head.ordered_from if head is not None else None
    latest_before = None  # the latest time of the entries checked so far
    counted = Counter()  # entries by (model, action, source), to check the tallies
    for entry in entries.iterator(chunk_size=chunk_size):
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
        if (ordered_from is not None and entry.seq >= ordered_from
                and latest_before is not None and entry.at < latest_before):
            return broken(checked, entry.seq, _("entry %(seq)s is dated before an earlier "
                                                "entry, where times must be in order (from "
                                                "entry %(from)s on)"),
                          seq=entry.seq, **{"from": ordered_from})
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        counted[tally_key(entry)] += 1
        latest_before = entry.at if latest_before is None else max(latest_before, entry.at)
    last_seq = expected_seq - 1
    if head is None:
        # Created by migration core.0002, so missing is tampering even over an empty log
        # (deleting every entry and the checkpoint must not pass for a fresh installation).
        return broken(checked, None, _("the checkpoint is missing (deleted)"))
    if not hmac.compare_digest(head.mac, checkpoint_mac(head.seq, head.head_hash, using)):
        return broken(checked, head.seq, _("the checkpoint was altered (HMAC mismatch)"))
    if head.seq > last_seq:
        return broken(checked, last_seq + 1, _("entry %(seq)s is missing (the newest entries "
                                               "up to %(head)s were deleted)"),
                      seq=last_seq + 1, head=head.seq)
    if head.head_hash != prev:
        return broken(checked, head.seq, _("entry %(seq)s does not match the signed "
                                           "checkpoint"), seq=head.seq)
    beyond = Entry.objects.using(using).filter(seq__gt=head.seq).order_by("seq").first()
    if beyond is not None:
        # In the same snapshot as the checkpoint, so not a concurrent append: an entry the
        # checkpoint does not cover. The first of them is the first that does not fit.
        return broken(checked, beyond.seq, _("entry %(seq)s does not match the signed "
                                             "checkpoint"), seq=beyond.seq)
    # The tallies are not part of the chain (they only give the API's totals), but a wrong
    # one would make a total lie: say so, naming the first that differs.
    kept = kept_tallies(using)
    for key in sorted(set(counted) | set(kept)):
        if counted[key] != kept[key]:
            return broken(checked, None, _("the number of entries kept for %(model)s, "
                                           "%(action)s, %(source)s is %(kept)s, but the log "
                                           "holds %(counted)s"),
                          model=key[0], action=key[1], source=key[2], kept=kept[key],
                          counted=counted[key])
    return Verdict(True, checked)


# --- the anchor: the chain head, outside the database -------------------------------------------


def anchor_mac(seq: int, head_hash: str, at: str, key: str | None = None) -> str:
    key = key or settings.MAMORI_LOG_KEY or signing_key()
    return hmac.new(key.encode(), f"anchor:{seq}:{head_hash}:{at}".encode(),
                    hashlib.sha256).hexdigest()


def anchor_signed(line: dict, seq: int, head_hash: str, at: str) -> bool:
    """Whether an anchor line was signed with the current log key or one retired by
    `mamori rotatelogkey` (lines written before a rotation stay valid)."""
    from mamori.core.keyrotation import signing_keys

    given = str(line["mac"])
    return any(hmac.compare_digest(given, anchor_mac(seq, head_hash, at, key=key))
               for key in signing_keys())


def signed_head(seq: int, head_hash: str) -> dict:
    """The head as a signed, timestamped record (an anchor line, the daily e-mail)."""
    at = timezone.now().astimezone(datetime.UTC).isoformat()
    return {"seq": seq, "hash": head_hash, "at": at, "mac": anchor_mac(seq, head_hash, at)}


def anchor_head(seq: int, head_hash: str) -> None:
    """Append the committed head to the anchor file (on_commit of every append).

    One line per committed append, not throttled: Mamori's writes are people's edits and
    nightly tasks (a few thousand a day at most, about 150 bytes each), and a throttle would
    leave the newest entries unanchored for its whole interval, which is exactly what an
    attacker who rolls the database back needs. The file is opened with O_APPEND and each line
    is a single write(), so processes writing at once never interleave within a line; lines
    may be out of order across processes, which `verify_anchor` does not mind.

    A failure to write is logged (critically) but does not fail the save: the change is
    already committed."""
    path = settings.MAMORI_LOG_ANCHOR_FILE
    if not path:
        return
    line = (json.dumps(signed_head(seq, head_hash), separators=(",", ":")) + "\n").encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as exc:
        logger.critical("change log: the head %s could not be anchored in %s: %s",
                        seq, path, exc)


def read_anchor(path) -> tuple[dict[int, tuple[str, str]], str]:
    """{seq: (hash, at)} from an anchor file, and a problem ('' when every line is valid)."""
    anchored: dict[int, tuple[str, str]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            try:
                line = json.loads(text)
                seq, head_hash, at = int(line["seq"]), str(line["hash"]), str(line["at"])
                valid = anchor_signed(line, seq, head_hash, at)
            except (ValueError, KeyError, TypeError):
                valid = False
            if not valid:
                return anchored, _("line %(line)s of the anchor file %(file)s is not a validly "
                                   "signed head") % {"line": number, "file": path}
            if seq in anchored and anchored[seq][0] != head_hash:
                return anchored, _("the anchor file %(file)s names two different hashes for "
                                   "entry %(seq)s (the log was rolled back and rewritten)") % {
                    "file": path, "seq": seq}
            anchored.setdefault(seq, (head_hash, at))
    return anchored, ""


def configured_anchor() -> Path | None:
    """The anchor file Mamori writes, when it exists (it does once the log has a head)."""
    configured = settings.MAMORI_LOG_ANCHOR_FILE
    return Path(configured) if configured and Path(configured).exists() else None


def verify_anchor(path=None, using: str = "default", chunk_size: int = 1000) -> Verdict:
    """Check that every head anchored in `path` (default: settings.MAMORI_LOG_ANCHOR_FILE) is
    still in the chain with the same hash. An anchored entry that is gone (beyond the current
    checkpoint) means newer entries were removed or an older database was restored, even
    when that older database carries a validly signed checkpoint."""
    Entry = apps.get_model("core", "ChangeLogEntry")
    path = Path(path or settings.MAMORI_LOG_ANCHOR_FILE)
    try:
        # Read before the snapshot: every anchored head was committed before it was written,
        # so the snapshot taken afterwards contains it.
        anchored, problem = read_anchor(path)
    except OSError as exc:
        return Verdict(False, 0, _("the anchor file %(file)s cannot be read (%(error)s)") % {
            "file": path, "error": exc.strerror})
    if problem:
        return Verdict(False, 0, problem)
    seqs = sorted(anchored)
    with read_snapshot(using):
        for start in range(0, len(seqs), chunk_size):
            chunk = seqs[start:start + chunk_size]
            found = dict(Entry.objects.using(using).filter(seq__in=chunk)
                         .values_list("seq", "hash"))
            for seq in chunk:
                head_hash, at = anchored[seq]
                if seq not in found:
                    return broken(start, seq, _(
                        "entry %(seq)s, anchored at %(when)s, is no longer in the change log: "
                        "newer entries were removed or an older database was restored"),
                        seq=seq, when=at)
                if found[seq] != head_hash:
                    return broken(start, seq, _(
                        "entry %(seq)s differs from the hash anchored at %(when)s"),
                        seq=seq, when=at)
    return Verdict(True, len(seqs))


def current_signed_head(using: str = "default") -> dict:
    """The checkpoint's head, signed and timestamped (for the daily e-mail)."""
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    head = Checkpoint.objects.using(using).get(pk=1)
    signing_key(using)
    return signed_head(head.seq, head.head_hash)
