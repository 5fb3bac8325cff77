"""The hash-chained change log (core.changelog, core.audit) against the real database.

1. Every write path (save, queryset update/delete, bulk_create/bulk_update, cascades) appends
   exactly one entry per changed object, naming the actor; no-op saves write nothing; secrets
   are redacted.
2. Entries cannot be changed or removed through the ORM.
3. Tampering below the ORM (raw SQL) is found by verify() and `manage.py verifylog`.
4. Property tests: any sequence of changes yields a valid contiguous chain, and any single
   flipped character in any entry is reported at that entry.
5. Concurrent writers get contiguous, unique sequence numbers.

Runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

# Raw SQL on purpose (tampering below the ORM); table and column names are constants.
# ruff: noqa: S608

import datetime
import hashlib
import hmac
import io
import json

import pytest
from django.contrib.auth.models import update_last_login
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, ProtectedError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.core import changelog
from mamori.core.context import SYSTEM, Actor, acting_as, current_actor
from mamori.core.models import ApiToken, ChainCheckpoint, ChangeLogEntry, User
from mamori.core.testing import concurrent_writes_possible, run_at_once
from mamori.org.models import Department

pytestmark = pytest.mark.usefixtures("english")

ACTOR = Actor(user_id=4242, name="テスト監査ボット", source="command", request_id="req-0001")

ENTRY_TABLE = "core_changelogentry"
CHECKPOINT_TABLE = "core_chaincheckpoint"


# --- helpers ----------------------------------------------------------------------------------


def head_seq() -> int:
    return ChainCheckpoint.objects.get(pk=1).seq


def entries_after(seq: int) -> list[ChangeLogEntry]:
    return list(ChangeLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def hash_of(seq: int) -> str:
    """The stored hash of entry `seq`, or the genesis hash for seq 0."""
    if seq == 0:
        return changelog.GENESIS
    return ChangeLogEntry.objects.get(seq=seq).hash


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def raw(sql: str, params=()):
    """Bypass the ORM (and its append-only guard), as an attacker with database access would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def raw_set(seq: int, column: str, value):
    """UPDATE one column of one entry. JSON columns take a Python value, `at` a datetime."""
    if column in ("before", "after"):
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        value = None if value is None else json.dumps(value, ensure_ascii=False)
        placeholder = f"%s{cast}"
    elif column == "at":
        value = connection.ops.adapt_datetimefield_value(value)
        placeholder = "%s"
    else:
        placeholder = "%s"
    assert (
        raw(f"UPDATE {ENTRY_TABLE} SET {q(column)} = {placeholder} WHERE seq = %s", [value, seq])
        == 1
    )


def raw_delete_entries(where: str = "1=1", params=()):
    return raw(f"DELETE FROM {ENTRY_TABLE} WHERE {where}", params)


def raw_set_checkpoint(**values):
    sets = ", ".join(f"{q(k)} = %s" for k in values)
    assert raw(f"UPDATE {CHECKPOINT_TABLE} SET {sets} WHERE id = 1", list(values.values())) == 1


