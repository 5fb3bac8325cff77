"""Load benchmark: the default `mamori serve` (HTTPS, default workers and threads) on loopback
with the demo organisation, driven by 50, 100 and 200 concurrent signed-in users.

At each level all users sign in at once (login page, then the password form: the rush), and
once all have, for the level's time each reads pages and API lists and now and then reports
an incident, with a short random pause between requests. Printed per level: how long the rush
took, its requests/s, p95 latency and errors; then requests/s, p95 latency and errors of the
mixed phase, incident reports counted apart.

Every user comes from a different address: the server trusts 127.0.0.1 as a proxy
(MAMORI_TRUSTED_PROXIES) and each user sends its own X-Forwarded-For, as a company's clients
behind its proxy would; without it all users share loopback's login rate limit (30/min).

    python bench/load.py                         # SQLite in a temporary data directory
    DATABASE_URL=postgres://…/db python bench/load.py   # an empty PostgreSQL database
    BENCH_LEVELS=50,100 BENCH_SECONDS=30 BENCH_THINK=1.0 python bench/load.py

Only the standard library and `requests` (a test dependency) are used.
"""

import datetime
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-Password-2026!"  # noqa: S105  (the benchmark's throwaway users)
PAGES = ["/me/", "/incidents/", "/controls/controls/", "/assets/register/", "/policies/documents/",
         "/risks/register/"]
API = ["/api/incidents/incidents/", "/api/org/people/", "/api/controls/controls/",
       "/api/assets/assets/"]


