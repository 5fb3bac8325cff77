"""What every benchmark script shares: Django set up on a temporary data directory (unless
MAMORI_DATA_DIR or DATABASE_URL say otherwise), and printing figures."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MAMORI_DATA_DIR", tempfile.mkdtemp(prefix="mamori-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
os.environ["MAMORI_HTTPS"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402


def report(name: str, seconds: float, count: int = 1, unit: str = "op", queries=None):
    per = seconds / count if count else 0
    rate = count / seconds if seconds else float("inf")
    extra = f"  queries={queries}" if queries is not None else ""
    print(f"{name:<52} {seconds * 1000:9.1f} ms total  {per * 1000:8.2f} ms/{unit}"
          f"  {rate:9.1f} {unit}/s{extra}", flush=True)


def timed(fn, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return time.perf_counter() - start, result


REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def weighted(rng, choices):
    """One value of (value, weight) pairs, drawn by weight."""
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def batches(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def build_departments(code, divisions, sections_each=6):
    """A root `code`, `divisions` divisions of `sections_each` sections each."""
    from mamori.org.models import Department

    root = Department.objects.create(code=code, name_ja="ベンチ本社",
                                     name_en="Bench head office")
    made_divisions, sections = [], []
    for d in range(divisions):
        division = Department.objects.create(code=f"{root.code}-{d}", name_ja=f"第{d + 1}事業部",
                                             name_en=f"Division {d + 1}", parent=root)
        made_divisions.append(division)
        for s in range(sections_each):
            sections.append(Department.objects.create(
                code=f"{division.code}-{s}", name_ja=f"第{d + 1}事業部 第{s + 1}課",
                name_en=f"Division {d + 1} section {s + 1}", parent=division))
    return root, made_divisions, sections


class Measurement(NamedTuple):
    median: float  # ms
    maximum: float  # ms
    queries: int
    result: object


def measure(label, fn, repeat=REPEAT) -> Measurement:
    """One run counting the queries (it also warms caches), then `repeat` timed runs."""
    from mamori.core.testing import query_count

    queries = query_count(fn)
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    print(f"  {label:<62} median {median:8.1f} ms  max {max(times):8.1f} ms"
          f"  queries={queries}", flush=True)
    return Measurement(median, max(times), queries, result)


def get(client, url, content_type=None):
    """A function fetching `url` that insists on 200 (and the content type, if given)."""
    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if content_type:
            assert response["Content-Type"].startswith(content_type), response["Content-Type"]
        return response
    return fetch


def plain_bulk_create(model, rows, batch_size=2000):
    """Insert without the change log: the model's base manager is Django's plain one, so
    bulk_create writes the rows and nothing else (for builders that add log rows apart)."""
    created = []
    for chunk in batches(rows, 20000):
        with transaction.atomic():
            created.extend(model._base_manager.bulk_create(chunk, batch_size=batch_size))
    return created


LOG_MODELS = ["org.person", "assets.asset", "risks.risk", "incidents.incident",
              "policies.acknowledgement", "controls.evidence", "org.department"]
LOG_ACTORS = [f"user{n:03d}" for n in range(200)] + ["task:snapshot_conformance",
                                                     "command:demo"]
LOG_COLUMNS = ["seq", "at", "actor_id", "actor_name", "source", "request_id", "action",
               "model", "object_id", "object_repr", "before", "after", "prev_hash", "hash"]


def load_log_rows(count, seed=15, batch=20000, object_ids=200000):
    """Add `count` change-log entries straight into the table over the last three years,
    after the newest (bulk rows: the hashes are not computed, so the chain no longer
    verifies: for throwaway benchmark databases). PostgreSQL gets them by COPY."""
    import datetime
    import random

    from django.utils import timezone

    from mamori.core import changelog
    from mamori.core.models import ChangeLogEntry

    table = ChangeLogEntry._meta.db_table
    rng = random.Random(seed)
    start = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    begin = timezone.now() - datetime.timedelta(days=3 * 365)
    step = datetime.timedelta(days=3 * 365) / max(count, 1)
    postgres = connection.vendor == "postgresql"
    # The log's times are in order (core.changelog.entry_time; its day filters rely on it):
    # the entries already there (the demo's, written now) are moved before the bulk rows.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET at = %s WHERE at >= %s",  # noqa: S608
                       [connection.ops.adapt_datetimefield_value(
                           begin - datetime.timedelta(days=1)),
                        connection.ops.adapt_datetimefield_value(begin)])

    def rows(first, last):
        for n in range(first, last):
            seq = start + n + 1
            at = begin + step * n
            yield (seq, at if postgres else connection.ops.adapt_datetimefield_value(at), None,
                   rng.choice(LOG_ACTORS), rng.choice(["ui", "api", "import", "task"]), "bench",
                   rng.choices(["create", "update", "delete"], [30, 65, 5])[0],
                   rng.choice(LOG_MODELS), str(rng.randrange(object_ids)), f"object {n}", None,
                   '{"name": "x"}', "0" * 64, f"{seq:064x}")

    placeholders = ", ".join(["%s"] * len(LOG_COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(LOG_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    for first in range(0, count, batch):
        last = min(first + batch, count)
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                copy_sql = f"COPY {table} ({', '.join(LOG_COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows(first, last):
                        copy.write_row(row)
            else:
                cursor.executemany(sql, list(rows(first, last)))
    # The API counts a list filtered by model, action or source from the tallies: count them
    # as record_many would have (one GROUP BY over the entries).
    changelog.rebuild_tallies()
    return start