def verifylog_fails() -> str:
    """Run `verifylog`; it must exit with status 1. Returns what it wrote to stderr."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exc:
        call_command("verifylog", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert "intact" not in out.getvalue()
    return err.getvalue()


def assert_broken(seq: int | None, problem: str, *, stderr_names_seq: bool = True):
    verdict = changelog.verify()
    assert not verdict.ok
    assert verdict.seq == seq, verdict
    assert problem in verdict.problem, verdict
    stderr = verifylog_fails()
    assert "BROKEN" in stderr
    assert problem in stderr
    if stderr_names_seq:
        assert f"entry {seq} " in stderr, stderr
    return verdict


def entry_summary(entries):
    return [(e.action, e.model, e.object_id) for e in entries]


# --- 1. every write path logs exactly one entry per changed object -------------------------------


@pytest.mark.django_db
class TestEveryWriteIsLogged:
    def test_save_create_update_noop_delete(self):
        start = head_seq()
        with acting_as(ACTOR):
            dept = Department.objects.create(code="K100", name_ja="経理部", name_en="")
            dept.name_en = "Accounting 🧾"
            dept.save()
            dept.save()  # nothing changed: no entry
            Department.objects.get(pk=dept.pk).save()  # a fresh copy, unchanged: no entry
            pk = dept.pk
            dept.delete()
        entries = entries_after(start)
        assert entry_summary(entries) == [
            ("create", "org.department", str(pk)),
            ("update", "org.department", str(pk)),
            ("delete", "org.department", str(pk)),
        ]
        create, update, delete = entries
        assert create.before is None
        assert create.after == {
            "id": pk,
            "code": "K100",
            "name_ja": "経理部",
            "name_en": "",
            "parent_id": None,
            "is_active": True,
        }
        assert update.before == create.after
        assert update.after == {**create.after, "name_en": "Accounting 🧾"}
        assert update.changes() == [("name_en", "", "Accounting 🧾")]
        assert delete.before == update.after
        assert delete.after is None
        for entry in entries:
            assert entry.actor_id == 4242
            assert entry.actor_name == "テスト監査ボット"
            assert entry.source == "command"
            assert entry.request_id == "req-0001"
        assert create.object_repr == "経理部"
        assert changelog.verify().ok

    def test_without_acting_as_the_actor_is_system(self):
        start = head_seq()
        assert current_actor() == SYSTEM
        Department.objects.create(code="K101", name_ja="総務部")
        (entry,) = entries_after(start)
        assert (entry.actor_id, entry.actor_name, entry.source) == (None, "system", "system")

    def test_queryset_update_logs_each_changed_row_only(self):
        with acting_as(ACTOR):
            a = Department.objects.create(code="U1", name_ja="一")
            b = Department.objects.create(code="U2", name_ja="二")
            c = Department.objects.create(code="U3", name_ja="三", is_active=False)
            start = head_seq()
            count = Department.objects.filter(code__startswith="U").update(is_active=False)
        assert count == 3
        entries = entries_after(start)
        # c was already inactive: its row was written but did not change.
        assert sorted(entry_summary(entries)) == [
            ("update", "org.department", str(a.pk)),
            ("update", "org.department", str(b.pk)),
        ]
        for entry in entries:
            assert entry.changes() == [("is_active", True, False)]
            assert entry.actor_name == ACTOR.name and entry.source == ACTOR.source
        assert c.pk not in {int(e.object_id) for e in entries}

    def test_queryset_update_that_changes_nothing_writes_nothing(self):
        Department.objects.create(code="U4", name_ja="四")
        start = head_seq()
        assert Department.objects.filter(code="U4").update(name_ja="四") == 1
        assert Department.objects.filter(code="nope").update(name_ja="x") == 0
        assert entries_after(start) == []

    def test_bulk_create(self):
        start = head_seq()
        with acting_as(ACTOR):
            created = Department.objects.bulk_create(
                Department(code=f"B{i}", name_ja=f"部署{i}🏢") for i in range(3)
            )
        entries = entries_after(start)
        assert entry_summary(entries) == [("create", "org.department", str(d.pk)) for d in created]
        for dept, entry in zip(created, entries, strict=True):
            assert dept.pk is not None
            assert entry.before is None
            assert entry.after["name_ja"] == dept.name_ja
            assert entry.actor_name == ACTOR.name and entry.source == "command"

    def test_bulk_update_logs_changed_objects_only(self):
        depts = Department.objects.bulk_create(
            Department(code=f"BU{i}", name_ja=f"旧{i}") for i in range(3)
        )
        depts[0].name_ja = "新0"
        depts[2].name_ja = "新2 ✨"
        start = head_seq()
        with acting_as(ACTOR):
            Department.objects.bulk_update(depts, ["name_ja"])
        entries = entries_after(start)
        assert entry_summary(entries) == [
            ("update", "org.department", str(depts[0].pk)),
            ("update", "org.department", str(depts[2].pk)),
        ]
        assert entries[0].changes() == [("name_ja", "旧0", "新0")]
        assert entries[1].changes() == [("name_ja", "旧2", "新2 ✨")]
        assert all(e.actor_name == ACTOR.name for e in entries)

    def test_bulk_update_logs_what_was_written_not_unsaved_fields(self):
        """bulk_update(objs, ["name_ja"]) writes only name_ja; a change to another field that
        is only in memory must not appear in the log (and alone must not produce an entry)."""
        one, two = Department.objects.bulk_create(
            [Department(code="BW1", name_ja="一"), Department(code="BW2", name_ja="二")]
        )
        one.name_ja, one.name_en = "壱", "not saved"
        two.name_en = "not saved either"
        start = head_seq()
        Department.objects.bulk_update([one, two], ["name_ja"])
        (entry,) = entries_after(start)
        assert entry.object_id == str(one.pk)
        assert entry.changes() == [("name_ja", "一", "壱")]
        assert Department.objects.get(pk=one.pk).name_en == ""

    def test_save_with_update_fields_logs_what_was_written(self):
        dept = Department.objects.create(code="UF1", name_ja="一")
        dept.name_ja, dept.name_en = "壱", "not saved"
        start = head_seq()
        dept.save(update_fields=["name_ja"])
        (entry,) = entries_after(start)
        assert entry.changes() == [("name_ja", "一", "壱")]
        dept.name_en = "still not saved"
        dept.save(update_fields=["name_ja"])
        assert len(entries_after(start)) == 1

    def test_queryset_delete(self):
        depts = Department.objects.bulk_create(
            Department(code=f"D{i}", name_ja=f"削除{i}") for i in range(3)
        )
        start = head_seq()
        with acting_as(ACTOR):
            deleted, _ = Department.objects.filter(code__in=["D0", "D1", "D2"]).delete()
        assert deleted == 3
        entries = entries_after(start)
        assert sorted(entry_summary(entries)) == sorted(
            ("delete", "org.department", str(d.pk)) for d in depts
        )
        for entry in entries:
            assert entry.after is None
            assert entry.before["code"] in {"D0", "D1", "D2"}
            assert entry.actor_name == ACTOR.name

    def test_cascade_delete_logs_every_cascaded_object(self):
        user = User.objects.create_user("cascade", password="x-cascade-password-1")
        t1, _ = ApiToken.issue(user, "laptop", days=30)
        t2, _ = ApiToken.issue(user, "ci", days=30)
        user_pk, t1_pk, t2_pk = user.pk, t1.pk, t2.pk
        start = head_seq()
        with acting_as(ACTOR):
            user.delete()
        entries = entries_after(start)
        assert sorted(entry_summary(entries)) == sorted(
            [
                ("delete", "core.apitoken", str(t1_pk)),
                ("delete", "core.apitoken", str(t2_pk)),
                ("delete", "core.user", str(user_pk)),
            ]
        )
        assert not ApiToken.objects.filter(pk__in=[t1_pk, t2_pk]).exists()
        tokens = [e for e in entries if e.model == "core.apitoken"]
        assert {e.before["name"] for e in tokens} == {"laptop", "ci"}
        assert all(e.before["digest"] == "[redacted]" for e in tokens)
        assert all(e.actor_name == ACTOR.name and e.source == "command" for e in entries)
        assert changelog.verify().ok

    def test_cascade_set_null_is_logged(self, org):
        person = org.people["staff"]
        start = head_seq()
        org.users["staff"].delete()
        person.refresh_from_db()
        assert person.user_id is None
        assert ("update", "org.person", str(person.pk)) in entry_summary(entries_after(start))

    def test_protected_delete_writes_nothing(self, org):
        start = head_seq()
        with pytest.raises(ProtectedError):
            org.company.delete()
        assert entries_after(start) == []

    def test_rolled_back_change_leaves_no_entry(self):
        start = head_seq()
        with pytest.raises(RuntimeError), transaction.atomic():
            Department.objects.create(code="RB1", name_ja="幻")
            raise RuntimeError("abort")
        assert entries_after(start) == []
        assert head_seq() == start
        assert changelog.verify().ok

    def test_user_password_is_redacted_and_last_login_is_not_logged(self):
        start = head_seq()
        with acting_as(ACTOR):
            user = User.objects.create_user("redact", password="x-very-secret-password-1")
        (entry,) = entries_after(start)
        assert entry.action == "create" and entry.model == "core.user"
        assert entry.after["password"] == "[redacted]"
        text = json.dumps([entry.before, entry.after, entry.object_repr], ensure_ascii=False)
        assert "x-very-secret-password-1" not in text
        assert user.password not in text

        start = head_seq()
        update_last_login(None, user)  # what logging in does
        user.refresh_from_db()
        assert user.last_login is not None
        user.last_login += datetime.timedelta(minutes=5)
        user.save()
        User.objects.filter(pk=user.pk).update(
            last_login=user.last_login + datetime.timedelta(minutes=5)
        )
        assert entries_after(start) == []

        user.first_name = "花子"
        user.last_login += datetime.timedelta(minutes=30)
        user.save()
        (entry,) = entries_after(start)
        assert entry.action == "update"
        assert "first_name" in {field for field, _, _ in entry.changes()}
        assert entry.after["password"] == "[redacted]"

    def test_password_change_is_logged_without_the_hash(self):
        with acting_as(ACTOR):
            user = User.objects.create_user("rotate", password="x-first-password-1")
        start = head_seq()
        old_hash = user.password
        user.set_password("x-second-password-2")
        user.save()
        (entry,) = entries_after(start)
        assert entry.before["password"] == "[redacted]"
        assert entry.after["password"] == "[changed]"
        text = json.dumps([entry.before, entry.after], ensure_ascii=False)
        assert old_hash not in text and user.password not in text

    def test_bulk_create_with_conflict_handling_is_refused(self):
        with pytest.raises(ValueError):
            Department.objects.bulk_create([Department(code="C1", name_ja="衝突")],
                                           ignore_conflicts=True)

    def test_login_through_the_client_writes_no_entry(self, org):
        start = head_seq()
        org.client("staff")
        assert User.objects.get(pk=org.users["staff"].pk).last_login is not None
        assert entries_after(start) == []

    def test_org_fixture_chain_verifies(self, org):
        verdict = changelog.verify()
        assert verdict.ok
        assert verdict.checked == head_seq() == ChangeLogEntry.objects.count()


# --- 2. append-only at the ORM level --------------------------------------------------------------


def refused(call):
    """`call` must raise PermissionError; run in a savepoint, since some ORM paths (e.g.
    bulk_update) fail inside their own atomic block and would doom the test transaction."""
    with pytest.raises(PermissionError), transaction.atomic():
        call()


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    Department.objects.create(code="AO1", name_ja="追記のみ")
    entry = ChangeLogEntry.objects.get(seq=head_seq())
    original = (entry.actor_name, entry.hash)
    entry.actor_name = "mallory"
    refused(entry.save)
    refused(entry.delete)
    refused(lambda: ChangeLogEntry.objects.filter(seq=entry.seq).update(actor_name="mallory"))
    refused(lambda: ChangeLogEntry.objects.all().update(actor_name="mallory"))
    refused(lambda: ChangeLogEntry.objects.filter(seq=entry.seq).delete())
    refused(lambda: ChangeLogEntry.objects.all().delete())
    refused(lambda: ChangeLogEntry.objects.bulk_update([entry], ["actor_name"]))
    refused(
        lambda: ChangeLogEntry.objects.update_or_create(
            seq=entry.seq, defaults={"actor_name": "mallory"}
        )
    )
    refused(
        lambda: ChangeLogEntry.objects.create(
            seq=entry.seq + 1,
            at=entry.at,
            actor_name="x",
            source="x",
            request_id="x",
            action="create",
            model="x",
            object_id="1",
            object_repr="x",
            prev_hash=entry.hash,
            hash="0" * 64,
        )
    )
    stored = ChangeLogEntry.objects.get(seq=entry.seq)
    assert (stored.actor_name, stored.hash) == original
    assert ChangeLogEntry.objects.count() == entry.seq
    assert changelog.verify().ok


# --- 3. tampering below the ORM -----------------------------------------------------------------


@pytest.fixture
def chain(db):
    """Six entries: three creates, a save() update, a queryset update, a delete."""
    start = head_seq()
    with acting_as(ACTOR):
        head = Department.objects.create(code="C1", name_ja="本社")
        sales = Department.objects.create(code="C2", name_ja="営業部", parent=head)
        dev = Department.objects.create(code="C3", name_ja="開発部 🚀", parent=head)
        sales.name_en = "Sales"
        sales.save()
        Department.objects.filter(pk=dev.pk).update(is_active=False)
        dev.delete()
    seqs = [e.seq for e in entries_after(start)]
    assert seqs == list(range(start + 1, start + 7))
    assert start == 0  # each test starts from the migrated (genesis) database
    verdict = changelog.verify()
    assert verdict.ok and verdict.checked == 6
    return seqs


@pytest.mark.django_db
class TestTamperDetection:
    def test_intact_chain(self, chain):
        out, err = io.StringIO(), io.StringIO()
        with translation.override("en"):
            try:
                call_command("verifylog", stdout=out, stderr=err)
            except SystemExit as exc:  # pragma: no cover - only a status-0 exit is acceptable
                assert exc.code in (0, None)
        assert "intact" in out.getvalue()
        assert "6 entries verified" in out.getvalue()
        assert err.getvalue() == ""

    def test_edited_after_json_of_a_middle_entry(self, chain):
        middle = chain[3]  # the save() update of 営業部
        entry = ChangeLogEntry.objects.get(seq=middle)
        raw_set(middle, "after", {**entry.after, "name_en": "Marketing"})
        assert ChangeLogEntry.objects.get(seq=middle).after["name_en"] == "Marketing"
        assert_broken(middle, f"entry {middle} was altered (hash mismatch)")

    def test_edited_actor_name_of_the_first_entry(self, chain):
        raw_set(chain[0], "actor_name", "mallory")
        assert_broken(chain[0], f"entry {chain[0]} was altered (hash mismatch)")

    def test_deleted_middle_entry(self, chain):
        middle = chain[2]
        assert raw_delete_entries("seq = %s", [middle]) == 1
        assert_broken(middle, f"entry {middle} is missing (deleted)")

    def test_deleted_newest_entry_is_caught_by_the_checkpoint(self, chain):
        newest = chain[-1]
        assert raw_delete_entries("seq = %s", [newest]) == 1
        # The remaining chain is itself consistent: only the signed checkpoint knows better.
        verdict = assert_broken(
            newest, f"entry {newest} is missing (the newest entries up to {newest} were deleted)"
        )
        assert verdict.checked == len(chain) - 1

    def test_deleted_all_entries(self, chain):
        assert raw_delete_entries() == len(chain)
        assert_broken(
            chain[0],
            f"entry {chain[0]} is missing (the newest entries up to {chain[-1]} were deleted)",
        )

    def rewrite_chain(self, from_seq: int) -> tuple[int, str]:
        """Recompute prev_hash/hash of every entry from `from_seq` on, as a forger would."""
        prev = hash_of(from_seq - 1)
        last = None
        for entry in ChangeLogEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
            entry.prev_hash = prev
            entry.hash = changelog.entry_hash(prev, entry)
            raw(
                f"UPDATE {ENTRY_TABLE} SET prev_hash = %s, hash = %s WHERE seq = %s",
                [entry.prev_hash, entry.hash, entry.seq],
            )
            prev, last = entry.hash, entry.seq
        return last, prev

    def test_consistently_rewritten_chain_without_the_key(self, chain):
        """Edit an entry, recompute the whole hash chain and move the checkpoint to the new
        head: every entry checks out, only the HMAC (whose key is not in the database) fails."""
        victim = chain[1]
        entry = ChangeLogEntry.objects.get(seq=victim)
        raw_set(victim, "after", {**entry.after, "name_ja": "改竄部"})
        raw_set(victim, "actor_name", "someone else")
        head, head_hash = self.rewrite_chain(chain[0])
        forged_mac = hmac.new(
            b"a guessed key", f"{head}:{head_hash}".encode(), hashlib.sha256
        ).hexdigest()
        raw_set_checkpoint(seq=head, head_hash=head_hash, mac=forged_mac)
        verdict = assert_broken(
            head, "the checkpoint was altered (HMAC mismatch)", stderr_names_seq=False
        )
        assert verdict.checked == len(chain)  # every entry on its own looked fine

        # Positive control: the same forgery signed with the real key passes, so the HMAC
        # alone caught it above (and the key must be kept out of the database).
        raw_set_checkpoint(mac=changelog.checkpoint_mac(head, head_hash))
        assert changelog.verify().ok

    def test_consistently_rewritten_chain_with_the_old_checkpoint(self, chain):
        victim = chain[2]
        raw_set(victim, "object_repr", "別の部署")
        self.rewrite_chain(victim)
        assert_broken(chain[-1], f"entry {chain[-1]} does not match the signed checkpoint")

    def test_truncated_chain_with_rewound_checkpoint_without_the_key(self, chain):
        newest = chain[-1]
        raw_delete_entries("seq = %s", [newest])
        raw_set_checkpoint(seq=newest - 1, head_hash=hash_of(newest - 1))
        assert_broken(
            newest - 1, "the checkpoint was altered (HMAC mismatch)", stderr_names_seq=False
        )

    def test_deleted_checkpoint(self, chain):
        assert raw(f"DELETE FROM {CHECKPOINT_TABLE}") == 1
        assert_broken(None, "the checkpoint is missing (deleted)", stderr_names_seq=False)
        # Nothing more is appended until someone looks, and the genesis checkpoint is not
        # silently recreated over a log that has entries.
        with pytest.raises(changelog.ChainBroken), transaction.atomic():
            Department.objects.create(code="C9", name_ja="後から")
        assert not Department.objects.filter(code="C9").exists()
        changelog.ensure_genesis()
        assert not ChainCheckpoint.objects.exists()
        assert ChangeLogEntry.objects.count() == len(chain)

    def test_deleted_checkpoint_and_all_entries(self, chain):
        """Wiping the log and its checkpoint is not a fresh start: migration core.0002
        creates the checkpoint, so its absence is always tampering."""
        raw_delete_entries()
        raw(f"DELETE FROM {CHECKPOINT_TABLE}")
        assert_broken(None, "the checkpoint is missing (deleted)", stderr_names_seq=False)

    def test_edited_checkpoint_mac(self, chain):
        mac = ChainCheckpoint.objects.get(pk=1).mac
        raw_set_checkpoint(mac=("1" if mac[0] != "1" else "2") + mac[1:])
        assert_broken(
            chain[-1], "the checkpoint was altered (HMAC mismatch)", stderr_names_seq=False
        )

    def test_edited_checkpoint_seq(self, chain):
        raw_set_checkpoint(seq=chain[-1] + 1)
        assert_broken(
            chain[-1] + 1, "the checkpoint was altered (HMAC mismatch)", stderr_names_seq=False
        )

    def test_appended_entry_that_the_checkpoint_does_not_cover(self, chain):
        """A well-formed entry appended after the head (the ORM allows inserts) without the
        key to re-sign the checkpoint: the first entry beyond the checkpoint is named."""
        newest = ChangeLogEntry.objects.get(seq=chain[-1])
        forged = ChangeLogEntry(
            seq=newest.seq + 1,
            at=newest.at,
            actor_id=None,
            actor_name="mallory",
            source="ui",
            request_id="x",
            action="delete",
            model="org.department",
            object_id="1",
            object_repr="本社",
            before={"id": 1},
            after=None,
            prev_hash=newest.hash,
        )
        forged.hash = changelog.entry_hash(newest.hash, forged)
        ChangeLogEntry.objects.bulk_create([forged])
        assert_broken(forged.seq, f"entry {forged.seq} does not match the signed checkpoint")

    def test_tallies_follow_every_append_and_a_changed_one_is_reported(self, chain):
        """The API's totals come from the tallies (core.models.ChangeLogTally): they match the
        entries after every kind of write, and one changed by hand is named."""
        from mamori.core.models import ChangeLogTally

        assert changelog.kept_tallies() == changelog.counted_tallies()
        assert changelog.kept_tallies()[("org.department", "create", ACTOR.source)] == 3
        ChangeLogTally.objects.filter(model="org.department", action="delete").update(
            entries=F("entries") + 5)
        assert_broken(None, f"the number of entries kept for org.department, delete, "
                            f"{ACTOR.source} is 6, but the log holds 1",
                      stderr_names_seq=False)
        changelog.rebuild_tallies()
        assert changelog.verify().ok

    def test_changed_log_key_fails_verification(self, chain, settings):
        settings.MAMORI_LOG_KEY = settings.MAMORI_LOG_KEY + "-rotated"
        assert_broken(chain[-1], "HMAC mismatch", stderr_names_seq=False)


# --- 4. property tests --------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised inside transaction.atomic() to undo one hypothesis example."""


