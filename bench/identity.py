"""SCIM provisioning at the company's scale (issue 23): an identity provider creating 50,000
people one POST at a time, as Entra ID's paged initial cycle does, then looking each up and
deactivating a share of them; then an HR master of as many rows compared with the register
(the HR file sync's diff, goal 30 s for 50,000 rows) and applied.

    python bench/identity.py                              # SQLite, temporary data directory
    DATABASE_URL=postgres://… python bench/identity.py    # PostgreSQL (the named database)

The requests go through Django's whole WSGI stack in this process (request signals, middleware,
the SCIM views, the change log), not over a socket; not through Django's test client, whose
per-request signal connections grow its memory. Prints users per second for every 5,000 and the
process's resident memory beside it (flat memory: nothing accumulates per user), and the
queries one create costs. Goal: at least 200 users/s on both databases. BENCH_USERS (50000)
sets the count; BENCH_HR_ONLY=1 skips SCIM and builds the people with bulk inserts instead, to
time the HR file sync alone. Tests never assert on these figures; this script only prints them.
"""

import json
import os
import resource
import time
from urllib.parse import quote

from common import build_departments  # sets up Django first
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext

USERS = int(os.environ.get("BENCH_USERS", "50000"))
STEP = 5000
GOAL_PER_SECOND = 200


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def user(n: int, sections) -> str:
    from mamori.identity.scim import protocol as p

    return json.dumps({
        "schemas": [p.USER, p.ENTERPRISE], "userName": f"user{n:06d}@bench.example.jp",
        "externalId": f"00000000-0000-4000-8000-{n:012d}",
        "name": {"familyName": "利用者", "givenName": f"{n}"}, "displayName": f"利用者 {n}",
        "emails": [{"value": f"user{n:06d}@bench.example.jp", "type": "work",
                    "primary": True}],
        "userType": "employee", "active": True,
        p.ENTERPRISE: {"employeeNumber": f"B{n:06d}", "department": sections[n % len(
            sections)].code},
    })


class Wsgi:
    """Requests handed to the WSGI application as a server would hand them."""

    def __init__(self, token: str):
        self.app, self.token = get_wsgi_application(), token

    def call(self, method: str, path: str, body: str = "") -> tuple[int, bytes]:
        import io
        import sys

        from mamori.identity.scim import protocol as p

        path, _, query = path.partition("?")
        data = body.encode()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr,
            "CONTENT_TYPE": p.MEDIA_TYPE, "CONTENT_LENGTH": str(len(data)),
            "HTTP_HOST": "testserver", "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "REMOTE_ADDR": "127.0.0.1"}
        status = []
        chunks = self.app(environ, lambda line, headers, *args: status.append(line))
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return int(status[0].split()[0]), content


def main():
    from mamori.identity.models import ScimClient
    from mamori.identity.scim import protocol as p

    call_command("migrate", verbosity=0)
    _root, _divisions, sections = build_departments("SCIMB", 10, 10)
    if os.environ.get("BENCH_HR_ONLY") == "1":
        from mamori.org.models import Person

        Person.objects.bulk_create(
            [Person(employee_no=f"B{n:06d}", name=f"利用者 {n}", category="employee",
                    department=sections[n % len(sections)]) for n in range(USERS)],
            batch_size=2000)
        hr_master(sections)
        return
    _client, token = ScimClient.issue("bench")
    client = Wsgi(token)

    def post(n):
        status, content = client.call("POST", "/scim/v2/Users", user(n, sections))
        assert status == 201, content

    with CaptureQueriesContext(connection) as queries:
        post(0)
    print(f"{connection.vendor}: one create costs {len(queries)} queries", flush=True)
    start = step_start = time.perf_counter()
    slowest = float("inf")
    for n in range(1, USERS):
        post(n)
        if n % STEP == 0:
            now = time.perf_counter()
            rate = STEP / (now - step_start)
            slowest = min(slowest, rate)
            print(f"  {n:>6} users  {rate:7.1f} users/s over the last {STEP}  "
                  f"RSS {rss_mb():7.1f} MB", flush=True)
            step_start = now
    total = time.perf_counter() - start
    overall = (USERS - 1) / total
    print(f"created {USERS} users in {total:.1f} s: {overall:.1f} users/s "
          f"(slowest {STEP}: {slowest:.1f}/s); goal {GOAL_PER_SECOND}/s"
          f"{'' if overall >= GOAL_PER_SECOND else '  OVER GOAL'}", flush=True)

    # The lookups an identity provider makes before changing someone, and deactivations.
    lookups = min(USERS, 2000)
    start = time.perf_counter()
    ids = []
    for n in range(lookups):
        query = quote(f'userName eq "user{n:06d}@bench.example.jp"')
        _status, content = client.call("GET", f"/scim/v2/Users?filter={query}")
        ids.append(json.loads(content)["Resources"][0]["id"])
    took = time.perf_counter() - start
    print(f"looked up {lookups} users by userName: {lookups / took:.1f}/s", flush=True)
    start = time.perf_counter()
    ended = ids[:1000]
    for scim_id in ended:
        status, content = client.call("PATCH", f"/scim/v2/Users/{scim_id}", json.dumps({
            "schemas": [p.PATCH], "Operations": [{"op": "Replace", "value": {"active": False}}]}))
        assert status == 200, content
    took = time.perf_counter() - start
    print(f"deactivated {len(ended)} users: {len(ended) / took:.1f}/s", flush=True)
    hr_master(sections)


def hr_master(sections):
    """The HR file sync at this scale: everyone in the file, 1% moved to another section,
    1% gone, 1% new."""
    import tablib

    from mamori.core.models import User
    from mamori.identity import hrsync
    from mamori.org.models import Person

    people = list(Person.objects.select_related("department").exclude(
        status=Person.Status.LEFT).order_by("employee_no"))
    data = tablib.Dataset(headers=["employee_no", "name", "email", "category", "department"])
    for n, person in enumerate(people):
        if n % 100 == 1:
            continue  # a leaver
        department = person.department.code if person.department else ""
        if n % 100 == 2:
            department = sections[(n + 1) % len(sections)].code  # a mover
        data.append([person.employee_no, person.name, person.email, person.category or
                     "employee", department])
    for n in range(len(people) // 100):
        data.append([f"N{n:06d}", f"新入 {n}", "", "employee", sections[n % len(sections)].code])
    content = data.export("csv").encode()
    admin = User.objects.create_user("bench-admin", system_role=User.SystemRole.ADMIN)
    start = time.perf_counter()
    plan = hrsync.plan(hrsync.read("hr.csv", content))
    took = time.perf_counter() - start
    print(f"HR diff of {len(data)} rows: {took:.1f} s ({len(plan.joiners)} joiners, "
          f"{len(plan.movers)} movers, {len(plan.leavers)} leavers, {len(plan.errors)} errors);"
          f" goal 30 s{'' if took <= 30 else '  OVER GOAL'}", flush=True)
    start = time.perf_counter()
    sync, _plan = hrsync.preview("hr.csv", content, admin)
    print(f"HR preview (diff and keeping the file): {time.perf_counter() - start:.1f} s",
          flush=True)
    start = time.perf_counter()
    applied = hrsync.apply(sync, admin)
    print(f"HR apply: {time.perf_counter() - start:.1f} s, {len(applied.errors)} errors",
          flush=True)


if __name__ == "__main__":
    main()
