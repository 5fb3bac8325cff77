"""`make security`: schemathesis and wapiti against a demo server on loopback, in bounded time.

1. A throwaway data directory and SQLite database with the demo organisation, served by
   `mamori serve` on a free loopback port, over HTTPS with the data directory's own CA.
2. API tokens (`mamori token`) and signed-in browser sessions (scripts/security_sessions.py)
   for the administrator and for a staff member: no password is typed anywhere.
3. For each user, schemathesis over every API operation (all checks, every phase, stateful
   included) with their token, then wapiti crawling and attacking the pages in their session.
4. One table of the findings by severity, the server log's 500s included (the mapping is in
   scripts/security_findings.py). The exit status is 1 when any is critical, high or medium;
   else 2 when a run does not count (no report, no operation tested, signed out on the way).

The staff member goes first: the administrator's requests may change or delete the staff
member's records (a person marked as having left loses their login).

SECURITY_MINUTES (default 15) scales every time budget. Reports go to security-results/.
Run with the project's virtualenv (schemathesis comes with its test extras); wapiti comes from
its own virtualenv, .venv-security/, whose pinned dependencies must not meet the project's.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import security_findings as sf

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "security-results"
WAPITI = ROOT / ".venv-security" / "bin" / "wapiti"
PYTHON = sys.executable
# Who is tested, in this order (see the docstring).
USERS = ("staff", "admin")

# wapiti modules that run offline against one server. Left out: those that need an endpoint
# on the internet (ssrf, xxe's out-of-band check, log4shell's DNS), fingerprinting from
# downloaded databases (wapp, htp, nikto, cms, wp_enum, network_device), takeover (DNS),
# brute_login_form and buster (guessing, slow, and they lock accounts), timesql (sleeps),
# https_redirect (nothing listens on plain HTTP), shellshock and spring4shell (bash CGI, Java).
WAPITI_MODULES = ("backup", "cookieflags", "crlf", "csp", "csrf", "exec", "file", "htaccess",
                  "http_headers", "ldap", "methods", "permanentxss", "redirect", "sql", "ssl",
                  "upload", "xss")
# Pages the crawl must not open: they end its session (logout, removing the second factor,
# closing an account) or the user it signs in as (Django admin's users and devices).
WAPITI_EXCLUDED = ("/accounts/logout/*", "/accounts/2fa/totp/deactivate/*",
                   "/org/people/*/account/*", "/admin/core/user/*", "/admin/mfa/*",
                   "/admin/*/delete/*")
# The API operation left out: revoking the token the run authenticates with would turn every
# later request into a 401 (token revocation has its own tests in mamori/core/tests/).
SCHEMATHESIS_EXCLUDED_OPERATIONS = ("tokens_destroy",)
UNSET = ("DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE", "MAMORI_HTTPS",
         "MAMORI_BEHIND_PROXY", "DJANGO_ALLOWED_HOSTS")


def budgets(minutes: float) -> dict[str, int]:
    """Seconds for each step. For the default 15 minutes: about 3 to set up and read the
    schema; schemathesis 100 s + 60 s stateful (admin), 60 s + 35 s (staff); wapiti a 50 s
    crawl and then 12 s for each of its 17 modules (admin), 30 s and 7 s (staff), the quick
    modules taking less."""
    scale = minutes / 15

    def share(seconds: int, least: int) -> int:
        return max(least, round(seconds * scale))

    return {
        # Below a minute the coverage phase reaches no operation at all.
        "schemathesis_admin": share(100, 60), "stateful_admin": share(60, 30),
        "schemathesis_staff": share(60, 60), "stateful_staff": share(35, 30),
        "wapiti_crawl_admin": share(50, 10), "wapiti_attack_admin": share(12, 3),
        "wapiti_crawl_staff": share(30, 10), "wapiti_attack_staff": share(7, 3),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[security {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(command: list, env: dict, log_name: str, timeout: float,
        cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run a step with its output in RESULTS/log_name; a step past its timeout is killed."""
    with open(RESULTS / log_name, "w", encoding="utf-8") as output:
        try:
            return subprocess.run([str(x) for x in command], env=env, cwd=cwd, stdout=output,  # noqa: S603
                                  stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            log(f"{log_name}: still running after {timeout:.0f}s, stopped")
            return subprocess.CompletedProcess(command, returncode=-1)


def output_of(command: list, env: dict) -> str:
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          check=True, timeout=120).stdout.strip()


