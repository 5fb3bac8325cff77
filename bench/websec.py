"""Mamori benchmark for the web section (issue 6): TLS scans of many local endpoints, Mamori's
workers side by side with sslyze's own command line, in the same run.

    .venv/bin/python bench/websec.py                  # SQLite in a temporary data directory
    DATABASE_URL=postgres://… .venv/bin/python bench/websec.py   # PostgreSQL (data is added)

Starts BENCH_ENDPOINTS (default 48) threaded TLS servers of the tests' kind (own CA, Python
`ssl`, 127.0.0.1, port 0) in BENCH_SERVER_PROCESSES (default 2) separate processes, in a mix
of configurations (good ECDSA and RSA, TLS 1.3 only, TLS 1.0 enabled where the local OpenSSL
allows it, static-RSA suites, a wide legacy suite list, expired, wrong host name, no HSTS),
plus two "silent" servers that accept TCP and never answer. Then:

  (a) Mamori: registers the endpoints in the bench database, starts BENCH_WORKERS (default 2)
      real `mamori worker` processes, and lets the hourly `enqueue_due_scans` enqueue the
      `scan_endpoints` tasks they drain: a full scan of every endpoint, then a
      certificate-only pass. Wall time runs from the enqueueing to the last task finished;
      CPU (user+sys) and peak memory are per worker process tree (the worker, its
      forkserver and the scan child processes), read from /proc.
  (b) sslyze's command line (`python -m sslyze`, its default scan commands) in one process on
      the same answering endpoints: wall time, CPU and peak memory of that process.
  (c) Agreement: per endpoint, the protocols and accepted cipher suites Mamori recorded must
      equal those of sslyze's full enumeration (and the groups and vulnerability checks
      where both ran them); every mismatch is printed.
  (d) The per-endpoint bound: the silent servers are in Mamori's batches; the batch still
      finishes and they are recorded as errors ("timeout"/"connect") within the bound.

Loopback only: every server listens on 127.0.0.1 and only those addresses are scanned. On two
cores the servers and the scanners share the CPUs; the servers' own CPU is printed per phase.
Tests never assert on these figures; this script only prints them.

The scan child processes re-import this module as their main module (multiprocessing), so
nothing here runs at import time: Django is set up in main() only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
HSTS = "max-age=63072000; includeSubDomains"
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_KB = (os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096) // 1024

# label -> (certificate, TLSServer keyword arguments); certificates are made in main().
CONFIGS = {
    "good-ecdsa": ("ecdsa", {"hsts": HSTS}),
    "good-rsa": ("rsa", {"hsts": HSTS}),
    "tls13-only": ("ecdsa", {"min_version": "1.3", "hsts": HSTS}),
    "tls10": ("rsa", {"min_version": "1.0", "hsts": HSTS, "seclevel0": True,
                      "ciphers": "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA"}),
    "static-rsa": ("rsa", {"max_version": "1.2", "hsts": HSTS,
                           "ciphers": "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:"
                                      "AES256-GCM-SHA384:AES128-SHA"}),
    "legacy-wide": ("rsa", {"min_version": "1.0", "hsts": HSTS, "seclevel0": True,
                            "ciphers": "ALL:COMPLEMENTOFALL", "curve": None}),
    "expired": ("expired", {"hsts": HSTS}),
    "wrong-host": ("wrong", {"hsts": HSTS}),
    "no-hsts": ("rsa", {"hsts": None}),
}  # fmt: skip


# --------------------------------------------------------------------------- server processes


def serve(spec_file: str) -> None:
    """Server process: start the servers the spec names, print their ports as one JSON line,
    serve until standard input closes."""
    from types import SimpleNamespace

    sys.path.insert(0, str(ROOT))
    from mamori.websec.tests.tls_servers import SilentServer, TLSServer

    spec = json.loads(Path(spec_file).read_text())
    servers, ports = [], []
    for entry in spec["servers"]:
        if entry["label"] == "silent":
            server = SilentServer().__enter__()
        else:
            leaf = SimpleNamespace(cert_file=Path(entry["cert"]), key_file=Path(entry["key"]))
            server = TLSServer(leaf, **entry["kwargs"]).__enter__()
        servers.append(server)
        ports.append(server.port)
    print(json.dumps(ports), flush=True)
    sys.stdin.read()
    for server in servers:
        server.__exit__(None, None, None)


def start_servers(entries: list[dict], processes: int, directory: Path):
    """Spread the entries over `processes` server processes; returns (procs, ports)."""
    chunks = [entries[i::processes] for i in range(processes)]
    procs, ports_by_entry = [], {}
    for number, chunk in enumerate(chunks):
        if not chunk:
            continue
        spec = directory / f"servers-{number}.json"
        spec.write_text(json.dumps({"servers": chunk}))
        proc = subprocess.Popen(  # noqa: S603 - this script, the spec it wrote
            [sys.executable, __file__, "--serve", str(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        ports = json.loads(proc.stdout.readline())
        for entry, port in zip(chunk, ports, strict=True):
            ports_by_entry[entry["index"]] = port
    return procs, [ports_by_entry[e["index"]] for e in entries]


# --------------------------------------------------------------------------- /proc accounting


def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        text = _read(f"/proc/{pid}/task/{tid}/children")
        if text:
            found.extend(int(c) for c in text.split())
    return found


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(children(current))
    return pids


def cpu_seconds(pid: int) -> float:
    """utime+stime of the process (all its threads) and of its children it has reaped."""
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICK  # utime stime cutime cstime


def memory_kb(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) in kB."""
    text = _read(f"/proc/{pid}/status") or ""
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(value.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in tree(pid))


