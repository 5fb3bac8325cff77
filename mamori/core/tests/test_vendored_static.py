"""The vendored front-end files match mamori/core/static/vendor/VENDORED.md.

Plain pytest: no Django settings or database. scripts/vendor-static.sh writes the files and
the table; editing a vendored file by hand (or adding one without re-running the script)
fails here.
"""

import hashlib
import re
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[1] / "static" / "vendor"
MANIFEST = VENDOR / "VENDORED.md"

# | `tabler/tabler.min.css` | `@tabler/core` | 1.6.1 | `<64 hex digits>` |
ROW = re.compile(
    r"^\|\s*`(?P<path>[^`]+)`\s*\|\s*`(?P<package>[^`]+)`\s*\|\s*(?P<version>[^|\s]+)\s*"
    r"\|\s*`(?P<sha256>[0-9a-f]{64})`\s*\|\s*$"
)


def manifest_rows() -> list[dict[str, str]]:
    if not MANIFEST.is_file():
        return []
    return [m.groupdict() for line in MANIFEST.read_text(encoding="utf-8").splitlines()
            if (m := ROW.match(line))]


ROWS = manifest_rows()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def test_manifest_lists_the_expected_files():
    assert MANIFEST.is_file(), f"{MANIFEST} is missing; run scripts/vendor-static.sh"
    paths = [row["path"] for row in ROWS]
    assert len(paths) == len(set(paths)), "a file is listed twice in VENDORED.md"
    for required in ("tabler/tabler.min.css", "tabler/tabler.min.js", "tabler/LICENSE",
                     "htmx/htmx.min.js", "htmx/LICENSE"):
        assert required in paths, f"{required} is not listed in VENDORED.md"


@pytest.mark.parametrize("row", ROWS, ids=[row["path"] for row in ROWS])
def test_vendored_file_matches_its_sha256(row):
    path = (VENDOR / row["path"]).resolve()
    assert path.is_relative_to(VENDOR.resolve()), f"{row['path']} is outside the vendor folder"
    assert path.is_file(), f"{row['path']} is listed in VENDORED.md but missing"
    assert sha256(path) == row["sha256"], (
        f"{row['path']} differs from the {row['package']} {row['version']} file recorded in "
        "VENDORED.md; re-run scripts/vendor-static.sh instead of editing vendored files"
    )


def test_every_vendored_file_is_listed():
    listed = {row["path"] for row in ROWS}
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*")
               if p.is_file() and p != MANIFEST}
    assert present - listed == set(), "vendored files missing from VENDORED.md"
