"""Change-log benchmark: the change-log page and API at millions of entries (issue 15).

    .venv/bin/python bench/changelog.py                  # SQLite in a temporary data directory
    DATABASE_URL=postgres://… .venv/bin/python bench/changelog.py   # PostgreSQL (a fresh DB)

Adds BENCH_LOG_ENTRIES entries (default 1,000,000) straight into the table (bulk inserts: the
page's speed does not depend on the hashes, so the chain is not computed and this database's
log will not verify: use a throwaway database). Then, right after the load and again after
the planner statistics are refreshed (core.dbstats), measures as an auditor: the newest page,
a page in the middle, the oldest page, each filter, and the API's first page, a walk by
`before_seq` and its total. Prints median and maximum milliseconds and the queries of each;
tests never assert on these times.
"""

import datetime
import os

from common import get, load_log_rows, measure  # sets up Django first
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

ENTRIES = int(os.environ.get("BENCH_LOG_ENTRIES", "1000000"))
def measure_pages(client, api, label):
    from mamori.core.models import ChangeLogEntry

    newest = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    middle = newest // 2
    print(f"{label}:", flush=True)
    pages = {
        "newest page": "/changelog/",
        "page in the middle (before=N/2)": f"/changelog/?before={middle}",
        "oldest page": "/changelog/?after=0",
        "filter: model": "/changelog/?model=incidents.incident",
        "filter: model, in the middle": f"/changelog/?model=incidents.incident&before={middle}",
        "filter: action delete": "/changelog/?action=delete",
        "filter: actor": "/changelog/?actor=user042",
        "filter: source": "/changelog/?source=import",
        "filter: a day a year ago": "/changelog/?since={0}&until={0}".format(
            (timezone.localdate() - datetime.timedelta(days=365)).isoformat()),
        "filter: model and object": "/changelog/?model=assets.asset&object_id=4242",
    }
    for name, url in pages.items():
        measure(name, get(client, url))
    measure("API first page (count from the numbers)", get(api, "/api/changelog/?limit=50"))
    measure("API walk: before_seq=N/2", get(api, f"/api/changelog/?before_seq={middle}&limit=50"))
    measure("API filtered by model (count from the tallies)",
            get(api, "/api/changelog/?model=incidents.incident&limit=50"))
    measure("API filtered by action (count from the tallies)",
            get(api, "/api/changelog/?action=delete&limit=50"))
    measure("API filtered by model and action, at offset 5,000",
            get(api, "/api/changelog/?model=incidents.incident&action=update&limit=50"
                     "&offset=5000"))
    measure("API filtered by actor (counted)", get(api, "/api/changelog/?actor=user042&limit=50"))


def main():
    from mamori.core import dbstats
    from mamori.core.models import User
    from mamori.core.testing import api_client, signed_in_client

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, adding {ENTRIES:,} change-log entries", flush=True)
    auditor, _ = User.objects.get_or_create(username="bench-log-auditor",
                                            defaults={"system_role": "auditor"})
    # Signed in before the load: the bulk rows leave the chain's head behind, and Mamori
    # refuses to append to a chain that does not verify at its head (core.changelog).
    client, api = signed_in_client(auditor), api_client(auditor)
    started = timezone.now()
    load_log_rows(ENTRIES)
    print(f"loaded in {(timezone.now() - started).total_seconds():.0f} s", flush=True)
    measure_pages(client, api, "straight after the load")
    dbstats.refresh()
    measure_pages(client, api, "after the statistics are refreshed")


if __name__ == "__main__":
    main()
