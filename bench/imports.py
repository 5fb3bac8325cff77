"""Import benchmark: people imported through core.io (the same path as the import page), at
2,000 and 20,000 rows (BENCH_IMPORT_ROWS="2000,20000"), created and then updated.

    python bench/imports.py                              # SQLite in a temporary data directory
    DATABASE_URL=postgres://… python bench/imports.py    # PostgreSQL (the named database)

Prints rows/s for the whole import and how long the write transaction (the only time other
writers wait: SQLite's write lock, PostgreSQL's change-log head row) was held. Tests never
assert on these times; this script only prints them.
"""

import os
import time

import tablib
from common import report, timed  # sets up Django first
from django.core.management import call_command
from django.db import connection, transaction

SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "2000,20000").split(",")]


def people_file(stamp, rows, department, suffix=""):
    data = tablib.Dataset(headers=["employee_no", "name", "category", "department", "status",
                                   "email"])
    for i in range(rows):
        data.append([f"I{stamp}-{i}", f"取込 {i}{suffix}", "employee", department.code,
                     "active", f"p{stamp}-{i}@example.com"])
    return data


def main():
    from mamori.core import io
    from mamori.core.models import User
    from mamori.org.forms import PersonForm
    from mamori.org.models import Department
    from mamori.org.tables import PersonResource

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    admin, _ = User.objects.get_or_create(username="bench-import-admin",
                                          defaults={"system_role": "admin"})
    with transaction.atomic():
        department = Department.objects.create(code=f"BI{time.time_ns()}", name_ja="取込部")
    for rows in SIZES:
        stamp = time.time_ns()
        for label, suffix in (("create", ""), ("update", " 改")):
            data = people_file(stamp, rows, department, suffix)
            seconds, result = timed(lambda data=data: io.import_dataset(
                PersonResource(), PersonForm, data, admin))
            assert result.ok, [str(e) for e in result.errors[:5]]
            assert result.created + result.updated == rows
            report(f"import {rows} people ({label})", seconds, rows, "row")
            report(f"  of which the write transaction ({label})", result.write_seconds, rows,
                   "row")


if __name__ == "__main__":
    main()
