"""The shape of a scan result, shared by the scan engine (child process, imports sslyze) and
its parent (which reports refusals and timeouts in the same shape without importing sslyze)."""

from datetime import UTC, datetime
from typing import Any

# Facts only a full scan measures; None in a certificate check.
FULL_ONLY_KEYS = (
    "cipher_suites", "key_exchange", "groups", "ocsp_stapled", "hsts", "http_status",
    "compression", "secure_renegotiation", "client_renegotiation", "heartbleed", "robot",
    "robot_result", "ccs_injection", "fallback_scsv", "early_data",
)  # fmt: skip


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def empty_result(target: dict, sslyze_version: str | None) -> dict:
    """The result skeleton: every key present, facts None until measured."""
    result: dict[str, Any] = {
        "target": {
            "host": target["host"],
            "port": target["port"],
            "server_name": target.get("server_name"),
        },
        "ip_address": target.get("ip_address"),
        "full": target.get("full", True),
        "started_at": now_iso(),
        "finished_at": None,
        "duration_seconds": None,
        "sslyze_version": sslyze_version,
        "error": None,
        "error_detail": "",
        "command_errors": {},
        "protocols": None,
        "highest_protocol": None,
        "certificate": None,
        "chain": None,
        "trusted": None,
        "trust_error": None,
        "trust": None,  # why (not) trusted: reason, CA concerned, anchor kind (_engine.judge_chain)
        "hostname_matches": None,
        "hostname_checked": None,
        "client_cert_requested": None,
        "client_cert_enforced": None,
    }
    for key in FULL_ONLY_KEYS:
        result[key] = None
    return result