@contextlib.contextmanager
def serving(env: dict, port: int):
    """`mamori serve` in its own process group, stopped with everything it started."""
    with open(RESULTS / "server.log", "w", encoding="utf-8") as output:
        server = subprocess.Popen(  # noqa: S603 - our own commands, no shell
            [PYTHON, "-m", "mamori.cli", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield server
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def wait_until_up(url: str, ca: Path, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped; see security-results/server.log")
        try:  # the server writes its CA when it starts
            context = ssl.create_default_context(cafile=ca)
            urllib.request.urlopen(url + "accounts/login/", context=context, timeout=5)  # noqa: S310
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"the server did not answer within {timeout:.0f}s")


@dataclass
class Run:
    """One tool run: its report, and whether its credentials still worked at its end (a
    run that signed itself out would have tested the rest anonymously)."""

    tool: str
    user: str
    what: str
    report: Path
    signed_in_after: bool = True

    @property
    def label(self) -> str:
        return f"{self.tool}/{self.user}"


def still_signed_in(url: str, ca: Path, headers: dict) -> bool:
    """True when `url` answers 200 itself, rather than redirecting to the login page or
    refusing the credentials."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(
        NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca)))
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our https URL
        with opener.open(request, timeout=60) as response:
            return response.status == 200
    except OSError:  # HTTPError (302, 401, 403) included
        return False


def schemathesis(base: str, token: str, ca: Path, name: str, phases: str, seconds: int,
                 env: dict) -> Path:
    folder = RESULTS / f"schemathesis-{name}"
    folder.mkdir()
    command = [
        PYTHON, "-m", "schemathesis.cli", "run", f"{base}api/schema/?format=json",
        # The schema itself needs the token too; English messages read better in reports.
        "--header", f"Authorization: Token {token}", "--header", "Accept-Language: en",
        "--tls-verify", ca, "--checks", "all", "--phases", phases,
        "--max-examples", "25", "--max-time", seconds, "--request-timeout", "30",
        # Each server process builds the schema on its first request, which can take longer
        # than schemathesis waits for an answer; it then asks again.
        "--wait-for-schema", "120",
        "--workers", "2", "--generation-database", "none", "--no-color",
        "--report", "junit,json", "--report-dir", folder,
        "--report-junit-path", folder / "junit.xml", "--report-json-path", folder / "run.json",
    ]
    for operation_id in SCHEMATHESIS_EXCLUDED_OPERATIONS:
        command += ["--exclude-operation-id", operation_id]
    # Run from its results folder, where it keeps its cache of failing cases (.schemathesis/):
    # each run starts afresh.
    run(command, env, f"schemathesis-{name}.log", timeout=seconds * 2 + 120, cwd=folder)
    return folder / "junit.xml"


def wapiti(base: str, session: dict, ca: Path, user: str, crawl: int, attack: int,
           env: dict) -> Path:
    folder = RESULTS / f"wapiti-{user}"
    folder.mkdir()
    cookies = folder / "cookies.json"  # wapiti's own cookie-file format
    cookies.write_text(json.dumps({"127.0.0.1": {"/": {session["name"]: {
        "value": session["key"], "expires": None, "secure": session["secure"], "port": None,
        "version": 0}}}}))
    modules = [m for m in WAPITI_MODULES if m != "ssl" or shutil.which("sslscan")]
    report = folder / "report.json"
    command = [
        WAPITI, "--url", base, "--scope", "folder", "--cookie", cookies,
        "--module", ",".join(modules), "--max-scan-time", crawl, "--max-attack-time", attack,
        # wapiti keeps its crawl in SQLite; with 8 tasks on a busy two-core machine its own
        # writes failed with "database is locked" and the staff run left no report.
        "--tasks", "4", "--timeout", "20", "--max-links-per-page", "60",
        "--verify-ssl", "1", "--no-bugreport", "--flush-session",
        # Django refuses an HTTPS form post without a same-origin Referer; wapiti's crawl
        # sends none, so without this every attack on a form would end in the CSRF 403.
        "--header", f"Referer: {base}",
        # Payloads in the CSRF token only ever meet Django's 403.
        "--skip", "csrfmiddlewaretoken",
        # Every "external" endpoint a module would name is a closed loopback port, so that no
        # payload points anywhere but this machine.
        "--endpoint", "http://127.0.0.1:9/", "--dns-endpoint", "localhost",
        "--store-session", folder / "session", "--store-config", folder / "config",
        "--format", "json", "--output", report, "--detailed-report", "2", "--verbose", "1",
    ]
    for path in WAPITI_EXCLUDED:
        command += ["--exclude", base.rstrip("/") + path]
    # httpx, under wapiti, trusts the CA named here.
    run(command, {**env, "SSL_CERT_FILE": str(ca)}, f"wapiti-{user}.log",
        timeout=crawl + attack * len(modules) + 180)
    return report


def findings_of(runs: list[Run]) -> tuple[list, list[str], list[str]]:
    """The findings, one line per run on what it covered, and why a run does not count."""
    findings, notes, problems = [], [], []
    for run_ in runs:
        if not run_.report.exists():
            problems.append(f"{run_.label} ({run_.what}): no report")
            continue
        text = run_.report.read_text(encoding="utf-8")
        if run_.tool == "schemathesis":
            findings += sf.schemathesis_findings(text, run_.label)
            summary = json.loads((run_.report.parent / "run.json").read_text(encoding="utf-8"))
            operations = summary.get("operations") or {}
            tested, selected = operations.get("tested", 0), operations.get("selected", 0)
            notes.append(f"{run_.label} ({run_.what}): {tested} of {selected} operations, "
                         f"{summary['test_cases']['generated']} cases")
            if not tested:
                errors = ", ".join(e["title"] for e in summary.get("errors", []))
                problems.append(f"{run_.label} ({run_.what}): tested no operation {errors}")
        else:
            report = json.loads(text)
            findings += sf.wapiti_findings(report, run_.label)
            notes.append(f"{run_.label} ({run_.what}): "
                         f"{report['infos']['crawled_pages_nbr']} pages and forms crawled")
        if not run_.signed_in_after:
            problems.append(f"{run_.label} ({run_.what}): its credentials no longer worked at "
                            "its end; part of it ran signed out")
    return findings, notes, problems


def scan(data_dir: Path, budget: dict) -> list[Run]:
    # The settings `make run` would use, whatever the caller's environment says.
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(MAMORI_DATA_DIR=str(data_dir), MAMORI_TLSSCAN_ALLOW_NETWORKS="127.0.0.0/8",
               PYTHONDONTWRITEBYTECODE="1")
    log("loading the demo organisation")
    if run([PYTHON, "-m", "mamori.cli", "demo"], env, "demo.log", timeout=600).returncode:
        raise RuntimeError("`mamori demo` failed; see security-results/demo.log")
    tokens = {user: output_of([PYTHON, "-m", "mamori.cli", "token", user, "--days", "1",
                               "--name", "make security"], env) for user in USERS}
    made = json.loads(output_of([PYTHON, "scripts/security_sessions.py", *USERS], env))
    sessions = {user: {"name": made["cookie_name"], "secure": made["secure"], "key": key}
                for user, key in made["sessions"].items()}
    port = free_port()
    base, ca = f"https://127.0.0.1:{port}/", data_dir / "tls" / "ca.pem"
    runs = []
    with serving(env, port) as server:
        log(f"starting the server at {base}")
        wait_until_up(base, ca, server)
        for user in USERS:
            token = {"Authorization": f"Token {tokens[user]}"}
            cookie = {"Cookie": f"{sessions[user]['name']}={sessions[user]['key']}"}
            # Given one time budget, the coverage and fuzzing phases spend it all and the
            # stateful phase never starts; so it runs on its own, with its own budget.
            for name, phases, seconds in (
                    (user, "examples,coverage,fuzzing", budget[f"schemathesis_{user}"]),
                    (f"{user}-stateful", "stateful", budget[f"stateful_{user}"])):
                log(f"schemathesis as {user}: {phases} ({seconds}s)")
                report = schemathesis(base, tokens[user], ca, name, phases, seconds, env)
                runs.append(Run("schemathesis", user, phases, report,
                                still_signed_in(f"{base}api/tokens/", ca, token)))
            crawl, attack = budget[f"wapiti_crawl_{user}"], budget[f"wapiti_attack_{user}"]
            log(f"wapiti as {user} (crawl {crawl}s, {attack}s per module)")
            report = wapiti(base, sessions[user], ca, user, crawl, attack, env)
            runs.append(Run("wapiti", user, "crawl and attack", report,
                            still_signed_in(f"{base}me/", ca, cookie)))
    return runs


def main() -> int:
    started = time.monotonic()
    minutes = float(os.environ.get("SECURITY_MINUTES", "15"))
    if not WAPITI.exists():
        sys.exit(f"{WAPITI.relative_to(ROOT)} is missing: run `make security`")
    shutil.rmtree(RESULTS, ignore_errors=True)
    RESULTS.mkdir()
    with tempfile.TemporaryDirectory(prefix="mamori-security-") as data_dir:
        runs = scan(Path(data_dir), budgets(minutes))
    findings, notes, problems = findings_of(runs)
    findings += sf.server_errors((RESULTS / "server.log").read_text(encoding="utf-8"))
    findings = sf.merged(findings)  # the stateful run may find what the other one did
    (RESULTS / "findings.json").write_text(sf.as_json(findings), encoding="utf-8")
    print()
    print(sf.table(findings) if findings else "No findings.")
    print()
    print("  ".join(f"{severity}: {n}" for severity, n in sf.counts(findings).items()))
    for note in notes:
        print(f"covered: {note}")
    for problem in problems:
        print(f"INCOMPLETE {problem}")
    print(f"Took {(time.monotonic() - started) / 60:.1f} minutes. Reports, logs and "
          f"findings.json (with each finding's request and response) in {RESULTS}.")
    if not sf.passes_bar(findings):
        print("FAIL: medium, high or critical findings (the bar is none).")
        return 1
    if problems:
        print("INCOMPLETE: no finding above low, but a run did not test what it should have.")
        return 2
    print("PASS: no medium, high or critical finding.")
    return 0


if __name__ == "__main__":
    # Ctrl-C or a SIGTERM unwinds through `serving`, which stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    sys.exit(main())
