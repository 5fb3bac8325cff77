"""OSCAL catalog import and export (being written)."""

import json


def export_catalog(controls) -> dict:
    raise NotImplementedError


def dumps(catalog: dict) -> str:
    return json.dumps(catalog, ensure_ascii=False, indent=2)
