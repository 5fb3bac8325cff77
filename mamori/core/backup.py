"""`mamori backup` and `mamori restore`: one tar archive holding the database, the keys, the
evidence files and the local CA, with a manifest giving each member's SHA-256.

The SQLite database is copied with SQLite's backup API, which reads one consistent snapshot
while writers go on (copying the file would miss what is still in the WAL); PostgreSQL is dumped
with `pg_dump` in its custom format (one snapshot too) and restored with `pg_restore`, both
found on PATH.

Archive members:
    database/mamori.sqlite3 | database/mamori.pgdump
    keys/secret_key, keys/secret_key_fallbacks, keys/log_key, keys/log_key.history
    tls/…    the local CA and server certificate
    media/…  uploaded evidence files
    manifest.json (last): format, versions, applied migrations, chain head, members and hashes
"""

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

import mamori
from mamori.core import dbstats
from mamori.core.keyrotation import log_key_history_file, secret_key_files, write_private

FORMAT = "mamori-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/mamori.sqlite3"
PG_MEMBER = "database/mamori.pgdump"


class BackupError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_root() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def tls_root() -> Path:
    return settings.DATA_DIR / "tls"


def database(using="default") -> dict:
    return connections[using].settings_dict


def vendor(using="default") -> str:
    return connections[using].vendor


def pg_environment(using="default") -> dict:
    config = database(using)
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                      ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if config.get(key):
            env[name] = str(config[key])
    if config.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = config["OPTIONS"]["sslmode"]
    return env


def run_tool(command: list[str], env: dict) -> str:
    """Run a PostgreSQL client tool; its output, or BackupError with what it said."""
    if shutil.which(command[0]) is None:
        raise BackupError(_("%(tool)s was not found on PATH; install the PostgreSQL client "
                            "tools of the server's version.") % {"tool": command[0]})
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(tool)s failed (exit status %(status)s): %(error)s") % {
            "tool": command[0], "status": done.returncode, "error": done.stderr.strip()})
    return done.stdout


def dump_database(staging: Path, using="default") -> str:
    if vendor(using) == "sqlite":
        target = staging / SQLITE_MEMBER
        target.parent.mkdir(parents=True)
        source = sqlite3.connect(database(using)["NAME"], timeout=60)
        copy = sqlite3.connect(target)
        try:
            # One step (-1): the whole database from one read transaction, a consistent
            # snapshot however many writers commit meanwhile (WAL lets them).
            source.backup(copy, pages=-1)
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    if vendor(using) == "postgresql":
        target = staging / PG_MEMBER
        target.parent.mkdir(parents=True)
        run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={target}"], pg_environment(using))
        return PG_MEMBER
    raise BackupError(_("Backing up a %(vendor)s database is not supported.")
                      % {"vendor": vendor(using)})


def applied_migrations(using="default") -> dict:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    latest: dict[str, str] = {}
    for app, name in recorder.applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def chain_head(using="default") -> dict | None:
    from mamori.core.models import ChainCheckpoint

    head = ChainCheckpoint.objects.using(using).filter(pk=1).first()
    return {"seq": head.seq, "head_hash": head.head_hash} if head else None


def key_sources(include_log_key: bool) -> dict[str, Path]:
    secret, fallbacks = secret_key_files()
    sources = {}
    if not os.environ.get("DJANGO_SECRET_KEY") and secret.exists():
        sources["keys/secret_key"] = secret
    if fallbacks.exists():
        sources["keys/secret_key_fallbacks"] = fallbacks
    if include_log_key and settings.MAMORI_LOG_KEY_FILE is not None:
        sources["keys/log_key"] = settings.MAMORI_LOG_KEY_FILE
        history = log_key_history_file()
        if history.exists():
            sources["keys/log_key.history"] = history
    return sources


