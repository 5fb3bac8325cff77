"""Training at ten times the company (issue 18): 50,000 people, 40 programmes, 2,000,000
assignments.

    MAMORI_DATA_DIR=/tmp/training-sqlite .venv/bin/python bench/training.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_training \
        .venv/bin/python bench/training.py

Builds (or reuses, when this database holds it already) the data set: `mamori demo`, the
scale departments and people of bench/scale_data.py and its training data (courses with
questions, sessions, 40 programmes, assignments, completions, quiz attempts). A data set
already built by bench/scale.py is used as it is (its training data added if missing). Then prints:

(a) the time to generate the assignments of a NEW programme for the whole population with
    `training.assign.sync_programme` (the real code path, every assignment logged), with the
    RSS growth, and with BENCH_TRACEMALLOC=1 the tracemalloc peak of the last run (tracemalloc
    slows that run several times over: its time is not the figure); each new programme is
    removed afterwards;
(b) a second sync of the same programme (nothing to do);
(c) the coverage page and the training list pages (default, each filter, each sort, page
    50, last page) and detail pages, p50/p95 and queries, as the CISO and as an information manager;
(d) the `training.*` conformance checks together.

BENCH_SCALE (default 10), BENCH_REPEAT (default 20 runs a page), BENCH_PAGE_BUDGET (seconds a
page, default 5), BENCH_SYNC_RUNS (default 2 new programmes), BENCH_PROFILE=1 (cProfile of the
first sync, the 25 costliest functions), BENCH_PARTS (default "sync,pages,checks"),
BENCH_ONLY (pages whose name contains one of these words), BENCH_USERS (default
"ciso,manager"). Tests never assert on these times.
"""

import datetime
import os
import resource
import time
import tracemalloc

from common import timed  # sets up Django first
from django.core.management import call_command
from django.db import connection, transaction

