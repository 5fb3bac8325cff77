"""Ten times the company (issue 15): build the data set, then time every page.

    MAMORI_DATA_DIR=/tmp/scale-sqlite .venv/bin/python bench/scale.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mamori_scale .venv/bin/python bench/scale.py

BENCH_SCALE (default 10: 50,000 people, 500 departments, 200,000 assets, 20,000 risks, 20,000
incidents, 5,000,000 change-log entries; 0.05 builds in seconds), BENCH_REUSE=1 (keep a data
set built before into the same place), BENCH_REPEAT (default 20 timed runs per page),
BENCH_PAGE_BUDGET (default 10: seconds of timed runs per page, after which fewer runs are
kept), BENCH_QUERY_TIMEOUT (seconds after which a query is stopped and its page reported as
such; default 0, never), BENCH_PHASES (default "load,stats": right after the bulk load
with no planner statistics, then after mamori.core.dbstats.refresh()), BENCH_ONLY (time only
the pages whose name contains one of these comma-separated words, e.g. "audits,improvement").

The build is bench/scale_data.py and the pages bench/scale_pages.py. Prints, per phase, a
table of every page (p50, p95, queries, runs) and the pages over goal or not 200. Tests never
assert on these times.
"""

import os
import time

from common import timed  # sets up Django first
from django.core.management import call_command
from django.db import connection

from mamori.core.gcfreeze import freeze_loaded_site

SCALE = float(os.environ.get("BENCH_SCALE", "10"))
REUSE = os.environ.get("BENCH_REUSE") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BUDGET = float(os.environ.get("BENCH_PAGE_BUDGET", "10"))
PHASES = os.environ.get("BENCH_PHASES", "load,stats").split(",")
# Only the pages whose name contains one of these (e.g. "audits,improvement"); all if empty.
ONLY = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]
TIMEOUT = float(os.environ.get("BENCH_QUERY_TIMEOUT", "0"))


def admin_client():
    from scale_data import ensure_admin

    from mamori.core.testing import signed_in_client

    admin = ensure_admin()  # made by the build, before the bulk log rows
    return admin, signed_in_client(admin)  # as after password and code


def measure_phase(label: str):
    import scale_pages

    admin, client = admin_client()
    print(f"\n== {label} ({connection.vendor})", flush=True)
    seconds, pages = timed(lambda: scale_pages.enumerate_pages(admin))
    if ONLY:
        pages = [page for page in pages if any(part in page.name for part in ONLY)]
    # As the server does once the site is loaded (mamori.wsgi): full collections then walk
    # only what the requests leave, not the 170,000 objects of Django and the apps.
    freeze_loaded_site()
    scale_pages.limit_queries(TIMEOUT)
    print(f"{len(pages)} pages enumerated in {seconds:.1f} s; up to {REPEAT} runs each, "
          f"{BUDGET:.0f} s per page at most", flush=True)
    print(scale_pages.HEADER, flush=True)
    for page in pages:
        scale_pages.run(page, client, REPEAT, BUDGET)
        print(scale_pages.table_line(page), flush=True)
    print(f"\n-- {label}: summary", flush=True)
    for line in scale_pages.summary(pages):
        print(line, flush=True)
    scale_pages.limit_queries(0)
    return pages


def main():
    import scale_data

    from mamori.core import dbstats

    where = os.environ.get("DATABASE_URL") or os.environ["MAMORI_DATA_DIR"]
    print(f"database: {connection.vendor} at {where}; scale {SCALE}", flush=True)
    call_command("migrate", verbosity=0)
    if REUSE and scale_data.already_built():
        print("reusing the data set built before", flush=True)
    else:
        from mamori.core.models import ChangeLogEntry

        if ChangeLogEntry.objects.exists() and os.environ.get("BENCH_FORCE") != "1":
            raise SystemExit("this database already holds data, and the build adds change-log "
                             "rows that break its chain: give an empty data directory or "
                             "database (or BENCH_FORCE=1)")
        seconds = scale_data.build(SCALE)
        print(f"built in {seconds:.0f} s", flush=True)
    print("rows: " + ", ".join(f"{label} {n:,}" for label, n in scale_data.counts().items()
                                if n), flush=True)
    if "load" in PHASES:
        scale_data.set_autovacuum(False)
        print(scale_data.forget_statistics(), flush=True)
        measure_phase("phase 1: straight after the bulk load, no planner statistics")
    if "stats" in PHASES:
        start = time.perf_counter()
        dbstats.refresh()
        print(f"\nstatistics refreshed (core.dbstats) in {time.perf_counter() - start:.1f} s",
              flush=True)
        measure_phase("phase 2: after the statistics are refreshed")
    scale_data.set_autovacuum(True)


if __name__ == "__main__":
    main()
