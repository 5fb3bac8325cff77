"""Rotating the change-log key and Django's secret key.

The change-log key signs the checkpoint (mamori.core.changelog). Rotating it: verify the chain
with the old key, keep the old key in a history file (so anchors and exported checkpoints it
signed can still be checked), then sign the same checkpoint with the new key. Nothing else in
the log changes: entries are hashed, not signed.

Django's secret key signs sessions, password-reset links and messages. Rotating it: the new key
goes into the `secret_key` file and the old one into `secret_key_fallbacks`, which settings read
into SECRET_KEY_FALLBACKS, so sessions and links signed with the old key stay valid until the
fallback is removed.

Both rotations are done with Mamori stopped (server, workers, scheduler): a running process
keeps the old key in memory.
"""

import datetime
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from mamori.core.changelog import checkpoint_mac, locked_head, signing_key, verify


class RotationError(RuntimeError):
    pass


def log_key_history_file() -> Path:
    """Where retired change-log keys are kept: MAMORI_LOG_KEY_HISTORY_FILE, else beside the key
    file (`log_key.history`), else (key from the environment) in the data directory."""
    named = os.environ.get("MAMORI_LOG_KEY_HISTORY_FILE")
    if named:
        return Path(named).expanduser().resolve()
    key_file = settings.MAMORI_LOG_KEY_FILE
    if key_file is not None:
        return key_file.with_name(key_file.name + ".history")
    return settings.DATA_DIR / "log_key.history"


def retired_log_keys(path: Path | None = None) -> list[dict]:
    """The retired keys, oldest first: {"key", "retired_at", "seq"} (seq: the checkpoint's
    sequence number when the key was retired)."""
    path = path or log_key_history_file()
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def signing_keys() -> list[str]:
    """Every key that may have signed a checkpoint or anchor: the current one first."""
    return [signing_key(), *(k["key"] for k in reversed(retired_log_keys()))]


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically, mode 0600 (kept 0400 if it was)."""
    mode = 0o600
    if path.exists():
        mode = path.stat().st_mode & 0o600 or 0o600
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def append_private(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@dataclass
class LogKeyRotation:
    seq: int
    key_file: Path
    history_file: Path


def rotate_log_key(new_key: str | None = None, using: str = "default") -> LogKeyRotation:
    key_file = settings.MAMORI_LOG_KEY_FILE
    if key_file is None:
        raise RotationError(_(
            "The change-log key comes from MAMORI_LOG_KEY; Mamori cannot replace it there. "
            "Put the key in a file named by MAMORI_LOG_KEY_FILE and rotate again."))
    verdict = verify(using=using)
    if not verdict.ok:
        raise RotationError(_("The change log does not verify with the current key, so it is "
                              "not signed again: %(problem)s") % {"problem": verdict.problem})
    old_key = settings.MAMORI_LOG_KEY
    new_key = new_key or secrets.token_urlsafe(48)
    if new_key == old_key:
        raise RotationError(_("The new change-log key is the same as the current one."))
    history = log_key_history_file()
    Checkpoint = apps.get_model("core", "ChainCheckpoint")
    with transaction.atomic(using=using):
        head = locked_head(using)  # no entry is appended while the checkpoint is re-signed
        # The old key is kept first, so that whatever happens next it is not lost.
        append_private(history, json.dumps({
            "key": old_key, "seq": head.seq,
            "retired_at": datetime.datetime.now(datetime.UTC).isoformat(),
        }))
        Checkpoint.objects.using(using).filter(pk=1).update(
            mac=checkpoint_mac(head.seq, head.head_hash, key=new_key))
        # Written last inside the transaction: if it fails, the checkpoint keeps the old key.
        write_private(key_file, new_key + "\n")
    settings.MAMORI_LOG_KEY = new_key
    return LogKeyRotation(head.seq, key_file, history)


def secret_key_files() -> tuple[Path, Path]:
    return settings.DATA_DIR / "secret_key", settings.DATA_DIR / "secret_key_fallbacks"


def read_fallbacks(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def rotate_secret_key(keep: int = 1) -> Path:
    """New key in the data directory's `secret_key`; the old one first in
    `secret_key_fallbacks`, which keeps the `keep` most recent retired keys."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        raise RotationError(_(
            "The secret key comes from DJANGO_SECRET_KEY: set the new key there and the old "
            "one in DJANGO_SECRET_KEY_FALLBACKS."))
    key_file, fallbacks_file = secret_key_files()
    old = key_file.read_text().strip()
    fallbacks = [old, *read_fallbacks(fallbacks_file)][:max(keep, 1)]
    write_private(fallbacks_file, "".join(f"{key}\n" for key in fallbacks))
    write_private(key_file, secrets.token_urlsafe(48) + "\n")
    return key_file
