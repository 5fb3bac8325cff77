"""Import benchmark: records imported through core.io (the same path as the import page),
created and then updated, at the sizes in BENCH_IMPORT_ROWS (default "2000,20000,100000"):
information assets (issue 15's goal: 5,000 rows/s at 100,000 rows) and people.
BENCH_IMPORT_MODELS="assets,people" picks which.

    python bench/imports.py                              # SQLite in a temporary data directory
    DATABASE_URL=postgres://… python bench/imports.py    # PostgreSQL (the named database)

Prints rows/s for the whole import, how long the write transaction (the only time other
writers wait: SQLite's write lock, PostgreSQL's change-log head row) was held, the number of
queries and the process's peak memory. Tests never assert on these times; this script only
prints them.
"""

import os
import resource
import time

import tablib
from common import report, timed  # sets up Django first
from django.core.management import call_command
from django.db import connection, transaction

SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "2000,20000,100000").split(",")]
MODELS = os.environ.get("BENCH_IMPORT_MODELS", "assets,people").split(",")
ASSET_TYPES = ["information", "application", "system", "hardware", "paper", "service"]


def people_file(stamp, rows, department, suffix=""):
    data = tablib.Dataset(headers=["employee_no", "name", "category", "department", "status",
                                   "email"])
    for i in range(rows):
        data.append([f"I{stamp}-{i}", f"取込 {i}{suffix}", "employee", department.code,
                     "active", f"p{stamp}-{i}@example.com"])
    return data


def assets_file(stamp, rows, departments, custodian, suffix=""):
    data = tablib.Dataset(headers=[
        "code", "name_ja", "name_en", "asset_type", "department", "custodian", "location",
        "status", "confidentiality", "integrity", "availability", "has_personal_info",
        "data_subjects"])
    shift = 1 if suffix else 0  # an update changes the ratings, so the labels change too
    for i in range(rows):
        personal = i % 4 == 0
        data.append([f"A{stamp}-{i}", f"資産 {i}{suffix}", f"Asset {i}{suffix}",
                     ASSET_TYPES[i % len(ASSET_TYPES)], departments[i % len(departments)].code,
                     custodian.employee_no if i % 3 == 0 else "", f"棚 {i % 50}", "in_use",
                     (i + shift) % 3 + 1, i % 3 + 1, (i // 3) % 3 + 1,
                     "true" if personal else "false", str(i % 500 + 1) if personal else ""])
    return data


def run(label, rows, do_import):
    from mamori.core.testing import query_count

    outcome = {}

    def once():
        outcome["result"] = do_import()

    seconds, queries = timed(lambda: query_count(once))
    result = outcome["result"]
    assert result.ok, [str(e) for e in result.errors[:5]]
    assert result.created + result.updated == rows
    report(f"import {rows} {label}", seconds, rows, "row", queries=queries)
    report("  of which the write transaction", result.write_seconds, rows, "row")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"  peak memory of the process so far: {peak} MB", flush=True)


def main():
    from mamori.assets.forms import AssetImportForm
    from mamori.assets.tables import AssetResource
    from mamori.core import io
    from mamori.core.models import User
    from mamori.org.forms import PersonForm
    from mamori.org.models import Department, Person
    from mamori.org.tables import PersonResource

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", flush=True)
    io.MAX_IMPORT_ROWS = max(io.MAX_IMPORT_ROWS, *SIZES)  # a before/after comparison
    admin, _ = User.objects.get_or_create(username="bench-import-admin",
                                          defaults={"system_role": "admin"})
    stamp = time.time_ns()
    with transaction.atomic():
        department = Department.objects.create(code=f"BI{stamp}", name_ja="取込部")
        departments = [department] + [
            Department.objects.create(code=f"BI{stamp}-{d}", name_ja=f"取込部 {d}",
                                      parent=department) for d in range(9)]
        custodian = Person.objects.create(employee_no=f"BIC{stamp}", name="管理 太郎",
                                          department=department)
    for rows in SIZES:
        stamp = time.time_ns()
        for suffix, label in (("", "create"), (" 改", "update")):
            if "assets" in MODELS:
                data = assets_file(stamp, rows, departments, custodian, suffix)
                run(f"assets ({label})", rows, lambda data=data: io.import_dataset(
                    AssetResource(), AssetImportForm, data, admin))
            if "people" in MODELS:
                data = people_file(stamp, rows, department, suffix)
                run(f"people ({label})", rows, lambda data=data: io.import_dataset(
                    PersonResource(), PersonForm, data, admin))


if __name__ == "__main__":
    main()
