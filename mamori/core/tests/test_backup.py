"""`mamori backup` / `mamori restore` round trips on the real database (SQLite or PostgreSQL),
and key rotation. The tests commit (transaction=True): pg_dump reads from its own connection."""

import hashlib
import io
import json
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from mamori.controls.models import Evidence
from mamori.controls.tests.test_control_models import make_control
from mamori.core import changelog
from mamori.core.backup import BackupError, backup, restore
from mamori.core.keyrotation import log_key_history_file, retired_log_keys
from mamori.core.models import ChainCheckpoint, ChangeLogEntry
from mamori.org.models import Department

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]
CONTENT = b"%PDF-1.4\n% evidence\n" + bytes(range(256)) * 4


@pytest.fixture
def site(settings, tmp_path, monkeypatch):
    """A data directory of its own, the log key in a file outside it, media inside it."""
    data = tmp_path / "data"
    (data / "tls").mkdir(parents=True)
    (data / "tls" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (data / "secret_key").write_text("the-secret-key-" + "s" * 40 + "\n")
    key_file = tmp_path / "etc" / "log_key"
    key_file.parent.mkdir()
    key_file.write_text(settings.MAMORI_LOG_KEY + "\n")
    for name in ("DJANGO_SECRET_KEY", "MAMORI_LOG_KEY_HISTORY_FILE"):
        monkeypatch.delenv(name, raising=False)
    settings.DATA_DIR = data
    settings.MAMORI_LOG_KEY_FILE = key_file
    settings.MAMORI_LOG_KEY = settings.MAMORI_LOG_KEY  # restored after the test
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(data / "media")}}}
    return data


def evidence(org, content=CONTENT):
    control = make_control(org.sales, "C-BAK", status="implemented")
    return Evidence.objects.create(
        control=control, kind="file", title="ログ", file=ContentFile(content, name="log.pdf"),
        file_name="log.pdf", file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest())


def verified() -> bool:
    return changelog.verify().ok


def test_round_trip_restores_database_keys_and_files(org, site, tmp_path, settings):
    item = evidence(org)
    archive = backup(tmp_path / "backup.tar").path
    head = ChainCheckpoint.objects.get(pk=1).seq
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"keys/secret_key", "keys/log_key", "tls/ca.pem", f"media/{item.file.name}",
            manifest["database"]["member"]} <= names
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["members"][f"media/{item.file.name}"]["sha256"] == item.file_sha256
    assert manifest["migrations"]["core"]

    # Life goes on after the backup: a department, and the evidence file is lost.
    Department.objects.create(code="D900", name_ja="後から", name_en="Later")
    (site / "media" / item.file.name).unlink()
    (site / "secret_key").write_text("changed\n")

    with pytest.raises(BackupError, match="--force"):
        restore(archive)
    report = restore(archive, force=True, out=lambda text: None)
    assert report.ok, report
    assert report.chain_ok and report.evidence_checked == 1 and not report.evidence_bad
    assert not Department.objects.filter(code="D900").exists()
    assert ChainCheckpoint.objects.get(pk=1).seq == head
    # The anchor had seen D900's entry: the rollback is recorded, not reported as tampering.
    kept = Path(report.anchor_kept)
    assert kept.is_file() and max(json.loads(x)["seq"] for x in kept.read_text().split()) > head
    anchored = [json.loads(x)["seq"] for x in settings.MAMORI_LOG_ANCHOR_FILE.read_text().split()]
    assert max(anchored) == head
    assert (site / "media" / item.file.name).read_bytes() == CONTENT
    assert (site / "secret_key").read_text().startswith("the-secret-key-")
    assert verified()


