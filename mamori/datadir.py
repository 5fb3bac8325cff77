"""The data directory: where the embedded database, generated secrets and certificates live."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


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