class MemoryWatch:
    """Samples the RSS of process trees every `interval` seconds while running."""

    def __init__(self, roots: dict[str, int], interval: float = 0.05) -> None:
        self.roots, self.interval = roots, interval
        self.tree_peak = dict.fromkeys(roots, 0)  # sum of RSS over the tree, at one moment
        self.root_peak = dict.fromkeys(roots, 0)  # the root process's own VmHWM
        self.child_peak = dict.fromkeys(roots, 0)  # the largest descendant's VmHWM
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for name, root in self.roots.items():
            total = 0
            for pid in tree(root):
                rss, hwm = memory_kb(pid)
                total += rss
                if pid == root:
                    self.root_peak[name] = max(self.root_peak[name], hwm)
                else:
                    self.child_peak[name] = max(self.child_peak[name], hwm)
            self.tree_peak[name] = max(self.tree_peak[name], total)


# --------------------------------------------------------------------------- Mamori


def mamori_command() -> list[str]:
    script = Path(sys.executable).with_name("mamori")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from mamori.cli import main; main()"]


def start_workers(count: int) -> dict[str, subprocess.Popen]:
    workers = {}
    for number in range(count):
        name = f"bench-websec-{number + 1}"
        workers[name] = subprocess.Popen(  # noqa: S603 - the venv's mamori script
            [*mamori_command(), "worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.05", "--worker-id", name, "-v", "0"],
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    # Let every worker finish starting up (Django, first poll) before anything is timed.
    for _ in range(200):
        time.sleep(0.1)
        before = {n: cpu_seconds(w.pid) for n, w in workers.items()}
        time.sleep(0.3)
        if all(cpu_seconds(w.pid) - before[n] < 0.05 for n, w in workers.items()):
            break
    return workers


def stop_workers(workers: dict[str, subprocess.Popen]) -> None:
    for proc in workers.values():
        proc.send_signal(signal.SIGTERM)
    for proc in workers.values():
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def scan_phase(label, kind, endpoint_ids, workers, servers) -> dict:
    """Enqueue the due scans (as the hourly task does) and wait until the workers have run
    them all. Returns the phase's figures."""
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from mamori.websec.tasks import due_endpoints, enqueue_due_scans, scan_endpoints, task_batches

    due_full = {e.pk for e in due_endpoints("full")}
    due = due_full if kind == "full" else {e.pk for e in due_endpoints(kind)} - due_full
    our_only = due == set(endpoint_ids)  # else the database holds other endpoints due a scan

    roots = {name: proc.pid for name, proc in workers.items()}
    cpu_before = {name: tree_cpu(pid) for name, pid in roots.items()}
    server_before = sum(tree_cpu(p.pid) for p in servers)
    main_before = time.process_time()
    with MemoryWatch(roots) as watch:
        started = time.monotonic()
        from django.utils import timezone

        since = timezone.now()
        if our_only:
            counts = enqueue_due_scans.call()
            how = f"enqueue_due_scans: {counts}"
        else:
            for batch in task_batches(endpoint_ids):
                scan_endpoints.enqueue(batch, kind)
            how = "scan_endpoints enqueued directly (other endpoints in this database are due)"
        tasks = DBTaskResult.objects.filter(task_path__endswith="scan_endpoints",
                                            enqueued_at__gte=since)
        while True:
            close_old_connections()
            states = list(tasks.values_list("status", flat=True))
            if states and all(s in ("SUCCESSFUL", "FAILED") for s in states):
                break
            if any(p.poll() is not None for p in workers.values()):
                raise SystemExit("a worker exited during the benchmark")
            time.sleep(0.05)
        wall = time.monotonic() - started
        time.sleep(0.2)  # let the forkservers reap the last scan children
    rows = list(tasks.order_by("started_at").values(
        "worker_ids", "return_value", "status", "traceback", "started_at", "finished_at"))
    per_worker = {name: {"tasks": 0, "endpoints": 0, "timeline": []} for name in roots}
    for row in rows:
        for worker in row["worker_ids"][-1:]:
            per_worker.setdefault(worker, {"tasks": 0, "endpoints": 0, "timeline": []})
            per_worker[worker]["tasks"] += 1
            per_worker[worker]["endpoints"] += row["return_value"] or 0
            per_worker[worker]["timeline"].append((
                (row["started_at"] - since).total_seconds(),
                (row["finished_at"] - since).total_seconds(), row["return_value"] or 0))
        if row["status"] == "FAILED":
            print(f"  task FAILED: {row['traceback'][-600:]}", flush=True)
    for name, pid in roots.items():
        per_worker[name]["cpu"] = tree_cpu(pid) - cpu_before[name]
        per_worker[name]["tree_peak_mb"] = watch.tree_peak[name] / 1024
        per_worker[name]["worker_peak_mb"] = watch.root_peak[name] / 1024
        per_worker[name]["child_peak_mb"] = watch.child_peak[name] / 1024
    return {
        "label": label, "how": how, "wall": wall, "tasks": len(rows),
        "endpoints": sum(w["endpoints"] for w in per_worker.values()),
        "cpu": sum(w.get("cpu", 0) for w in per_worker.values()),
        "per_worker": per_worker,
        "server_cpu": sum(tree_cpu(p.pid) for p in servers) - server_before,
        "main_cpu": time.process_time() - main_before,
    }  # fmt: skip


# --------------------------------------------------------------------------- sslyze CLI


def run_sslyze(targets: list[str], ca_file: Path, out_file: Path, servers) -> dict:
    command = [sys.executable, "-m", "sslyze", f"--json_out={out_file}", "--quiet",
               f"--certinfo_ca_file={ca_file}", *targets]
    server_before = sum(tree_cpu(p.pid) for p in servers)
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603 - the venv's python, our own targets
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with MemoryWatch({"sslyze": proc.pid}) as watch:
        _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    peak = max(usage.ru_maxrss, watch.tree_peak["sslyze"])
    return {
        "label": "sslyze CLI, default scan commands", "wall": wall, "endpoints": len(targets),
        "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak / 1024,
        "exit": proc.returncode, "stderr": stderr,
        "server_cpu": sum(tree_cpu(p.pid) for p in servers) - server_before,
    }  # fmt: skip


# --------------------------------------------------------------------------- agreement

SSLYZE_PROTOCOLS = {
    "ssl_2_0_cipher_suites": "ssl2.0", "ssl_3_0_cipher_suites": "ssl3.0",
    "tls_1_0_cipher_suites": "tls1.0", "tls_1_1_cipher_suites": "tls1.1",
    "tls_1_2_cipher_suites": "tls1.2", "tls_1_3_cipher_suites": "tls1.3",
}  # fmt: skip
CURVES = {"secp256r1": "prime256v1", "secp192r1": "prime192v1"}


def sslyze_facts(server: dict) -> dict | None:
    if server.get("scan_status") != "COMPLETED":
        return None
    scan = server["scan_result"]

    def result(name):
        attempt = scan.get(name) or {}
        return attempt.get("result") if attempt.get("status") == "COMPLETED" else None

    facts: dict = {"protocols": set(), "suites": {}}
    for key, proto in SSLYZE_PROTOCOLS.items():
        found = result(key)
        if found is None:
            facts["suites"][proto] = None  # not measured
            continue
        names = {s["cipher_suite"]["name"] for s in found["accepted_cipher_suites"]}
        if names:
            facts["protocols"].add(proto)
        facts["suites"][proto] = names
    curves = result("elliptic_curves")
    if curves is not None:
        facts["groups"] = {CURVES.get(c["name"], c["name"])
                           for c in curves.get("supported_curves") or []}
    checks = {
        "heartbleed": ("heartbleed", "is_vulnerable_to_heartbleed"),
        "ccs_injection": ("openssl_ccs_injection", "is_vulnerable_to_ccs_injection"),
        "compression": ("tls_compression", "supports_compression"),
        "secure_renegotiation": ("session_renegotiation", "supports_secure_renegotiation"),
        "client_renegotiation": ("session_renegotiation",
                                 "is_vulnerable_to_client_renegotiation_dos"),
        "fallback_scsv": ("tls_fallback_scsv", "supports_fallback_scsv"),
        "robot_result": ("robot", "robot_result"),
    }  # fmt: skip
    for fact, (command, field) in checks.items():
        found = result(command)
        if found is not None:
            facts[fact] = found.get(field)
    return facts


def compare(mamori: dict, sslyze: dict) -> list[str]:
    """Differences that matter to a verdict; empty when Mamori lost nothing."""
    problems = []
    ours = {p for p, on in (mamori.get("protocols") or {}).items() if on}
    if ours != sslyze["protocols"]:
        problems.append(f"protocols: Mamori {sorted(ours)} sslyze {sorted(sslyze['protocols'])}")
    suites = mamori.get("cipher_suites") or {}
    for proto, theirs in sslyze["suites"].items():
        if theirs is None:
            continue
        mine = set(suites.get(proto) or [])
        if mine != theirs:
            problems.append(f"{proto} suites: only Mamori {sorted(mine - theirs)}, "
                            f"only sslyze {sorted(theirs - mine)}")
    groups = mamori.get("groups")
    if "groups" in sslyze and groups is not None and set(groups) != sslyze["groups"]:
        problems.append(f"groups: Mamori {sorted(mamori['groups'])} "
                            f"sslyze {sorted(sslyze['groups'])}")
    for fact in ("heartbleed", "ccs_injection", "compression", "secure_renegotiation",
                 "client_renegotiation", "fallback_scsv", "robot_result"):
        if fact in sslyze and mamori.get(fact) is not None and mamori[fact] != sslyze[fact]:
            problems.append(f"{fact}: Mamori {mamori[fact]} sslyze {sslyze[fact]}")
    return problems


# --------------------------------------------------------------------------- main


def register(entries, ports, ca_pem):
    """The endpoints in the bench database (re-used when a previous run left one on the same
    port); the company CA trusted. Returns the endpoints by index."""
    from mamori.core.context import Actor, acting_as
    from mamori.org.models import Department
    from mamori.websec.models import TlsProfile, WebEndpoint, WebSecuritySettings

    with acting_as(Actor(None, "bench:websec", "command")):
        settings = WebSecuritySettings.current()
        if ca_pem not in settings.company_ca_pem:
            settings.company_ca_pem = (settings.company_ca_pem.strip() + "\n" + ca_pem).strip()
            settings.save()
        department = Department.objects.filter(code="BENCH-WEBSEC").first() or \
            Department.objects.create(code="BENCH-WEBSEC", name_ja="ベンチ Web",
                                      name_en="Bench web")
        profile = TlsProfile.objects.get(code="intermediate")
        endpoints = {}
        for entry, port in zip(entries, ports, strict=True):
            site = WebEndpoint.objects.filter(host=LOOPBACK, port=port,
                                              server_name="localhost").first()
            site = site or WebEndpoint(host=LOOPBACK, port=port, server_name="localhost")
            site.name = f"bench-websec {entry['index']:02d} {entry['label']}"
            site.url = f"https://{LOOPBACK}:{port}/"
            site.department, site.profile, site.active = department, profile, True
            site.handles_personal_info = True
            site.last_full_scan_at = site.last_certificate_check_at = None
            site.save()
            endpoints[entry["index"]] = site
    return endpoints


def make_entries(pki, count: int, silent: int, tls10_ok: bool) -> list[dict]:
    leaves = {
        "ecdsa": pki.leaf("ecdsa"),
        "rsa": pki.leaf("rsa", key_type="rsa", key_size=2048, days_valid=365),
        "expired": pki.leaf("expired", days_valid=30, not_before_days_ago=60),
        "wrong": pki.leaf("wrong", dns=("wrong.example",), ips=()),
    }
    labels = [label for label in CONFIGS if tls10_ok or label not in ("tls10", "legacy-wide")]
    entries = []
    for index in range(count):
        label = labels[index % len(labels)]
        leaf_name, kwargs = CONFIGS[label]
        leaf = leaves[leaf_name]
        entries.append({"index": index, "label": label, "cert": str(leaf.cert_file),
                        "key": str(leaf.key_file), "kwargs": kwargs})
    for number in range(silent):
        entries.append({"index": count + number, "label": "silent"})
    return entries


def main():
    import common  # noqa: F401 - sets up Django first
    from django.core.management import call_command
    from django.db import connection

    from mamori.websec import scan, service
    from mamori.websec.models import TlsScan
    from mamori.websec.tests.tls_servers import PKI, openssl_allows_tls10

    count = int(os.environ.get("BENCH_ENDPOINTS", "48"))
    worker_count = int(os.environ.get("BENCH_WORKERS", "2"))
    server_processes = int(os.environ.get("BENCH_SERVER_PROCESSES", "2"))
    silent = int(os.environ.get("BENCH_SILENT", "2"))
    call_command("migrate", verbosity=0)
    tls10_ok, tls10_reason = openssl_allows_tls10()
    directory = Path(tempfile.mkdtemp(prefix="mamori-bench-websec-"))
    pki = PKI(directory)
    entries = make_entries(pki, count, silent, tls10_ok)
    print(f"database: {connection.vendor}; CPUs: {os.cpu_count()}; endpoints: {count} answering "
          f"+ {silent} silent; Mamori workers: {worker_count}; server processes: "
          f"{server_processes}", flush=True)
    if not tls10_ok:
        print(f"  TLS 1.0 servers left out: {tls10_reason}", flush=True)
    print("  note: servers, scanners and this script share the same CPUs; the servers' own CPU "
          "is printed per phase", flush=True)

    from mamori.websec.models import WebEndpoint

    servers, ports = start_servers(entries, server_processes, directory)
    workers = {}
    try:
        endpoints = register(entries, ports, pki.ca_pem)
        answering = [e for e in entries if e["label"] != "silent"]
        workers = start_workers(worker_count)
        ids = [endpoints[e["index"]].pk for e in entries]
        print(f"Mamori full scans ({len(ids)} endpoints) …", flush=True)
        full = scan_phase("Mamori full scan", "full", ids, workers, servers)
        # The certificate checks fall due an hour after the full scans: make them due now.
        from datetime import timedelta

        from django.utils import timezone

        WebEndpoint.objects.filter(pk__in=ids).update(
            last_certificate_check_at=timezone.now() - timedelta(hours=2))
        print(f"Mamori certificate-only checks ({len(ids)} endpoints) …", flush=True)
        cert = scan_phase("Mamori certificate only", "certificate", ids, workers, servers)
        stop_workers(workers)
        workers = {}

        ca_file = directory / "ca.pem"
        ca_file.write_text(pki.ca_pem)
        out_file = directory / "sslyze.json"
        targets = [f"localhost:{ports[e['index']]}{{{LOOPBACK}}}" for e in answering]
        print(f"sslyze CLI ({len(targets)} answering endpoints, one process) …", flush=True)
        sslyze = run_sslyze(targets, ca_file, out_file, servers)
    finally:
        if workers:
            stop_workers(workers)
        # The servers stop now: their endpoints must not stay due for the scheduler.
        WebEndpoint.objects.filter(name__startswith="bench-websec ").update(active=False)
        for proc in servers:
            proc.stdin.close()
        for proc in servers:
            proc.wait(timeout=30)

    # (c) agreement
    document = json.loads(out_file.read_text()) if out_file.exists() else {}
    by_port = {s["server_location"]["port"]: s for s in document.get("server_scan_results", [])}
    latest = {}
    for row in TlsScan.objects.filter(endpoint__in=[e.pk for e in endpoints.values()],
                                      kind="full").order_by("started_at", "pk"):
        latest[row.endpoint_id] = row
    mismatches, compared, verdicts = [], 0, {}
    for entry in entries:
        site = endpoints[entry["index"]]
        row = latest.get(site.pk)
        if row is None:
            mismatches.append(f"{site.name}: no full scan recorded")
            continue
        mark = {True: "pass", False: "FAIL"}
        verdicts.setdefault(entry["label"], []).append(
            (mark[row.authentication_ok], mark[row.encryption_ok], mark[row.integrity_ok],
             row.result.get("error")))
        if entry["label"] == "silent":
            continue
        theirs = sslyze_facts(by_port.get(ports[entry["index"]], {}))
        if theirs is None:
            mismatches.append(f"{site.name}: sslyze did not complete a scan")
            continue
        compared += 1
        problems = compare(row.result, theirs)
        for problem in problems:
            mismatches.append(f"{site.name}: {problem}")
        if problems and (row.result.get("error") or row.result.get("command_errors")):
            mismatches.append(f"{site.name}: Mamori's scan said error="
                              f"{row.result.get('error')!r} {row.result.get('error_detail')!r} "
                              f"command_errors={row.result.get('command_errors')}")

    # (d) the silent servers
    silent_rows = [latest.get(endpoints[e["index"]].pk) for e in entries
                   if e["label"] == "silent"]

    print()
    print("verdicts of the full scans (authentication / encryption / integrity):")
    for label, rows in verdicts.items():
        kinds = sorted({f"{a}/{e}/{i}" + (f" error={err}" if err else "")
                        for a, e, i, err in rows})
        print(f"  {label:<14} x{len(rows):<3} {', '.join(kinds)}")

    print()
    print(f"{'':<46} {'endpoints':>9} {'wall s':>8} {'endp/min':>9} {'CPU s':>8} "
          f"{'CPU ms/endp':>11} {'peak MB/worker':>15} {'server CPU s':>13}")
    for phase in (full, cert):
        peak = max(w["tree_peak_mb"] for w in phase["per_worker"].values())
        line = (f"{phase['label'] + f' ({worker_count} workers)':<46} {phase['endpoints']:>9} "
                f"{phase['wall']:>8.2f} {phase['endpoints'] / phase['wall'] * 60:>9.0f} "
                f"{phase['cpu']:>8.2f} {phase['cpu'] / max(1, phase['endpoints']) * 1000:>11.0f} "
                f"{peak:>15.0f} {phase['server_cpu']:>13.2f}")
        print(line)
    print(f"{sslyze['label'] + ' (1 process)':<46} {sslyze['endpoints']:>9} "
          f"{sslyze['wall']:>8.2f} {sslyze['endpoints'] / sslyze['wall'] * 60:>9.0f} "
          f"{sslyze['cpu']:>8.2f} {sslyze['cpu'] / max(1, sslyze['endpoints']) * 1000:>11.0f} "
          f"{sslyze['peak_mb']:>15.0f} {sslyze['server_cpu']:>13.2f}")
    print()
    print("  CPU = user+sys of the worker process trees (worker, forkserver, scan processes) or of "
          "the sslyze process; peak MB = largest sum of RSS over one such tree at one moment;\n"
          "  server CPU = the TLS server processes during the phase (same two cores); sslyze's "
          "CLI runs its default commands (certificate, SSL 2.0-TLS 1.3 suites, compression,\n"
          "  CCS injection, fallback SCSV, Heartbleed, ROBOT, renegotiation, curves, EMS; "
          "Mozilla intermediate check) on the answering endpoints only")
    print()
    for phase in (full, cert):
        print(f"{phase['label']}: {phase['tasks']} tasks ({phase['how']}); this script's own "
              f"CPU (polling, sampling) {phase['main_cpu']:.2f} s")
        for name, figures in phase["per_worker"].items():
            print(f"  {name}: {figures['tasks']} tasks, {figures['endpoints']} endpoints, "
                  f"CPU {figures.get('cpu', 0):.2f} s, peak RSS: process tree "
                  f"{figures.get('tree_peak_mb', 0):.0f} MB (worker "
                  f"{figures.get('worker_peak_mb', 0):.0f} MB, largest child "
                  f"{figures.get('child_peak_mb', 0):.0f} MB)")
            print("    tasks (start-end s, endpoints): " + ", ".join(
                f"{a:.1f}-{b:.1f} ({n})" for a, b, n in figures.get("timeline", [])))
    if sslyze["exit"] not in (0, 1):
        print(f"sslyze exited with {sslyze['exit']}: {sslyze['stderr'][-800:]}")
    print()
    print(f"agreement with sslyze (protocols, accepted cipher suites, groups, vulnerability "
          f"checks) on {compared} endpoints: {len(mismatches)} mismatches")
    for line in mismatches:
        print(f"  MISMATCH {line}")
    print()
    bound = f"per-endpoint {scan.DEFAULT_NETWORK_TIMEOUT} s network timeout"
    if hasattr(scan, "DEFAULT_ENDPOINT_TIMEOUT"):
        bound = f"per-endpoint bound {scan.DEFAULT_ENDPOINT_TIMEOUT:g} s"
    print(f"silent servers ({bound}, batch bound {service.BATCH_TIMEOUT:g} s):")
    for row in silent_rows:
        if row is None:
            print("  no scan recorded")
            continue
        seconds = (row.finished_at - row.started_at).total_seconds()
        print(f"  {row.endpoint.name}: status {row.status}, error {row.result.get('error')!r} "
              f"after {row.result.get('duration_seconds') or seconds} s "
              f"({row.result.get('error_detail', '')[:90]})")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        main()
