"""The change log's guarantees beyond the chain itself (issue 12, "Nothing lost, nothing
forged"), on SQLite and PostgreSQL:

2. verify() on a live system: writers committing while it runs are never a false alarm.
3. A forged head is refused by the next append instead of being signed again.
4. The head anchored outside the database: an older database restored with its own validly
   signed checkpoint is caught; the CISO receives the signed head daily.
5. A missing key is never made up over a log with entries.
10. `verifylog --reconcile` names records changed below Mamori.
"""

# Raw SQL on purpose (tampering below the ORM); table and column names are constants.
# ruff: noqa: S608

import io
import json
import logging
import threading

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, connections, transaction

from mamori.assets.models import Asset
from mamori.core import changelog, checks
from mamori.core.context import Actor, acting_as
from mamori.core.models import ChainCheckpoint, ChangeLogEntry
from mamori.core.reconcile import DIFFERS, PREDATES_LOG, reconcile
from mamori.core.tasks import mail_log_head
from mamori.org.models import Department

pytestmark = pytest.mark.usefixtures("english")

ENTRY_TABLE = "core_changelogentry"
CHECKPOINT_TABLE = "core_chaincheckpoint"


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def run_verifylog(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("verifylog", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def departments(n: int, prefix: str = "G") -> list[Department]:
    with acting_as(Actor(None, "test", "command")):
        return [Department.objects.create(code=f"{prefix}{i:02d}", name_ja=f"部{i}")
                for i in range(n)]


def head() -> ChainCheckpoint:
    return ChainCheckpoint.objects.get(pk=1)


# --- 2. verification during concurrent writes ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_verify_while_writers_commit_is_never_a_false_alarm():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the in-memory SQLite test database cannot take concurrent writers")
    departments(3, "S")  # some entries to read before the checkpoint moves on
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer():
        try:
            with acting_as(Actor(None, "writer", "task")):
                i = 0
                while not stop.is_set() and i < 400:
                    Department.objects.create(code=f"W{i:03d}", name_ja=f"並行{i}")
                    written.append(i)
                    i += 1
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    verdicts = []
    try:
        # Small chunks: many round trips, so the writer commits between them.
        while thread.is_alive() and len(verdicts) < 200:
            verdicts.append(changelog.verify(chunk_size=2))
            if len(written) >= 40 and len(verdicts) >= 20:
                break
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert errors == []
    assert written, "the writer never committed during the verifications"
    assert [v.problem for v in verdicts if not v.ok] == []
    final = changelog.verify()
    assert final.ok and final.checked == head().seq


@pytest.mark.django_db(transaction=True)
def test_verify_in_its_snapshot_still_reports_entries_beyond_the_checkpoint():
    """Entries beyond the checkpoint that are in the same snapshot are tampering (a
    concurrent append moves the checkpoint in its own transaction)."""
    departments(2)
    newest = ChangeLogEntry.objects.get(seq=head().seq)
    raw(f"INSERT INTO {ENTRY_TABLE} (seq, at, actor_id, actor_name, source, request_id, action,"
        " model, object_id, object_repr, before, after, prev_hash, hash) SELECT seq + 1, at,"
        " actor_id, actor_name, source, request_id, action, model, object_id, object_repr,"
        f" before, after, hash, hash FROM {ENTRY_TABLE} WHERE seq = %s", [newest.seq])
    verdict = changelog.verify()
    assert not verdict.ok and verdict.seq == newest.seq + 1
    assert "does not match the signed checkpoint" in verdict.problem


# --- 3. a forged head is refused, not re-signed -------------------------------------------------


def forge_checkpoint():
    """Edit the newest entry, recompute its hash and move the checkpoint to it, without the
    key: the MAC is copied from before."""
    newest = ChangeLogEntry.objects.get(seq=head().seq)
    newest.object_repr = "forged"
    forged_hash = changelog.entry_hash(newest.prev_hash, newest)
    raw(f"UPDATE {ENTRY_TABLE} SET object_repr = %s, hash = %s WHERE seq = %s",
        ["forged", forged_hash, newest.seq])
    raw(f"UPDATE {CHECKPOINT_TABLE} SET head_hash = %s WHERE id = 1", [forged_hash])


def alter_newest_hash():
    raw(f"UPDATE {ENTRY_TABLE} SET hash = %s WHERE seq = %s", ["f" * 64, head().seq])


def delete_newest():
    raw(f"DELETE FROM {ENTRY_TABLE} WHERE seq = %s", [head().seq])


def append_beyond():
    newest = head().seq
    raw(f"INSERT INTO {ENTRY_TABLE} (seq, at, actor_id, actor_name, source, request_id, action,"
        " model, object_id, object_repr, before, after, prev_hash, hash) SELECT seq + 1, at,"
        " actor_id, actor_name, source, request_id, action, model, object_id, object_repr,"
        f" before, after, hash, hash FROM {ENTRY_TABLE} WHERE seq = %s", [newest])


@pytest.mark.django_db
@pytest.mark.parametrize(("tamper", "problem"), [
    (forge_checkpoint, "HMAC mismatch"),
    (alter_newest_hash, "does not match the signed checkpoint"),
    (delete_newest, "is missing"),
    (append_beyond, "lies beyond the signed checkpoint"),
])
def test_an_ordinary_save_refuses_a_forged_head(tamper, problem, caplog):
    departments(3)
    tamper()
    before = (head().seq, head().head_hash, head().mac, ChangeLogEntry.objects.count())
    with (caplog.at_level(logging.CRITICAL, logger="mamori.core.changelog"),
          pytest.raises(changelog.ChainBroken, match=problem), transaction.atomic(),
          acting_as(Actor(None, "test", "command"))):
        Department.objects.create(code="AFTER", name_ja="後から")
    assert not Department.objects.filter(code="AFTER").exists()
    assert (head().seq, head().head_hash, head().mac, ChangeLogEntry.objects.count()) == before
    assert any(r.levelno == logging.CRITICAL and problem in r.getMessage()
               for r in caplog.records)
    code, _, err = run_verifylog()
    assert code == 1 and "BROKEN" in err


# --- 4. the anchor ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_older_signed_checkpoint_restored_is_caught_by_the_anchor(
        settings, django_capture_on_commit_callbacks):
    anchor = settings.MAMORI_LOG_ANCHOR_FILE
    with django_capture_on_commit_callbacks(execute=True):
        departments(2, "A")
    old_seq, old_hash, old_mac = head().seq, head().head_hash, head().mac
    with django_capture_on_commit_callbacks(execute=True):
        departments(2, "B")
    lines = [json.loads(x) for x in anchor.read_text().splitlines()]
    assert [x["seq"] for x in lines] == [old_seq - 1, old_seq, old_seq + 1, old_seq + 2]
    assert run_verifylog()[0] == 0

    # Restore the older database: its entries and its own, validly signed, checkpoint.
    raw(f"DELETE FROM {ENTRY_TABLE} WHERE seq > %s", [old_seq])
    raw(f"UPDATE {CHECKPOINT_TABLE} SET seq = %s, head_hash = %s, mac = %s WHERE id = 1",
        [old_seq, old_hash, old_mac])
    changelog.rebuild_tallies()  # an older database comes with its own tallies
    assert changelog.verify().ok  # the database alone cannot tell
    verdict = changelog.verify_anchor()
    assert not verdict.ok and verdict.seq == old_seq + 1
    code, _out, err = run_verifylog()
    assert code == 1
    assert f"entry {old_seq + 1}, anchored at " in err and "older database" in err
    # An explicitly named anchor file (a copy kept elsewhere) is checked too.
    copy = anchor.with_name("copy.jsonl")
    copy.write_text(anchor.read_text())
    settings.MAMORI_LOG_ANCHOR_FILE = anchor.with_name("none.jsonl")
    assert run_verifylog()[0] == 0  # no configured anchor file: nothing to compare
    assert run_verifylog("--anchor", str(copy))[0] == 1


def test_the_verify_page_checks_the_anchor_too(org, settings, django_capture_on_commit_callbacks):
    """The page says what `verifylog` says: an older database put back with its own signed
    checkpoint passes the chain check and is caught by the anchor file."""
    client = org.client("ciso")
    page = client.post("/changelog/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no anchor file to compare with" in page  # nothing anchored yet in this test
    with django_capture_on_commit_callbacks(execute=True):
        departments(1, "V")
    old = head()
    with django_capture_on_commit_callbacks(execute=True):
        departments(1, "W")
    page = client.post("/changelog/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The chain is intact" in page and "Every head in the anchor file is in the chain" in page

    raw(f"DELETE FROM {ENTRY_TABLE} WHERE seq > %s", [old.seq])
    raw(f"UPDATE {CHECKPOINT_TABLE} SET seq = %s, head_hash = %s, mac = %s WHERE id = 1",
        [old.seq, old.head_hash, old.mac])
    changelog.rebuild_tallies()  # an older database comes with its own tallies
    page = client.post("/changelog/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The chain is intact" in page
    assert "The anchor file disagrees with the change log" in page
    assert f"entry {old.seq + 1}, anchored at" in page


@pytest.mark.django_db
def test_a_rolled_back_head_is_never_anchored(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        departments(1, "K")
        try:
            with transaction.atomic():
                departments(1, "R")
                raise RuntimeError
        except RuntimeError:
            pass
    lines = settings.MAMORI_LOG_ANCHOR_FILE.read_text().splitlines()
    assert [json.loads(x)["seq"] for x in lines] == [head().seq]
    assert changelog.verify_anchor().ok


@pytest.mark.django_db
def test_a_forged_anchor_line_fails(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        departments(1)
    anchor = settings.MAMORI_LOG_ANCHOR_FILE
    line = json.loads(anchor.read_text())
    anchor.write_text(json.dumps({**line, "seq": line["seq"] + 5}) + "\n")
    code, _, err = run_verifylog()
    assert code == 1 and "line 1 of the anchor file" in err


@pytest.mark.django_db
def test_the_ciso_receives_the_signed_head_daily(org, mailoutbox, tmp_path):
    org.people["ciso"].email = "ciso@example.test"
    org.people["ciso"].save()
    assert mail_log_head.call() == 1
    (mail,) = mailoutbox
    assert mail.to == ["ciso@example.test"]
    line = mail.body.strip().splitlines()[-1]
    signed = json.loads(line)
    assert signed["seq"] == head().seq and signed["hash"] == head().head_hash
    saved = tmp_path / "mailed.jsonl"
    saved.write_text(line + "\n")
    assert changelog.verify_anchor(saved).ok
    assert "mamori.core.tasks.mail_log_head" in {
        p.name for p in __import__("mamori.core.schedule", fromlist=["x"]).periodic_tasks()}


# --- 5. a missing key is not made up ------------------------------------------------------------


@pytest.fixture
def key_missing(settings, tmp_path):
    settings.MAMORI_LOG_KEY = None
    settings.MAMORI_LOG_KEY_FILE = tmp_path / "keys" / "log_key"
    settings.MAMORI_LOG_KEY_FILE.parent.mkdir()
    return settings.MAMORI_LOG_KEY_FILE


@pytest.mark.django_db
def test_a_missing_key_over_a_log_with_entries_refuses_to_start_and_to_write(settings):
    departments(1)
    settings.MAMORI_LOG_KEY = None
    file = settings.MAMORI_LOG_KEY_FILE = settings.DATA_DIR / "nonexistent-dir" / "log_key"
    errors = checks.log_key_errors()
    assert [e.id for e in errors] == [checks.LOG_KEY_MISSING]
    assert isinstance(errors[0], Error) and str(file) in errors[0].msg
    with pytest.raises(SystemCheckError, match="key is missing"):
        call_command("check")  # as every command that runs the system checks (serve, migrate)
    with pytest.raises(changelog.LogKeyMissing, match=str(file)), transaction.atomic():
        Department.objects.create(code="LATE", name_ja="遅れ")
    assert not Department.objects.filter(code="LATE").exists()
    assert not file.exists() and settings.MAMORI_LOG_KEY is None
    code, _, err = run_verifylog()
    assert code == 1 and str(file) in err


@pytest.mark.django_db
def test_a_missing_key_from_the_environment_names_the_variable(settings):
    departments(1)
    settings.MAMORI_LOG_KEY, settings.MAMORI_LOG_KEY_FILE = None, None
    (error,) = checks.log_key_errors()
    assert "MAMORI_LOG_KEY" in error.msg


@pytest.mark.django_db
def test_an_empty_log_gets_a_new_key(key_missing):
    assert ChangeLogEntry.objects.count() == 0 and head().seq == 0
    assert checks.log_key_errors() == []
    departments(1)  # the genesis checkpoint is signed again with the new key
    assert key_missing.exists() and (key_missing.stat().st_mode & 0o777) == 0o600
    assert changelog.verify().ok


# --- 10. reconcile ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reconcile_names_a_record_changed_below_mamori(org):
    asset = Asset.objects.create(code="A-1", department=org.sales, name_ja="資産", name_en="A",
                                 asset_type=Asset.Type.INFORMATION, confidentiality=2,
                                 integrity=1, availability=1)
    code, out, err = run_verifylog("--reconcile")
    assert code == 0, err
    assert "every audited record matches" in out
    raw(f"UPDATE {Asset._meta.db_table} SET name_ja = %s WHERE id = %s", ["改竄", asset.pk])
    differences = [d for d in reconcile() if d.kind != PREDATES_LOG]
    assert [(d.model, d.object_id, d.kind, d.fields) for d in differences] == [
        ("assets.asset", str(asset.pk), DIFFERS, ["name_ja"])]
    code, out, err = run_verifylog("--reconcile")
    assert code == 1
    assert f"assets.asset {asset.pk}: differs from its newest entry in name_ja" in err


@pytest.mark.django_db
def test_reconcile_names_records_inserted_deleted_or_resurrected_below_mamori(org):
    gone, back = departments(2, "Z")
    raw(f"DELETE FROM {Department._meta.db_table} WHERE id = %s", [gone.pk])
    back_pk = back.pk
    back.delete()
    raw(f"INSERT INTO {Department._meta.db_table} (id, code, name_ja, name_en, is_active)"
        " VALUES (%s, 'Z1', 'x', '', %s)", [back_pk, True])
    raw(f"INSERT INTO {Department._meta.db_table} (id, code, name_ja, name_en, is_active)"
        " VALUES (%s, 'Z9', 'x', '', %s)", [back_pk + 100, True])
    kinds = {(d.object_id, d.kind) for d in reconcile() if d.model == "org.department"}
    assert kinds == {(str(gone.pk), "missing"), (str(back_pk), "deleted-in-log"),
                     (str(back_pk + 100), "no-entry")}


@pytest.mark.django_db
def test_a_many_to_many_change_from_the_other_side_is_logged_and_reconciles(org):
    """`control.requirements.set()` changes `Requirement.controls`: each requirement whose
    controls changed gets an update entry, so reconcile finds nothing (found by reconcile on
    the demo data, whose controls are linked from the control's side)."""
    from mamori.controls.tests.test_control_models import (
        make_control,
        make_framework,
        make_requirement,
    )

    framework = make_framework("F1")
    first, second = make_requirement(framework, "1.1"), make_requirement(framework, "1.2")
    control = make_control(org.it, "C-1")
    start = head().seq
    control.requirements.set([first, second])
    control.requirements.remove(second)
    entries = ChangeLogEntry.objects.filter(seq__gt=start).order_by("seq")
    assert [(e.object_id, e.before, e.after) for e in entries] == [
        (str(first.pk), {"controls": []}, {"controls": [control.pk]}),
        (str(second.pk), {"controls": []}, {"controls": [control.pk]}),
        (str(second.pk), {"controls": [control.pk]}, {"controls": []}),
    ]
    control.requirements.clear()
    assert ChangeLogEntry.objects.filter(seq__gt=start).count() == 4
    assert [d for d in reconcile() if d.kind != PREDATES_LOG] == []
    assert changelog.verify().ok