def tree(root: Path, prefix: str) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {f"{prefix}/{path.relative_to(root).as_posix()}": path
            for path in sorted(root.rglob("*")) if path.is_file()}


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup(dest: Path, include_log_key: bool = True, using="default") -> BackupResult:
    """Write the archive to `dest` (through a temporary name, so a half-written archive never
    has the final name)."""
    dest = Path(dest).resolve()
    if dest.exists():
        raise BackupError(_("%(path)s already exists; give a new file name.") % {"path": dest})
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".mamori-backup-", dir=dest.parent) as tmp:
        staging = Path(tmp)
        head = chain_head(using)  # before the dump: the dump holds this head or a later one
        database_member = dump_database(staging, using)
        members = {database_member: staging / database_member}
        members |= key_sources(include_log_key)
        # After the database: an evidence file uploaded meanwhile is extra, never missing.
        members |= tree(tls_root(), "tls")
        members |= tree(media_root(), "media")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "mamori_version": mamori.__version__,
            "django_version": django.get_version(),
            "database": {"vendor": vendor(using), "member": database_member},
            "migrations": applied_migrations(using),
            "changelog_head_at_start": head,
            "log_key": ("included" if "keys/log_key" in members else
                        "environment" if settings.MAMORI_LOG_KEY_FILE is None else "left out"),
            "members": {},
        }
        partial = dest.with_name(dest.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            for name, path in members.items():
                info = archive.gettarinfo(str(path), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with open(path, "rb") as handle:
                    reader = _HashingReader(handle)
                    archive.addfile(info, reader)  # reads exactly info.size bytes
                manifest["members"][name] = {"sha256": reader.digest.hexdigest(),
                                             "size": info.size}
            payload = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(payload)
            info.mode = 0o600
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(payload))
        os.chmod(partial, 0o600)  # it holds the keys
        os.replace(partial, dest)
    return BackupResult(dest, manifest)


class _HashingReader:
    """Hashes what tarfile reads, so the manifest's hash is of the archived bytes."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


# --- restore ----------------------------------------------------------------------------


def read_archive(src: Path, into: Path) -> dict:
    """Extract `src` into `into` and check every member against the manifest."""
    try:
        with tarfile.open(src, "r") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(_("%(path)s is not a readable Mamori backup: %(error)s")
                          % {"path": src, "error": error}) from error
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(_("%(path)s has no readable manifest.json.") % {"path": src}) from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("%(path)s is not a Mamori backup of format %(version)s.")
                          % {"path": src, "version": FORMAT_VERSION})
    found = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    listed = set(manifest["members"])
    for name in sorted(listed - found):
        raise BackupError(_("The archive lacks %(member)s, which its manifest lists.")
                          % {"member": name})
    for name in sorted(found - listed):
        raise BackupError(_("The archive holds %(member)s, which its manifest does not list.")
                          % {"member": name})
    for name in sorted(listed):
        if sha256_of(into / name) != manifest["members"][name]["sha256"]:
            raise BackupError(_("%(member)s does not match its SHA-256 in the manifest: the "
                                "archive is damaged.") % {"member": name})
    return manifest


def database_is_empty(using="default") -> bool:
    connection = connections[using]
    if connection.vendor == "sqlite" and not Path(database(using)["NAME"]).exists():
        return True
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def media_is_empty() -> bool:
    return not tree(media_root(), "media")


def restore_database(path: Path, db_vendor: str, using="default") -> None:
    if db_vendor != vendor(using):
        raise BackupError(_("The archive holds a %(archived)s database; this Mamori uses "
                            "%(current)s.") % {"archived": db_vendor, "current": vendor(using)})
    connections.close_all()
    if db_vendor == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(database(using)["NAME"], timeout=60)
        try:
            # Through SQLite itself, in one step: the target's WAL and readers stay coherent.
            source.backup(target, pages=-1)
        finally:
            target.close()
            source.close()
    else:
        restore_postgresql(path, using)
    connections.close_all()


ARCHIVED_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


def restore_postgresql(path: Path, using="default") -> None:
    """Replace the database with the archive's, in one transaction: the tables the archive
    does not know (made by migrations newer than the backup) are dropped with the rest, or
    the restored database would hold tables its migration history says do not exist, and the
    next `migrate` would fail on them. Nothing is changed if any statement fails."""
    env = pg_environment(using)
    listing = run_tool(["pg_restore", "--list", str(path)], env)
    archived = {match.group(2) for match in map(ARCHIVED_TABLE.match, listing.splitlines())
                if match}
    connection = connections[using]
    with connection.cursor() as cursor:
        extra = sorted(set(connection.introspection.table_names(cursor)) - archived)
        drops = "".join(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)} CASCADE;\n"
                        for name in extra)
    connections.close_all()
    with tempfile.TemporaryDirectory(prefix=".mamori-restore-sql-", dir=path.parent) as tmp:
        script, drop_script = Path(tmp) / "restore.sql", Path(tmp) / "drop.sql"
        drop_script.write_text(drops)
        run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  f"--file={script}", str(path)], env)
        run_tool(["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
                  "--single-transaction", f"--dbname={database(using)['NAME']}",
                  f"--file={drop_script}", f"--file={script}"], env)


def replace_tree(source: Path, target: Path) -> int:
    """Make `target` hold exactly the files of `source` (moved, same file system)."""
    if target.exists():
        shutil.rmtree(target)
    if not source.exists():
        target.mkdir(parents=True, mode=0o700)
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    return sum(1 for p in target.rglob("*") if p.is_file())


def restore_keys(extracted: Path, manifest: dict, out) -> None:
    from mamori.core.keyrotation import write_private

    secret, fallbacks = secret_key_files()
    keys = extracted / "keys"
    if (keys / "secret_key").exists():
        if os.environ.get("DJANGO_SECRET_KEY"):
            out(_("The archived secret key is not restored: DJANGO_SECRET_KEY is set (signed-in "
                  "sessions from before the backup end)."))
        else:
            write_private(secret, (keys / "secret_key").read_text())
    if (keys / "secret_key_fallbacks").exists():
        write_private(fallbacks, (keys / "secret_key_fallbacks").read_text())
    if (keys / "log_key").exists():
        archived = (keys / "log_key").read_text().strip()
        key_file = settings.MAMORI_LOG_KEY_FILE
        if key_file is None:
            if archived != settings.MAMORI_LOG_KEY:
                out(_("MAMORI_LOG_KEY differs from the archived change-log key; set it to the "
                      "archived key (keys/log_key in the archive) or the chain will not "
                      "verify."))
        else:
            write_private(key_file, archived + "\n")
            settings.MAMORI_LOG_KEY = archived
        if (keys / "log_key.history").exists():
            write_private(log_key_history_file(), (keys / "log_key.history").read_text())
    elif manifest.get("log_key") != "included":
        out(_("The archive holds no change-log key (it was kept apart): restore the key "
              "separately before starting Mamori."))


@dataclass
class RestoreReport:
    database: str = ""
    media_files: int = 0
    chain_ok: bool = False
    chain_message: str = ""
    evidence_checked: int = 0
    evidence_bad: list[str] = field(default_factory=list)
    tasks_reset: int = 0
    pending_migrations: list[str] = field(default_factory=list)
    anchor_kept: str = ""

    @property
    def ok(self) -> bool:
        return self.chain_ok and not self.evidence_bad and not self.pending_migrations


def restore(src: Path, force: bool = False, out=print, using="default") -> RestoreReport:
    src = Path(src).resolve()
    data_dir = settings.DATA_DIR
    with tempfile.TemporaryDirectory(prefix=".mamori-restore-", dir=data_dir) as tmp:
        extracted = Path(tmp)
        manifest = read_archive(src, extracted)
        if not force and not (database_is_empty(using) and media_is_empty()):
            raise BackupError(_("The target already holds data (its database has tables or its "
                                "media directory has files). Restore into an empty database "
                                "and data directory, or pass --force to replace them."))
        report = RestoreReport(database=manifest["database"]["vendor"])
        restore_database(extracted / manifest["database"]["member"],
                         manifest["database"]["vendor"], using)
        restore_keys(extracted, manifest, out)
        replace_tree(extracted / "tls", tls_root())
        report.media_files = replace_tree(extracted / "media", media_root())
    restart_anchor(report, out, using)
    check_restored(report, using)
    dbstats.refresh(using=using)  # SQLite's backup copies its statistics; pg_dump does not
    return report


def restart_anchor(report: RestoreReport, out, using="default") -> None:
    """Restoring an older backup rolls the change log back on purpose, which is exactly what
    the anchor file exists to catch: every check would fail from now on. The file is kept
    beside, under a name that says so, and a new one starts with the anchored heads the
    restored log still holds (they are still checked) and the restored head. The kept file and
    the CISO's daily e-mail of the head still show what the restore rolled back."""
    from mamori.core import changelog
    from mamori.core.models import ChainCheckpoint

    path = settings.MAMORI_LOG_ANCHOR_FILE
    head = ChainCheckpoint.objects.using(using).filter(pk=1).first()
    if not path or not Path(path).is_file() or head is None:
        return
    path = Path(path)
    anchored, problem = changelog.read_anchor(path)
    if problem or max(anchored, default=0) <= head.seq:
        return  # nothing rolled back (a bad file is left for the check to report)
    kept = path.with_name(f"{path.name}.before-restore-{timezone.now():%Y%m%dT%H%M%SZ}")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.rename(kept)
    still_held = [line for line in lines if line.strip() and json.loads(line)["seq"] <= head.seq]
    write_private(path, "".join(still_held))
    changelog.anchor_head(head.seq, head.head_hash)
    report.anchor_kept = str(kept)
    out(_("This restore rolls the change log back from entry %(anchored)s to entry %(seq)s. "
          "The anchor file that names the newer entries is kept as %(file)s; a new anchor "
          "starts at entry %(seq)s.") % {"anchored": max(anchored), "seq": head.seq,
                                         "file": kept})


def check_restored(report: RestoreReport, using="default") -> None:
    """The restore check: the chain verifies, evidence files match their SHA-256, and tasks
    that were running when the backup was taken (abandoned by definition) are failed."""
    from django.core.management import call_command

    from mamori.core.management.commands.serve import unapplied_migrations

    report.pending_migrations = unapplied_migrations(connections[using])
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("verifylog", stdout=stdout, stderr=stderr)
        report.chain_ok = True
    except SystemExit as exit_:
        report.chain_ok = exit_.code in (0, None)
    except Exception as error:  # a check that cannot run is a failed check
        stderr.write(str(error))
    report.chain_message = (stdout.getvalue() + stderr.getvalue()).strip()
    if report.pending_migrations:
        # Models of this version may not match the restored tables yet: `mamori migrate`,
        # then `mamori restore --check`.
        return
    check_evidence(report, using)
    report.tasks_reset = fail_abandoned_tasks(using)


def check_evidence(report: RestoreReport, using="default") -> None:
    from mamori.controls.models import Evidence

    root = media_root()
    files = Evidence.objects.using(using).exclude(file="").order_by("pk")
    for pk, name, expected in files.values_list("pk", "file", "file_sha256").iterator():
        report.evidence_checked += 1
        path = root / name
        if not path.is_file():
            report.evidence_bad.append(_("evidence %(pk)s: file %(name)s is missing")
                                       % {"pk": pk, "name": name})
        elif expected and sha256_of(path) != expected:
            report.evidence_bad.append(_("evidence %(pk)s: file %(name)s does not match its "
                                         "SHA-256") % {"pk": pk, "name": name})


class AbandonedAtRestore(RuntimeError):
    """A task that was running when the backup was taken: its worker is gone."""


def fail_abandoned_tasks(using="default") -> int:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic(using=using):
        running = list(DBTaskResult.objects.using(using).running().select_for_update())
        for result in running:
            result.set_failed(AbandonedAtRestore(
                "running when the backup was taken; its worker is gone"))
    return len(running)
