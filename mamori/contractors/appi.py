"""The APPI safety-measure categories (the framework shipped in controls/data/frameworks) that
the screening requirements cite by reference."""

import functools
from pathlib import Path

from mamori.controls.frameworks import read_framework_file
from mamori.controls.models import Requirement, requirement_uid

APPI_FILE = (Path(__file__).resolve().parent.parent / "controls" / "data" / "frameworks"
             / "appi-guidelines.json")


@functools.cache
def _shipped() -> tuple[str, dict[str, tuple[str, str]]]:
    """The framework's code and {reference: (title ja, title en)}, read once per process."""
    code, _values, entries = read_framework_file(APPI_FILE)
    return code, {entry.ref: (entry.title_ja, entry.title_en) for entry in entries}


def unknown_refs(refs: list[str]) -> list[str]:
    known = _shipped()[1]
    return [ref for ref in refs if ref not in known]


def loaded_requirements(refs: list[str]) -> list[Requirement]:
    """The framework's requirements these references name, where the framework is loaded
    (the demo and `mamori load_frameworks` load it), in the order given."""
    code = _shipped()[0]
    by_uid = {r.uid: r for r in Requirement.objects.filter(
        uid__in=[requirement_uid(code, ref) for ref in refs])}
    return [by_uid[uid] for uid in (requirement_uid(code, ref) for ref in refs)
            if uid in by_uid]