def setup_users(count: int, out: Path) -> None:
    """Run inside the server's environment: `count` staff users with one known password,
    each a person in a department of the demo."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from mamori.core.models import User
    from mamori.org.models import Department, Person

    encoded = make_password(PASSWORD)  # one argon2id hash, shared: setup is not the benchmark
    departments = list(Department.objects.order_by("pk"))
    users = []
    with transaction.atomic():
        for i in range(count):
            name = f"bench{i:03}"
            user, _ = User.objects.get_or_create(username=name, defaults={"password": encoded})
            department = departments[i % len(departments)]
            Person.objects.get_or_create(user=user, defaults={
                "employee_no": f"BENCH{i:04}", "name": f"負荷 {i}", "name_latin": f"Load {i}",
                "category": Person.Category.EMPLOYEE, "department": department})
            users.append({"username": name, "department": user.person.department_id})
    out.write_text(json.dumps(users))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mamori(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "mamori.cli", *args], env=env, cwd=ROOT,  # noqa: S603
                          check=True, **kwargs)


@dataclass
class Stats:
    latencies: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    report_ok: int = 0
    report_errors: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds, error=None, report=False):
        with self.lock:
            self.latencies.append(seconds)
            if report:
                if error:
                    self.report_errors[error] = self.report_errors.get(error, 0) + 1
                else:
                    self.report_ok += 1
            elif error:
                self.errors[error] = self.errors.get(error, 0) + 1


def p95(values):
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


class User:
    def __init__(self, base, ca, info, address):
        self.base, self.info = base, info
        self.session = requests.Session()
        self.session.verify = str(ca)
        self.session.trust_env = False
        self.session.headers["X-Forwarded-For"] = address

    def call(self, stats, method, path, report=False, expect=(200,), **kwargs):
        start = time.perf_counter()
        error = None
        try:
            response = self.session.request(method, self.base + path, timeout=180,
                                            allow_redirects=False,
                                            headers={"Referer": self.base + path}, **kwargs)
            if response.status_code not in expect:
                error = f"{method} {path.split('?')[0]} {response.status_code}"
        except requests.RequestException as exc:
            response, error = None, f"{method} {path} {type(exc).__name__}"
        stats.add(time.perf_counter() - start, error, report)
        return response if error is None else None

    def csrf(self):
        return self.session.cookies.get("csrftoken", "")

    def login(self, stats):
        if self.call(stats, "GET", "/accounts/login/") is None:
            return False
        response = self.call(stats, "POST", "/accounts/login/", expect=(302,), data={
            "login": self.info["username"], "password": PASSWORD,
            "csrfmiddlewaretoken": self.csrf()})
        return response is not None

    def report_incident(self, stats, n):
        if self.call(stats, "GET", "/incidents/new/", report=True) is None:
            return
        now = datetime.datetime.now().strftime("%Y-%m-%dT%H:%M")
        self.call(stats, "POST", "/incidents/new/", report=True, expect=(302,), data={
            "csrfmiddlewaretoken": self.csrf(), "title": f"負荷試験の報告 {n}",
            "description": "USBメモリの紛失（負荷試験）", "occurred_at": now,
            "noticed_at": now, "department": self.info["department"],
            "data_affected": "", "personal_data_suspected": ""})


def run_level(base, ca, users, level, seconds, think):
    """All `level` users sign in at once (the rush), then, once all have, use Mamori for
    `seconds`: the two phases are measured apart."""
    login_stats, mixed_stats = Stats(), Stats()
    ready = threading.Barrier(level + 1)
    signed_in = threading.Barrier(level + 1)
    go = threading.Event()
    deadline = [0.0]

    def simulate(i):
        rng = random.Random(i)
        address = f"10.{i // 250}.{i % 250 + 1}.{rng.randrange(1, 255)}"
        user = User(base, ca, users[i], address)
        ready.wait()
        go.wait()
        ok = user.login(login_stats)
        signed_in.wait()
        n = 0
        while ok and time.perf_counter() < deadline[0]:
            time.sleep(rng.uniform(0, 2 * think))
            roll = rng.random()
            if roll < 0.45:
                user.call(mixed_stats, "GET", rng.choice(PAGES))
            elif roll < 0.85:
                user.call(mixed_stats, "GET", rng.choice(API) + "?limit=20")
            else:
                user.report_incident(mixed_stats, f"{level}-{i}-{n}")
            n += 1
        user.session.close()

    threads = [threading.Thread(target=simulate, args=(i,), daemon=True) for i in range(level)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    go.set()
    signed_in.wait()
    rush = time.perf_counter() - start
    deadline[0] = time.perf_counter() + seconds
    for thread in threads:
        thread.join()
    return login_stats, mixed_stats, rush, time.perf_counter() - deadline[0] + seconds


def print_level(label, level, login, mixed, rush, elapsed):
    login_errors = sum(login.errors.values())
    mixed_errors = sum(mixed.errors.values())
    report_errors = sum(mixed.report_errors.values())
    print(f"{label:<10} users={level:<4} sign-in rush: all in {rush:5.1f} s, "
          f"{len(login.latencies) / rush:5.1f} req/s, p95 {p95(login.latencies) * 1000:6.0f} ms, "
          f"errors {login_errors} | then: {len(mixed.latencies) / elapsed:5.1f} req/s, "
          f"p95 {p95(mixed.latencies) * 1000:6.0f} ms, errors {mixed_errors}, "
          f"incident reports ok {mixed.report_ok} errors {report_errors}", flush=True)
    for name, count in sorted({**login.errors, **mixed.errors, **mixed.report_errors}.items()):
        print(f"{'':<10}   {count:>4} × {name}", flush=True)


def main() -> None:
    levels = [int(x) for x in os.environ.get("BENCH_LEVELS", "50,100,200").split(",")]
    seconds = float(os.environ.get("BENCH_SECONDS", "40"))
    think = float(os.environ.get("BENCH_THINK", "1.0"))
    data_dir = Path(os.environ.get("MAMORI_DATA_DIR") or tempfile.mkdtemp(prefix="mamori-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_"))}
    env.update(MAMORI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="mamori.settings",
               MAMORI_TRUSTED_PROXIES="127.0.0.1", PYTHONPATH=str(ROOT))
    label = "postgresql" if env.get("DATABASE_URL") else "sqlite"
    mamori(env, "demo", stdout=subprocess.DEVNULL)
    users_file = data_dir / "bench-users.json"
    subprocess.run([sys.executable, __file__, "--setup", str(max(levels)), str(users_file)],  # noqa: S603
                   env=env, cwd=ROOT, check=True)
    users = json.loads(users_file.read_text())
    port = free_port()
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115  (open while the server runs)
    server = subprocess.Popen([sys.executable, "-m", "mamori.cli", "serve", "--bind",  # noqa: S603
                               f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit((data_dir / "serve.log").read_text()) from None
                time.sleep(0.5)
        base = f"https://127.0.0.1:{port}"
        ca = data_dir / "tls" / "ca.pem"
        sizing = re.search(r"(?m)^\d+ .*$", (data_dir / "serve.log").read_text())
        print(f"load: {label}, {os.cpu_count()} CPUs, server: "
              f"{sizing.group(0) if sizing else '?'}; {seconds:.0f} s per level, "
              f"think time ~{think} s", flush=True)
        for level in levels:
            login, mixed, rush, elapsed = run_level(base, ca, users, level, seconds, think)
            print_level(label, level, login, mixed, rush, elapsed)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    errors = re.findall(r"(?m)^.*(?:Error|Traceback).*$",
                        (data_dir / "serve.log").read_text())
    print(f"server log: {data_dir / 'serve.log'} ({len(errors)} error lines)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--setup":
        sys.path.insert(0, str(ROOT))
        setup_users(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