SCALE = float(os.environ.get("BENCH_SCALE", "10"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BUDGET = float(os.environ.get("BENCH_PAGE_BUDGET", "5"))
SYNC_RUNS = int(os.environ.get("BENCH_SYNC_RUNS", "2"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"
ONLY = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]

GOAL_SYNC_S = {"postgresql": 60, "sqlite": 120}
GOAL_COVERAGE_MS = 500
GOAL_CHECKS_MS = 200


def build():
    """The company's people and their training; the rest of bench/scale.py's data is left
    out (it does not change these figures and takes long to build)."""
    import scale_data

    from mamori.training.models import Programme

    call_command("migrate", verbosity=0)
    builder = scale_data.Builder(SCALE)
    if scale_data.already_built():
        from mamori.training.models import Assignment

        wanted = scale_data.sizes(SCALE)["assignments"]
        if (Programme.objects.filter(code__startswith="BENCH-P").exists()
                and Assignment.objects.count() >= 0.95 * wanted):
            print("reusing the data set built before", flush=True)
            return
        # Each step adds only what is missing: a build stopped half way goes on.
        print("adding the training data to the data set built before", flush=True)
        steps = [("training", builder.build_training)]
    else:
        from mamori.core.models import ChangeLogEntry

        if ChangeLogEntry.objects.exists() and os.environ.get("BENCH_FORCE") != "1":
            raise SystemExit("this database already holds data: give an empty data directory "
                             "or database (or BENCH_FORCE=1)")
        scale_data.set_autovacuum(False)
        seconds, _ = timed(lambda: call_command("demo", verbosity=0))
        print(f"  demo loaded in {seconds:.1f} s", flush=True)
        steps = [("departments", builder.build_departments), ("people", builder.build_people),
                 ("training", builder.build_training),
                 ("the benchmark's system admin", scale_data.ensure_admin)]
    for label, step in steps:
        seconds, _ = timed(step)
        print(f"  built {label} in {seconds:.1f} s", flush=True)
    from mamori.core import dbstats

    seconds, _ = timed(dbstats.refresh)
    print(f"  statistics refreshed in {seconds:.1f} s", flush=True)
    scale_data.set_autovacuum(True)


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def new_programme(n: int):
    """A new yearly programme for everyone the policy binds, as the CISO would add it."""
    from mamori.org.models import Person
    from mamori.training.models import Course, Programme

    course = Course.objects.get(code="ISMS-BASIC")
    with transaction.atomic():
        return Programme.objects.create(
            code=f"BENCH-NEW-{n}-{int(time.time())}", title_ja="新しい研修計画",
            title_en="A new programme", course=course, recurrence=Programme.Recurrence.YEARLY,
            due_days=60, categories=[str(c) for c in Person.POLICY_SCOPE],
            starts_on=datetime.date.today() - datetime.timedelta(days=30))


def remove(programme) -> None:
    """The bench's new programme and its assignments, without the log (a throwaway row)."""
    from mamori.training.models import Assignment

    with transaction.atomic():  # raw DELETEs: a delete() would log each row (and slowly)
        Assignment._base_manager.filter(programme=programme)._raw_delete("default")
        type(programme).departments.through.objects.filter(
            programme=programme)._raw_delete("default")
        type(programme)._base_manager.filter(pk=programme.pk)._raw_delete("default")


def measure_sync():
    from mamori.core.context import Actor, acting_as
    from mamori.core.models import ChangeLogEntry
    from mamori.org.models import Person
    from mamori.training import assign

    people = Person.objects.exclude(status=Person.Status.LEFT).count()
    print(f"\n== (a) sync_programme of a new programme ({connection.vendor}; {people:,} people "
          f"not left; chunk {assign.CHUNK}; goal {GOAL_SYNC_S[connection.vendor]} s)",
          flush=True)
    for n in range(SYNC_RUNS):
        with acting_as(Actor(None, "bench", "command")):
            programme = new_programme(n)
            logged = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
            traced = TRACE and n == SYNC_RUNS - 1
            profile = None
            if PROFILE and n == 0:
                import cProfile

                profile = cProfile.Profile()
            before_rss, before_peak = rss_kb(), resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss
            if traced:
                tracemalloc.start()
            start = time.perf_counter()
            if profile:
                profile.enable()
            counts = assign.sync_programme(programme)
            if profile:
                profile.disable()
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] if traced else None
            if traced:
                tracemalloc.stop()
            after_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            entries = ChangeLogEntry.objects.filter(seq__gt=logged).count()
            note = (f"tracemalloc peak {peak / 2**20:.1f} MiB (time slowed by tracemalloc)"
                    if traced else "")
            print(f"  run {n + 1}: {seconds:6.1f} s  {counts}  log entries {entries:,}  "
                  f"RSS {before_rss / 1024:.0f} -> {rss_kb() / 1024:.0f} MiB, peak RSS grew "
                  f"{max(0, after_peak - before_peak) / 1024:.0f} MiB  {note}", flush=True)
            start = time.perf_counter()
            again = assign.sync_programme(programme)
            print(f"  (b) second sync, nothing to do: {time.perf_counter() - start:6.2f} s  "
                  f"{again}", flush=True)
            if profile:
                import pstats

                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            remove(programme)


def pages_for(user):
    """The coverage page, the training lists (default, each filter, each sort, page 50, the
    last page) and one detail page of each model."""
    import math

    from django.urls import reverse
    from django.utils.http import urlencode
    from scale_pages import Page, detail_views, filter_value, list_views, richest, visible

    from mamori.training.models import Programme

    pages = []
    programme = (Programme.objects.filter(code__startswith="BENCH-P").order_by("pk")
                 .values_list("pk", flat=True).first())
    url = reverse("training:coverage")
    pages.append(Page("report", "training:coverage", url, goal=GOAL_COVERAGE_MS))
    pages.append(Page("report", f"training:coverage programme={programme}",
                      f"{url}?programme={programme}", goal=GOAL_COVERAGE_MS))
    for name, view in list_views().items():
        if not name.startswith("training:"):
            continue
        base, rows = reverse(name), visible(view.model, user)
        pages.append(Page("list", f"{name} default", base))
        for filter_name, filter_ in (view.filterset_class.base_filters.items()
                                     if view.filterset_class else []):
            value = filter_value(view.model, rows, filter_name, filter_)
            pages.append(Page("list", f"{name} filter {filter_name}={value}",
                              f"{base}?{urlencode({filter_name: value})}"))
        for column in view.table_class.columns if view.table_class else []:
            if column.sortable:
                pages.append(Page("list", f"{name} sort {column.field}",
                                  f"{base}?{urlencode({'sort': column.field})}"))
        per_page = view.table_class.per_page if view.table_class else 50
        last = max(1, math.ceil(rows.count() / per_page))
        pages.append(Page("list", f"{name} page 50", f"{base}?page=50"))
        pages.append(Page("list", f"{name} last page ({last})", f"{base}?page={last}"))
    chosen = {}
    for name, view in detail_views().items():
        if not name.startswith("training:"):
            continue
        model = view.model
        if model not in chosen:
            chosen[model] = visible(model, user).filter(pk=richest(model)).values_list(
                "pk", flat=True).first() or visible(model, user).order_by("pk").values_list(
                "pk", flat=True).first()
        if chosen[model] is not None:
            pages.append(Page("detail", f"{name} #{chosen[model]}",
                              reverse(name, args=[chosen[model]])))
    return pages


def measure_pages():
    import scale_pages

    from mamori.core.models import User
    from mamori.core.testing import signed_in_client

    for username in os.environ.get("BENCH_USERS", "ciso,manager").split(","):
        user = User.objects.get(username=username)
        client = signed_in_client(user)
        pages = [page for page in pages_for(user)
                 if not ONLY or any(part in page.name for part in ONLY)]
        print(f"\n== (c) training pages as {username} ({connection.vendor}): {len(pages)} pages, "
              f"up to {REPEAT} runs each", flush=True)
        print(scale_pages.HEADER, flush=True)
        for page in pages:
            scale_pages.run(page, client, REPEAT, BUDGET)
            print(scale_pages.table_line(page), flush=True)
        for line in scale_pages.summary(pages):
            print(line, flush=True)


def measure_checks():
    import scale_pages

    from mamori.core import conformance

    checks = [c for c in conformance.checks() if c.code.startswith("training.")]
    print(f"\n== (d) the training.* checks ({connection.vendor}): "
          f"{', '.join(c.code for c in checks) or 'none registered yet'}", flush=True)
    pages = [scale_pages.Page("check", c.code, call=c.function, goal=GOAL_CHECKS_MS)
             for c in checks]
    pages.append(scale_pages.Page("check", "training.* together",
                                  call=lambda: [c.function() for c in checks],
                                  goal=GOAL_CHECKS_MS))
    print(scale_pages.HEADER, flush=True)
    for page in pages:
        scale_pages.run(page, None, REPEAT, BUDGET)
        print(scale_pages.table_line(page), flush=True)


def main():
    from mamori.core.gcfreeze import freeze_loaded_site

    where = os.environ.get("DATABASE_URL") or os.environ["MAMORI_DATA_DIR"]
    print(f"database: {connection.vendor} at {where}; scale {SCALE}", flush=True)
    seconds, _ = timed(build)
    print(f"ready in {seconds:.0f} s", flush=True)
    from scale_data import counts

    print("rows: " + ", ".join(f"{label} {n:,}" for label, n in counts().items()
                                if label.startswith(("training.", "org.person"))), flush=True)
    freeze_loaded_site()
    parts = os.environ.get("BENCH_PARTS", "sync,pages,checks").split(",")
    if "sync" in parts:
        measure_sync()
    if "pages" in parts:
        measure_pages()
    if "checks" in parts:
        measure_checks()


if __name__ == "__main__":
    main()