def test_a_forced_restore_leaves_no_table_newer_than_the_backup(org, site, tmp_path):
    """A table made after the backup (by a newer migration) would survive a restore that only
    replaces the archive's own tables, and the next `migrate` would fail on it."""
    archive = backup(tmp_path / "backup.tar").path
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE mamori_newer_feature (id integer PRIMARY KEY)")
    Department.objects.create(code="D901", name_ja="後から", name_en="Later")

    report = restore(archive, force=True, out=lambda text: None)

    assert report.ok, report
    with connection.cursor() as cursor:
        assert "mamori_newer_feature" not in connection.introspection.table_names(cursor)
    assert not Department.objects.filter(code="D901").exists()
    call_command("migrate", "--check", verbosity=0)  # the history matches the tables again


def test_restore_check_fails_on_a_damaged_evidence_file(org, site, tmp_path, capsys):
    item = evidence(org)
    archive = backup(tmp_path / "backup.tar").path
    # Damage the file inside the archive and write a manifest that agrees (as a careless copy
    # would not); the evidence row's own hash still tells.
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        manifest = json.load(source.extractfile("manifest.json"))
        for member in source.getmembers():
            if member.name == "manifest.json":
                continue
            data = source.extractfile(member).read()
            if member.name == f"media/{item.file.name}":
                data = data.replace(b"evidence", b"EVIDENCE")
                manifest["members"][member.name]["sha256"] = hashlib.sha256(data).hexdigest()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        payload = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(payload)
        target.addfile(info, io.BytesIO(payload))
    with pytest.raises(SystemExit) as failed:
        call_command("restore", str(damaged), "--force")
    assert failed.value.code == 1
    err = capsys.readouterr().err
    assert f"evidence {item.pk}" in err and "SHA-256" in err


def test_archive_not_matching_its_manifest_is_refused_before_anything_changes(org, site,
                                                                             tmp_path):
    backup(tmp_path / "backup.tar")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tmp_path / "backup.tar") as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "tls/ca.pem":
                data += b"x"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    Department.objects.create(code="D901", name_ja="残る", name_en="Stays")
    with pytest.raises(BackupError, match=r"tls/ca\.pem"):
        restore(tampered, force=True)
    assert Department.objects.filter(code="D901").exists()


def test_tasks_left_running_are_failed_at_restore(org, site, tmp_path):
    from mamori.core.tasks import snapshot_conformance

    snapshot_conformance.enqueue()
    DBTaskResult.objects.get().claim("worker-on-the-old-host")  # as a worker does
    archive = backup(tmp_path / "backup.tar").path
    report = restore(archive, force=True, out=lambda text: None)
    assert report.tasks_reset == 1
    result = DBTaskResult.objects.get()
    assert result.status == "FAILED"
    assert result.exception_class_path.endswith("AbandonedAtRestore")


def test_backup_under_concurrent_writes_restores_a_consistent_state(org, site, tmp_path):
    """A writer commits departments (each with its change-log entry) while the backup runs;
    the restored database verifies and holds each department with its entry, never half."""
    stop = threading.Event()
    written = []

    def writer():
        try:
            n = 0
            while not stop.is_set() and n < 2000:
                with transaction.atomic():
                    Department.objects.create(code=f"W{n:05}", name_ja=f"部{n}",
                                              name_en=f"Dept {n}")
                written.append(n)
                n += 1
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:  # the writer is under way
            thread.join(timeout=0.05)
            assert thread.is_alive() or written
        archive = backup(tmp_path / "backup.tar").path
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not thread.is_alive()
    report = restore(archive, force=True, out=lambda text: None)
    assert report.chain_ok, report.chain_message
    restored = set(Department.objects.filter(code__startswith="W").values_list("pk", flat=True))
    logged = {int(pk) for pk in ChangeLogEntry.objects.filter(
        model="org.department", action="create", object_id__in=[str(p) for p in restored]
    ).values_list("object_id", flat=True)}
    assert restored == logged
    assert len(restored) >= 20
    assert ChainCheckpoint.objects.get(pk=1).seq == ChangeLogEntry.objects.count()


