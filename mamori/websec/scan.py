"""TLS scanning of the company's own web endpoints (issue 6): the parent-side interface.

``scan_targets`` runs a batch of scans in a child process (multiprocessing "forkserver" where the
platform has it, else "spawn") because sslyze cannot be cancelled: on the batch's hard timeout the
child is killed and every unfinished target gets ``{"error": "timeout"}``. The scanning itself lives
in ``_engine.py`` (imported only in the child, so the parent never loads sslyze/nassl).

Only addresses inside MAMORI_TLSSCAN_ALLOW_NETWORKS (comma-separated CIDRs, default
"127.0.0.0/8,::1/128") are ever connected to; a name is resolved once in the parent, every address
it resolves to must be allowed, and the child connects to that pinned address (no second lookup).
The host and server names are checked again here (websec.hostnames) whatever the database holds,
and only their ASCII form reaches the child.

MAMORI_TLSSCAN_ALLOW_PORTS (ports and ranges, default "443,8443") lists the web ports anyone who
registers endpoints may choose; other ports only the CISO or an administrator may register.
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
import queue
import socket
import time
from dataclasses import dataclass

from mamori.websec.hostnames import InvalidHostName, ascii_host
from mamori.websec.result_shape import empty_result, now_iso

ALLOW_ENV = "MAMORI_TLSSCAN_ALLOW_NETWORKS"
DEFAULT_ALLOWED = "127.0.0.0/8,::1/128"
PORTS_ENV = "MAMORI_TLSSCAN_ALLOW_PORTS"
DEFAULT_PORTS = "443,8443"

# Per-endpoint bounds inside the child (sslyze has no cancel; the batch timeout is the backstop).
DEFAULT_NETWORK_TIMEOUT = 5  # seconds per connect / read, sslyze's network_timeout
DEFAULT_PER_SERVER_CONNECTIONS = 5  # concurrent connections to one endpoint
# One endpoint is given up ({"error": "timeout"}) this long after its scan began; the others in
# the batch go on. A server that never answers a ClientHello is given up after the network
# timeout.
DEFAULT_ENDPOINT_TIMEOUT = 60.0

@dataclass(frozen=True)
class Target:
    host: str
    port: int
    server_name: str | None = None
    client_cert_required: bool = False
    http_path: str = "/"
    full: bool = True  # False: certificate-only quick check


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = os.environ.get(ALLOW_ENV, "").strip() or DEFAULT_ALLOWED
    networks = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue  # a malformed entry allows nothing
    return networks


def allowed_ports() -> list[tuple[int, int]]:
    """The web ports of MAMORI_TLSSCAN_ALLOW_PORTS as (first, last) ranges: "443,8443,9000-9010".
    The setting replaces the default; a malformed entry allows nothing."""
    raw = os.environ.get(PORTS_ENV, "").strip() or DEFAULT_PORTS
    ranges = []
    for part in raw.split(","):
        first, _dash, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            continue
        if 1 <= low <= high <= 65535:
            ranges.append((low, high))
    return ranges


def is_ip_literal(value: str) -> bool:
    try:
        ipaddress.ip_address((value or "").strip("[]"))
    except ValueError:
        return False
    return True


def is_web_port(port: int) -> bool:
    return any(low <= port <= high for low, high in allowed_ports())


def web_ports_text() -> str:
    """The web ports as the setting lists them, for messages: "443, 8443"."""
    return ", ".join(str(low) if low == high else f"{low}-{high}"
                     for low, high in allowed_ports()) or "-"


def _resolve(host: str) -> list[str]:
    """Addresses for host without any lookup when it is an IP literal."""
    literal = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(literal))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(literal, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    return addresses


def _address_allowed(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


def allowed_target(host: str) -> bool:
    """True when host is an allowed IP, or a name that resolves ONLY to allowed addresses."""
    return _pinned_address(host) is not None


def _pinned_address(host: str) -> str | None:
    if not host or not host.strip():
        return None
    networks = allowed_networks()
    addresses = _resolve(host)
    if not addresses or not all(_address_allowed(a, networks) for a in addresses):
        return None
    # Prefer IPv4 like sslyze does
    for address in addresses:
        if ipaddress.ip_address(address).version == 4:
            return address
    return addresses[0]


def _error_result(target: Target, code: str, detail: str, started_at: str | None = None) -> dict:
    result = empty_result({"host": target.host, "port": target.port,
                           "server_name": target.server_name, "full": target.full},
                          _sslyze_version())
    result.update(started_at=started_at or now_iso(), finished_at=now_iso(), error=code,
                  error_detail=detail)
    return result


def _sslyze_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("sslyze")
    except Exception:  # informational only
        return None


def _child_main(jobs, options, out_queue) -> None:  # pragma: no cover - runs in the child
    from mamori.websec import _engine

    def emit(index: int, result: dict) -> None:
        out_queue.put(("result", index, result))

    def began(index: int) -> None:
        out_queue.put(("started", index, None))

    try:
        _engine.run_batch(jobs, emit=emit, on_start=began, **options)
    finally:
        out_queue.put(("done", None, None))
    # Exit without joining the threads of endpoints given up on (still inside sslyze calls).
    out_queue.close()
    out_queue.join_thread()
    os._exit(0)


_CONTEXT = None


def _mp_context():
    """forkserver (fork-safe, and the server pre-imports the engine once) where available."""
    global _CONTEXT
    if _CONTEXT is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["mamori.websec._engine"])
        else:
            ctx = multiprocessing.get_context("spawn")
        _CONTEXT = ctx
    return _CONTEXT


def warm_up() -> None:
    """Start the process that forks the scanners now: it imports the engine (sslyze) in the
    background while the caller reads the database, so the first scan need not wait for it."""
    ctx = _mp_context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def scan_targets(
    targets: list[Target],
    *,
    timeout: float | None = None,
    concurrency: int = 10,
    extra_ca_pem: str | None = None,
    network_timeout: int = DEFAULT_NETWORK_TIMEOUT,
    per_server_connections: int = DEFAULT_PER_SERVER_CONNECTIONS,
    endpoint_timeout: float = DEFAULT_ENDPOINT_TIMEOUT,
    on_result=None,
) -> list[dict]:
    """Scan targets in a child process; one JSON-serialisable dict per target, in order.

    Each endpoint is bounded on its own: `endpoint_timeout` seconds after its scan began it is
    given up (inside the child; the child goes on with the others). An endpoint waiting for a
    free slot is not running and is not timed, so a batch of many slow but healthy servers is
    scanned completely, however long the whole batch takes. Should the child fail to give an
    endpoint up (stuck, crashed), this process records that endpoint, kills the child and
    scans the endpoints not finished yet in a new one, so no endpoint is recorded as failed
    because of its neighbours. `timeout`, when given, is an overall bound besides (the
    endpoints unfinished then are recorded as not scanned in time).
    `extra_ca_pem` is an additional trust anchor (PEM, one or more certificates) next to the
    system store. `on_result(index, result)` is called in this process as each result arrives
    from the child (while it scans the others), so the caller can record it at once.
    """
    results: list[dict | None] = [None] * len(targets)
    started = [now_iso()] * len(targets)
    jobs: list[tuple[int, dict]] = []
    for index, target in enumerate(targets):
        try:
            host = ascii_host(target.host)
            server_name = ascii_host(target.server_name) if target.server_name else None
        except InvalidHostName as exc:
            # Never put such a name into a request (the model refuses it; this row predates
            # that or was written around it). The name itself is not repeated.
            results[index] = _error_result(target, "refused_bad_name",
                                           f"not a valid host name ({exc.reason}); not connected")
            continue
        address = _pinned_address(host)
        if address is None:
            results[index] = _error_result(
                target,
                "refused_not_loopback",
                f"{target.host} is not inside {ALLOW_ENV} "
                f"({os.environ.get(ALLOW_ENV) or DEFAULT_ALLOWED}); not connected",
            )
            continue
        jobs.append(
            (
                index,
                {
                    "host": host,
                    "port": int(target.port),
                    "server_name": server_name,
                    "ip_address": address,
                    "http_path": target.http_path or "/",
                    "full": bool(target.full),
                    "client_cert_required": bool(target.client_cert_required),
                },
            )
        )
    if jobs:
        options = {
            "extra_ca_pem": extra_ca_pem,
            "concurrency": max(1, int(concurrency)),
            "network_timeout": max(1, int(network_timeout)),
            "per_server_connections": max(1, int(per_server_connections)),
            "endpoint_timeout": max(1.0, float(endpoint_timeout)),
        }
        deadline = None if timeout is None else time.monotonic() + max(0.1, float(timeout))
        _run_in_children(jobs, results, started, targets, deadline=deadline, options=options,
                         on_result=on_result)
    return [r for r in results if r is not None]


# How long after the child's own bound on an endpoint this process gives the endpoint up
# (the child is stuck) and how long a new child may take to begin its first scan.
CHILD_GRACE = 10.0
CHILD_START_TIMEOUT = 60.0


def _run_in_children(jobs, results, started, targets, *, deadline, options,
                     on_result=None) -> None:
    """Run the jobs in a child; when a child has to be killed, run the jobs it had not
    finished (except the one or ones that made it fail) in a new child."""
    attempts = 0
    while jobs:
        attempts += 1
        jobs = _run_in_child(jobs, results, started, targets, deadline=deadline,
                             options=options, on_result=on_result)
        if jobs and attempts > len(results):  # cannot happen: each round settles one job
            for index, _job in jobs:
                _settle(results, index, _error_result(
                    targets[index], "scan_failed", "the scan process failed repeatedly",
                    started[index]), on_result)
            return


def _settle(results, index, result, on_result) -> None:
    results[index] = result
    if on_result is not None:
        on_result(index, result)


def _run_in_child(jobs, results, started, targets, *, deadline, options,
                  on_result=None) -> list:
    """One child for `jobs`; returns the jobs to run again in a new child (none unless this
    one had to be killed)."""
    ctx = _mp_context()
    out_queue = ctx.Queue()
    child = ctx.Process(target=_child_main, args=(jobs, options, out_queue), daemon=True)
    bound = options["endpoint_timeout"] + CHILD_GRACE
    launched = time.monotonic()
    child.start()
    pending = {index for index, _ in jobs}
    running: dict[int, float] = {}  # index -> when the child said it began (this clock)
    heard = False
    stuck: list[int] = []
    crashed: list[int] = []
    overall = False
    child_done = False
    try:
        while pending and not child_done:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                overall = True
                break
            stuck = [i for i, began in running.items() if i in pending and now - began > bound]
            if stuck:
                break
            if not heard and now - launched > CHILD_START_TIMEOUT:
                crashed = sorted(pending)
                break
            try:
                kind, index, payload = out_queue.get(timeout=0.25)
            except queue.Empty:
                if not child.is_alive() and out_queue.empty():
                    crashed = [i for i in running if i in pending]
                    break
                continue
            heard = True
            if kind == "done":
                child_done = True
            elif kind == "started" and index in pending:
                running[index] = time.monotonic()
            elif kind == "result" and index in pending:
                pending.discard(index)
                _settle(results, index, payload, on_result)
    finally:
        if child.is_alive():
            if pending:
                child.kill()  # sslyze cannot be cancelled
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join(timeout=5)
        out_queue.close()
        out_queue.cancel_join_thread()
    if overall:
        for index in sorted(pending):
            _settle(results, index, _error_result(
                targets[index], "timeout", "the scan run did not finish in time",
                started[index]), on_result)
        return []
    given_up = set(stuck) | set(crashed)
    for index in stuck:
        _settle(results, index, _error_result(
            targets[index], "timeout",
            f"endpoint not scanned within {options['endpoint_timeout']:g} s",
            started[index]), on_result)
    for index in crashed:
        _settle(results, index, _error_result(
            targets[index], "scan_failed", f"scan process exited with {child.exitcode}",
            started[index]), on_result)
    # The others (waiting for a slot, or scanning beside the one that failed) are scanned
    # again in a new child.
    return [(index, job) for index, job in jobs if index in pending and index not in given_up]
