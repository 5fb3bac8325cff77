"""Mamori benchmarks: print figures for the foundation's hot paths.

    make bench                       # SQLite in a temporary data directory
    DATABASE_URL=postgres://… make bench   # PostgreSQL (uses the named database; data is added)

Measures the change-log append rate, chain verification, the people list page and API, the
conformance evaluation and a CSV import, at a size given by BENCH_PEOPLE (default 10,000).
Tests never assert on these times; this script only prints them.
"""

import os
import time

from common import report, timed  # sets up Django first
from django.core.management import call_command
from django.db import connection, transaction

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "10000"))


def main():
    from mamori.core import conformance
    from mamori.core.changelog import verify
    from mamori.core.models import ChangeLogEntry, User
    from mamori.core.testing import query_count, signed_in_client
    from mamori.org.models import Appointment, Department, Person

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; people: {PEOPLE}", flush=True)

    with transaction.atomic():
        root = Department.objects.create(code=f"B{time.time_ns()}", name_ja="ベンチ本部")
    departments = []
    seconds, _ = timed(lambda: departments.extend(
        Department.objects.create(code=f"{root.code}-{i}", name_ja=f"部署{i}", parent=root)
        for i in range(200)))
    report("create department via save() (+1 log entry)", seconds, 200, "row")

    stamp = time.time_ns()
    batch = [Person(employee_no=f"{stamp}-{i}", name=f"従業者 {i}", category="employee",
                    department=departments[i % len(departments)]) for i in range(PEOPLE)]
    seconds, _ = timed(lambda: Person.objects.bulk_create(batch, batch_size=1000))
    report("bulk_create people (+1 log entry each)", seconds, PEOPLE, "row")

    entries = ChangeLogEntry.objects.count()
    seconds, verdict = timed(verify)
    assert verdict.ok, verdict.problem
    report(f"verify chain ({entries} entries)", seconds, entries, "entry")

    admin, _ = User.objects.get_or_create(username=f"bench-{stamp}",
                                          defaults={"system_role": "admin"})
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(admin, generate_totp_secret())
    client = signed_in_client(admin)  # as after password and code
    client.get("/org/people/")
    for label, url in [("people list page (page 1 of all)", "/org/people/"),
                       ("people list page, sorted by department", "/org/people/?sort=department"),
                       ("people list page, search filter", "/org/people/?q=従業者%201"),
                       ("people API list (limit 50)", "/api/org/people/"),
                       ("dashboard (all conformance checks)", "/dashboard/")]:
        queries = query_count(lambda url=url: client.get(url))
        seconds, response = timed(lambda url=url: client.get(url), repeat=10)
        assert response.status_code == 200, (url, response.status_code)
        report(label, seconds, 10, "req", queries=queries)

    seconds, _ = timed(lambda: client.get("/org/people/?export=csv"))
    report(f"people CSV export ({Person.objects.count()} rows)", seconds, 1, "export")

    seconds, _ = timed(lambda: conformance.evaluate(conformance.SYSTEM), repeat=5)
    report("conformance.evaluate()", seconds, 5, "run")

    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["employee_no", "name", "category", "department", "status"])
    for i in range(1000):
        writer.writerow([f"I{stamp}-{i}", f"取込 {i}", "employee", departments[0].code, "active"])
    upload = SimpleUploadedFile("people.csv", buffer.getvalue().encode(), "text/csv")
    seconds, response = timed(lambda: client.post("/org/people/import/", {"file": upload}))
    assert response.status_code == 302, response.status_code
    report("CSV import of 1,000 people (all-or-nothing)", seconds, 1000, "row")
    assert Appointment.objects.count() >= 0


if __name__ == "__main__":
    main()