def in_rolled_back_transaction(func):
    result = None
    try:
        with transaction.atomic():
            result = func()
            raise _Rollback
    except _Rollback:
        pass
    return result


NAMES = st.one_of(
    st.sampled_from(
        [
            "本社",
            "営業部",
            "東日本営業課",
            "情報システム部 🛡️",
            "🎌🍣🗾",
            "ｶﾀｶﾅ",
            "Ünïcödé Äbteilung",
            "Ωμέγα",
            "  空白  ",
            "a\u200db",
            "𠮷野家",
            "",
            '"quoted" \\ back/slash',
            "行\u2028区切り",
        ]
    ),
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
)
OPERATION = st.one_of(
    st.tuples(st.just("create"), NAMES),
    st.tuples(st.just("rename"), st.integers(0, 99), NAMES),  # save()
    st.tuples(st.just("rename_qs"), st.integers(0, 99), NAMES),  # queryset.update()
    st.tuples(st.just("toggle"), st.integers(0, 99)),  # bulk_update()
    st.tuples(st.just("delete"), st.integers(0, 99)),
)
OPERATIONS = st.lists(OPERATION, min_size=1, max_size=12)
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def apply_operations(operations) -> int:
    """Run the operations on fresh departments; return how many entries they must write."""
    live: list[Department] = []
    expected = 0
    for number, op in enumerate(operations):
        kind = op[0]
        if kind == "create":
            live.append(Department.objects.create(code=f"H{number:03d}", name_ja=op[1]))
            expected += 1
            continue
        if not live:
            continue
        dept = live[op[1] % len(live)]
        if kind == "rename":
            expected += dept.name_ja != op[2]
            dept.name_ja = op[2]
            dept.save()
        elif kind == "rename_qs":
            expected += dept.name_ja != op[2]
            Department.objects.filter(pk=dept.pk).update(name_ja=op[2])
            dept.name_ja = op[2]
        elif kind == "toggle":
            dept.is_active = not dept.is_active
            Department.objects.bulk_update([dept], ["is_active"])
            expected += 1
        else:
            live.remove(dept)
            dept.delete()
            expected += 1
    return expected


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(operations=OPERATIONS)
def test_any_sequence_of_changes_keeps_a_valid_contiguous_chain(operations):
    def example():
        start = head_seq()
        with acting_as(ACTOR):
            expected = apply_operations(operations)
        entries = entries_after(start)
        assert len(entries) == expected
        assert [e.seq for e in entries] == list(range(start + 1, start + 1 + expected))
        prev = hash_of(start)
        for entry in entries:
            assert entry.prev_hash == prev
            assert entry.hash == changelog.entry_hash(prev, entry)
            assert entry.actor_name == ACTOR.name
            prev = entry.hash
        checkpoint = ChainCheckpoint.objects.get(pk=1)
        assert (checkpoint.seq, checkpoint.head_hash) == (start + expected, prev)
        assert checkpoint.mac == changelog.checkpoint_mac(checkpoint.seq, checkpoint.head_hash)
        verdict = changelog.verify()
        assert verdict.ok, verdict
        assert verdict.checked == start + expected

    in_rolled_back_transaction(example)
    # Nothing leaked out of the example.
    assert not Department.objects.filter(code__startswith="H").exists()


