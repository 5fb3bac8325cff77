"""The data directory: where the embedded database, generated secrets and certificates live,
and the change-log key, which a deployment keeps elsewhere (see `log_key`)."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "mamori"


@dataclass(frozen=True)
class DataDir:
    path: Path

    @classmethod
    def from_environment(cls) -> "DataDir":
        path = Path(os.environ.get("MAMORI_DATA_DIR") or default_data_dir()).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cls(path)

    def secret(self, name: str) -> str:
        """Return the secret stored in file `name`, creating it (mode 0600) on first use."""
        file = self.path / name
        try:
            return file.read_text().strip()
        except FileNotFoundError:
            pass
        value = secrets.token_urlsafe(48)
        # O_EXCL: when two processes start at once, exactly one creates the file.
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return file.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
        return value

    def lines(self, name: str) -> list[str]:
        """The non-empty lines of file `name`; none when it does not exist."""
        try:
            text = (self.path / name).read_text()
        except FileNotFoundError:
            return []
        return [line.strip() for line in text.splitlines() if line.strip()]

    def existing_secret(self, name: str) -> str | None:
        """The secret stored in file `name`, or None when there is none (nothing is created)."""
        try:
            return (self.path / name).read_text().strip() or None
        except FileNotFoundError:
            return None


@dataclass(frozen=True)
class LogKey:
    value: str | None  # None: the default key file does not exist yet (see `log_key`)
    file: Path | None  # the file it was read from; None when it came from the environment


def log_key(data: DataDir, environ=os.environ) -> LogKey:
    """The HMAC key of the change-log checkpoint: `MAMORI_LOG_KEY`, else the file
    `MAMORI_LOG_KEY_FILE` names (a systemd credential, a mounted secret), else the file
    `log_key` in the data directory.

    The default file is NOT generated here: settings load before the database is reachable,
    and a key made up over a log that already has entries would hide a lost key (and sign
    whatever the database holds). `mamori.core.changelog.signing_key` generates it only while
    the log is still empty; a system check refuses to start otherwise.

    A named file must exist and hold a key: generating one there would hide a wrong path until
    the log no longer verifies."""
    if environ.get("MAMORI_LOG_KEY"):
        return LogKey(environ["MAMORI_LOG_KEY"], None)
    named = environ.get("MAMORI_LOG_KEY_FILE")
    if not named:
        return LogKey(data.existing_secret("log_key"), data.path / "log_key")
    file = Path(named).expanduser().resolve()
    try:
        value = file.read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"MAMORI_LOG_KEY_FILE={named}: the change-log key cannot be read ({exc.strerror})"
        ) from exc
    if not value:
        raise ImproperlyConfigured(f"MAMORI_LOG_KEY_FILE={named}: the file is empty")
    return LogKey(value, file)