def test_rotatelogkey_resigns_the_checkpoint_and_keeps_the_old_key(org, site, settings):
    old = settings.MAMORI_LOG_KEY
    Department.objects.create(code="D902", name_ja="回転", name_en="Rotation")
    call_command("rotatelogkey", stdout=io.StringIO())
    new = site.parent.joinpath("etc", "log_key").read_text().strip()
    assert new != old
    assert new == settings.MAMORI_LOG_KEY
    [retired] = retired_log_keys()
    assert retired["key"] == old and retired["seq"] == ChainCheckpoint.objects.get(pk=1).seq
    assert log_key_history_file().stat().st_mode & 0o077 == 0
    call_command("verifylog", stdout=io.StringIO())  # exits 1 if broken
    # The log goes on under the new key.
    Department.objects.create(code="D903", name_ja="後", name_en="After")
    assert verified()
    # The old key no longer signs: someone holding only the old key cannot forge a checkpoint.
    settings.MAMORI_LOG_KEY = old
    assert not verified()


def test_anchors_written_before_a_rotation_still_verify(org, site, settings,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Department.objects.create(code="D905", name_ja="回転前", name_en="Before")
    call_command("rotatelogkey", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        Department.objects.create(code="D906", name_ja="回転後", name_en="After")
    verdict = changelog.verify_anchor()
    assert verdict.ok and verdict.checked >= 2, verdict.problem


def test_rotatelogkey_refuses_a_broken_chain(org, site):
    Department.objects.create(code="D904", name_ja="改ざん", name_en="Tampered")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_changelogentry SET object_repr = 'x' WHERE seq = 1")
    with pytest.raises(CommandError, match="does not verify"):
        call_command("rotatelogkey", stdout=io.StringIO())
    assert not log_key_history_file().exists()


def test_rotatesecretkey_keeps_the_old_key_as_fallback(site):
    old = (site / "secret_key").read_text().strip()
    call_command("rotatesecretkey", stdout=io.StringIO())
    assert (site / "secret_key").read_text().strip() != old
    assert (site / "secret_key_fallbacks").read_text().split() == [old]
    call_command("rotatesecretkey", "--keep", "2", stdout=io.StringIO())
    assert (site / "secret_key_fallbacks").read_text().split()[1] == old


def cli_env(data_dir, database_url=None):
    import os

    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAMORI_", "DJANGO_")) and key != "DATABASE_URL"}
    env.update(MAMORI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="mamori.settings",
               MAMORI_LANGUAGE="en")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture
def two_databases():
    """Two fresh, empty databases of the kind under test (URLs; None: SQLite in the data
    directory), dropped afterwards."""
    if connection.vendor != "postgresql":
        yield None, None
        return
    import psycopg

    params = connection.settings_dict
    base = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}"
    names = [f"{params['NAME']}_cli_{n}" for n in ("a", "b")]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    yield tuple(f"{base}/{name}" for name in names)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_commands_back_up_and_restore_into_an_empty_installation(tmp_path, two_databases):
    """`mamori backup` on one installation, `mamori restore` on a new, empty one, as
    separate processes: no --force is needed there, and a second restore is refused."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    source = cli_env(tmp_path / "a", two_databases[0])
    target = cli_env(tmp_path / "b", two_databases[1])

    def mamori(env, *args):
        return subprocess.run([sys.executable, "-m", "mamori.cli", *args], env=env, cwd=root,
                              capture_output=True, text=True, timeout=600, check=False)

    for args in (("migrate", "--noinput"),
                 ("shell", "-c", "from mamori.org.models import Department; "
                                 "Department.objects.create(code='D1', name_ja='本社', "
                                 "name_en='Head office')"),
                 ("backup", str(tmp_path / "a.tar"))):
        done = mamori(source, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    restored = mamori(target, "restore", str(tmp_path / "a.tar"))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restore check passed." in restored.stdout
    check = mamori(target, "verifylog")
    assert check.returncode == 0, check.stdout + check.stderr
    assert (tmp_path / "b" / "log_key").read_text() == (tmp_path / "a" / "log_key").read_text()
    again = mamori(target, "restore", str(tmp_path / "a.tar"))
    assert again.returncode != 0
    assert "--force" in again.stderr