TEXT_FIELDS = [
    "hash",
    "prev_hash",
    "actor_name",
    "source",
    "request_id",
    "action",
    "model",
    "object_id",
    "object_repr",
]
REPLACEMENT = st.characters(exclude_categories=("Cs", "Cc"))


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(
    operations=st.lists(OPERATION, min_size=1, max_size=8).filter(
        lambda ops: any(op[0] == "create" for op in ops)
    ),
    data=st.data(),
)
def test_any_single_flipped_character_is_reported_at_its_entry(operations, data):
    def example():
        start = head_seq()
        with acting_as(Actor(user_id=7, name="Ædmin 管理者", source="ui")):
            apply_operations(operations)
        entries = entries_after(start)
        assert entries and changelog.verify().ok
        target = data.draw(st.sampled_from(entries), label="entry")
        # object_repr is empty for a department named "": nothing to flip there.
        fields = [f for f in TEXT_FIELDS if getattr(target, f)]
        field = data.draw(st.sampled_from([*fields, "json", "at"]), label="field")
        if field == "at":
            delta = data.draw(st.integers(1, 10**6) | st.integers(-(10**6), -1), label="µs")
            moved = target.at + datetime.timedelta(microseconds=delta)
            raw_set(target.seq, "at", moved)
            assert ChangeLogEntry.objects.get(seq=target.seq).at == moved
            problem = f"entry {target.seq} was altered (hash mismatch)"
        elif field == "json":
            column = "before" if target.after is None else "after"
            document = dict(getattr(target, column))
            key = data.draw(
                st.sampled_from(sorted(k for k, v in document.items() if isinstance(v, str) and v)),
                label="key",
            )
            document[key] = flip(document[key], data)
            raw_set(target.seq, column, document)
            assert getattr(ChangeLogEntry.objects.get(seq=target.seq), column) == document
            problem = f"entry {target.seq} was altered (hash mismatch)"
        else:
            flipped = flip(getattr(target, field), data)
            raw_set(target.seq, field, flipped)
            assert getattr(ChangeLogEntry.objects.get(seq=target.seq), field) == flipped
            problem = (
                f"entry {target.seq} does not link to entry {target.seq - 1}"
                if field == "prev_hash"
                else f"entry {target.seq} was altered"
            )
        verdict = changelog.verify()
        assert not verdict.ok
        # The first broken entry is the flipped one: everything before it is untouched, and
        # a flipped `hash` fails its own entry before the next entry's link is looked at.
        assert verdict.seq == target.seq, (field, verdict)
        assert problem in verdict.problem, (field, verdict)
        assert verdict.checked == target.seq - 1

    in_rolled_back_transaction(example)
    assert changelog.verify().ok


def flip(text: str, data) -> str:
    position = data.draw(st.integers(0, len(text) - 1), label="position")
    char = data.draw(REPLACEMENT.filter(lambda c: c != text[position]), label="char")
    return text[:position] + char + text[position + 1 :]


# --- 5. concurrent writers ----------------------------------------------------------------------

THREADS, PER_THREAD = 4, 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_contiguous_unique_sequence_numbers():
    # The flush that ends a transactional test empties the checkpoint table too; the
    # post_migrate receiver (changelog.ensure_genesis) puts the genesis checkpoint back.
    concurrent_writes_possible()
    if connection.vendor not in ("postgresql", "sqlite"):
        pytest.skip(f"not tried on {connection.vendor}")
    start = head_seq()

    def worker(n: int):
        with acting_as(Actor(user_id=None, name=f"worker-{n}", source="task")):
            for i in range(PER_THREAD):
                Department.objects.create(code=f"T{n}-{i:02d}", name_ja=f"並行{n}-{i}")

    # run_at_once reports a thread still running after its wait as an error too.
    errors = run_at_once(worker, THREADS)
    assert errors == []

    entries = entries_after(start)
    seqs = [e.seq for e in entries]
    assert len(seqs) == len(set(seqs)) == THREADS * PER_THREAD
    assert seqs == list(range(start + 1, start + 1 + THREADS * PER_THREAD))
    # Each entry names the thread that made the change (the actor is per thread).
    for entry in entries:
        n = int(entry.after["code"][1])
        assert entry.actor_name == f"worker-{n}"
    assert Department.objects.filter(code__startswith="T").count() == THREADS * PER_THREAD
    verdict = changelog.verify()
    assert verdict.ok, verdict
    assert head_seq() == start + THREADS * PER_THREAD
