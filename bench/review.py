"""Measures and management reviews at ten times the company (issue 22).

    MAMORI_DATA_DIR=/tmp/review-sqlite .venv/bin/python bench/review.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_review .venv/bin/python bench/review.py

Builds (or reuses, when this database holds it already) the data set of bench/scale.py
(bench/scale_data.py: `mamori demo` and the company grown BENCH_SCALE times, 500 more
departments at 10, with its bulk change log), then adds BENCH_YEARS (10) years of monthly
values of every built-in measure before the current period, for the company, every
department and every category its calculation gives (rows without the change log: a
throwaway database). Then prints:

(1) each built-in measure's calculation and `calculators.compute_all()`, p50/p95 and
    queries; `calculators.record()` of the current period (the first run of the month
    writes every value; a second finds nothing changed), goal 2 s;
(2) `workflow.freeze` of a new management review, as the CISO (BENCH_FREEZE_RUNS runs, a new
    review each), with `pack.build` on its own and the pack's size, goal 5 s;
(3) the history page of the measure with the most values (review:measure_detail: the
    company's series, one department's, a deep page of its table), goal 200 ms; the
    measures dashboard, every review list page (default, each filter, each sort, page 50,
    the last page), API list and detail page, goal 100 ms; a frozen review's page with its
    pack and the pack as XLSX (2 s) and PDF (10 s); the preview of a review in preparation
    (for the CISO: the pack built as freezing would, 5 s); the review.* checks (200 ms), as the CISO
    and as an information manager (BENCH_USERS); with, for reference, an older list page of
    20,000 rows timed in the same run.

The bulk change log rows leave the chain unverifiable; the checkpoint is signed again at its
new head so that record() and freeze() can append (a throwaway database, as bench/scale.py
says). BENCH_SCALE (10), BENCH_REPEAT (20 runs a page), BENCH_PAGE_BUDGET (5 s a page),
BENCH_PARTS (default "record,freeze,pages"), BENCH_ONLY (pages whose name holds one of these
words), BENCH_PROFILE=1 (cProfile of the first pack.build and freeze, the 30 costliest
functions). Tests never assert on these times; this script only prints them.
"""

import datetime
import json
import os
import random
import time
from decimal import Decimal

from common import plain_bulk_create, timed  # sets up Django first
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

SCALE = float(os.environ.get("BENCH_SCALE", "10"))
YEARS = int(os.environ.get("BENCH_YEARS", "10"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BUDGET = float(os.environ.get("BENCH_PAGE_BUDGET", "5"))
FREEZE_RUNS = int(os.environ.get("BENCH_FREEZE_RUNS", "3"))
PARTS = os.environ.get("BENCH_PARTS", "record,freeze,pages").split(",")
ONLY = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]
PROFILE = os.environ.get("BENCH_PROFILE") == "1"

GOAL_RECORD_MS = 2000
GOAL_FREEZE_MS = 5000
GOAL_HISTORY_MS = 200
GOAL_PAGE_MS = 100
GOAL_CHECK_MS = 200
GOAL_XLSX_MS = 2000
GOAL_PDF_MS = 10000
CHUNK = 20000


def build():
    import scale_data

    from mamori.core import dbstats
    from mamori.core.models import ChangeLogEntry

    call_command("migrate", verbosity=0)
    built = not scale_data.already_built()
    if not built:
        print("reusing the scale data set built before", flush=True)
    else:
        if ChangeLogEntry.objects.exists() and os.environ.get("BENCH_FORCE") != "1":
            raise SystemExit("this database already holds data, and the build adds change-log "
                             "rows that break its chain: give an empty data directory or "
                             "database (or BENCH_FORCE=1)")
        seconds = scale_data.build(SCALE)
        print(f"  scale data set built in {seconds:.0f} s", flush=True)
    sign_head()
    seconds, made = timed(build_history)
    print(f"  measurement history: {made:,} rows added in {seconds:.1f} s", flush=True)
    if built or made:
        seconds, _ = timed(dbstats.refresh)
        print(f"  statistics refreshed in {seconds:.1f} s", flush=True)
    scale_data.set_autovacuum(True)


def sign_head():
    """Sign the checkpoint again at the newest entry, so that audited writes go on after the
    bulk log rows (which carry no real hashes: the chain of this database does not verify)."""
    from mamori.core.changelog import checkpoint_mac
    from mamori.core.models import ChainCheckpoint, ChangeLogEntry

    seq, head = ChangeLogEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    ChainCheckpoint.objects.filter(pk=1).update(seq=seq, head_hash=head,
                                                mac=checkpoint_mac(seq, head))


def build_history() -> int:
    """YEARS years of values before the current period for every series the calculations
    give now (measure, department or company, category), wandering around today's value;
    the periods a series has already (the demo's two years) are left as they are."""
    from mamori.core.dates import add_months
    from mamori.review import calculators
    from mamori.review.models import Measure, Measurement
    from mamori.review.models.measures import MONTHS_OF, period_start

    today = timezone.localdate()
    oldest = add_months(period_start(today, "monthly"), -(YEARS * 12 - 1))
    if Measurement.objects.filter(period__lte=oldest).exists():
        return 0
    rng = random.Random(22)
    seconds, values = timed(calculators.compute_all)
    print(f"  compute_all (cold, for the series to fill) in {seconds:.1f} s", flush=True)
    made, rows = 0, []
    for measure in Measure.objects.exclude(builtin="").filter(active=True):
        step = MONTHS_OF[measure.frequency]
        current = period_start(today, measure.frequency)
        stored = set(Measurement.objects.filter(measure=measure).values_list(
            "department_id", "category", "period"))
        for value in values.get(measure.builtin, []):
            if value.department_id is not None and not measure.by_department:
                continue
            for back in range(1, YEARS * 12 // step):
                period = add_months(current, -back * step)
                if (value.department_id, value.category, period) in stored:
                    continue
                rows.append(Measurement(
                    measure=measure, period=period, department_id=value.department_id,
                    category=value.category, value=wander(rng, value.value, measure.unit),
                    computed=True, measured_at=timezone.make_aware(datetime.datetime.combine(
                        add_months(period, step) - datetime.timedelta(days=1),
                        datetime.time(23, 30)))))
                if len(rows) >= CHUNK:
                    made += len(plain_bulk_create(Measurement, rows))
                    rows = []
    return made + len(plain_bulk_create(Measurement, rows))


def wander(rng, value: Decimal, unit: str) -> Decimal:
    if unit == "percent":
        return max(Decimal(0), min(Decimal(100), value + rng.randint(-1500, 500) / Decimal(100)))
    if unit == "count":
        return Decimal(rng.randint(0, int(value) + 3))
    return (value * Decimal(rng.randint(50, 200)) / 100).quantize(Decimal("0.01"))


def counted(fn):
    """(seconds, queries, result) of one run of `fn`."""
    from mamori.core.testing import query_count

    result = []
    start = time.perf_counter()
    queries = query_count(lambda: result.append(fn()))
    return time.perf_counter() - start, queries, result[0]


def say_over(label: str, seconds: float, goal_ms: int, extra: str = "") -> None:
    over = " OVER" if seconds * 1000 > goal_ms else ""
    print(f"  {label:<64} {seconds * 1000:9.1f} ms  (goal {goal_ms} ms){over}  {extra}",
          flush=True)


def measure_record():
    import scale_pages

    from mamori.core.context import Actor, acting_as
    from mamori.review import calculators
    from mamori.review.models import Measure, Measurement

    today = timezone.localdate()
    frequencies = dict(Measure.objects.exclude(builtin="").values_list("builtin", "frequency"))
    print(f"\n== (1) the built-in measures ({connection.vendor}; "
          f"{Measurement.objects.count():,} measurements stored)", flush=True)
    pages = [scale_pages.Page(
        "check", f"compute {key}",
        call=lambda d=definition, k=key: list(d.compute(today, frequencies.get(k, "monthly"))),
        goal=GOAL_RECORD_MS) for key, definition in calculators.BUILTINS.items()]
    pages.append(scale_pages.Page("check", "calculators.compute_all()",
                                  call=calculators.compute_all, goal=GOAL_RECORD_MS))
    print(scale_pages.HEADER, flush=True)
    for page in pages:
        scale_pages.run(page, None, min(REPEAT, 5), BUDGET)
        print(scale_pages.table_line(page), flush=True)
    with acting_as(Actor(None, "bench", "command")):
        # The first run of a period writes its values (not so on a database measured before).
        for label in ("record(), first run", "record(), second run"):
            seconds, queries, written = counted(lambda: calculators.record(today))
            say_over(f"calculators.{label}", seconds, GOAL_RECORD_MS,
                     f"{written:,} rows written, {queries} queries")


def new_review(n: int):
    from django.db import transaction

    from mamori.org.models import Appointment, Person
    from mamori.review.models import ManagementReview

    chair = Person.objects.filter(category="officer", status="active").order_by("pk").first()
    managers = Appointment.objects.current().filter(
        role=Appointment.Role.INFORMATION_MANAGER).values_list("person_id", flat=True)[:8]
    with transaction.atomic():
        review = ManagementReview.objects.create(
            title=f"ベンチ マネジメントレビュー {n}", chair=chair,
            held_on=timezone.localdate() + datetime.timedelta(days=14),
            feedback="ベンチの利害関係者からの意見。", opportunities="ベンチの改善の機会。")
        review.attendees.set(list(managers))
    return review


def measure_freeze():
    from mamori.core.context import acting_as, actor_for_user
    from mamori.core.models import User
    from mamori.review import pack, workflow

    ciso = User.objects.get(username="ciso")
    print(f"\n== (2) freezing a management review's inputs ({connection.vendor}; "
          f"{FREEZE_RUNS} runs, a new review each)", flush=True)
    with acting_as(actor_for_user(ciso, "command")):
        for n in range(FREEZE_RUNS):
            review = new_review(n)
            profile = None
            if PROFILE and n == 0:
                import cProfile

                profile = cProfile.Profile()
                profile.enable()
            start = time.perf_counter()
            data = pack.build(review)
            say_over("pack.build(review) alone", time.perf_counter() - start, GOAL_FREEZE_MS,
                     f"{len(json.dumps(data)) / 1024:.0f} KiB of JSON")
            seconds, queries, frozen = counted(lambda r=review: workflow.freeze(ciso, r))
            if profile:
                import pstats

                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            say_over(f"workflow.freeze run {n + 1}", seconds, GOAL_FREEZE_MS,
                     f"{queries} queries, pack {len(json.dumps(frozen.data)) / 1024:.0f} KiB")


def pages_for(user):
    import scale_pages
    from django.db.models import Count
    from django.urls import reverse

    from mamori.review import workflow
    from mamori.review.models import ManagementReview, Measure, ReviewPack
    from mamori.review.views_measures import department_choices

    # For reading the figures on a loaded machine: an older list of 20,000 rows (issue 17),
    # timed in the same run.
    pages = [scale_pages.Page("reference", "improvement:improvementaction_list default",
                              reverse("improvement:improvementaction_list"))]
    pages += scale_pages.app_pages(user, "review", GOAL_CHECK_MS)
    for page in pages:
        if page.kind == "detail" and page.name.startswith("review:measure_detail"):
            page.goal = GOAL_HISTORY_MS
    measure = (scale_pages.visible(Measure, user).filter(by_department=True, active=True)
               .annotate(n=Count("measurements")).order_by("-n", "pk").first())
    if measure is not None:
        url = reverse("review:measure_detail", args=[measure.pk])
        department = department_choices(user, measure).filter(
            code__startswith="SD").first() or department_choices(user, measure).first()
        label = f"review:measure_detail {measure.builtin or measure.code} ({measure.n:,} values)"
        pages.append(scale_pages.Page("history", f"{label} company", url, goal=GOAL_HISTORY_MS))
        pages.append(scale_pages.Page("history", f"{label} company page 50", f"{url}?page=50",
                                      goal=GOAL_HISTORY_MS))
        if department is not None:
            pages.append(scale_pages.Page(
                "history", f"{label} department {department.code}",
                f"{url}?department={department.pk}", goal=GOAL_HISTORY_MS))
            pages.append(scale_pages.Page(
                "history", f"{label} department {department.code} page 2",
                f"{url}?department={department.pk}&page=2", goal=GOAL_HISTORY_MS))
    pages.append(scale_pages.Page("report", "review:dashboard", reverse("review:dashboard"),
                                  goal=GOAL_PAGE_MS))
    frozen = (scale_pages.visible(ReviewPack, user).order_by("-frozen_at")
              .values_list("review_id", flat=True).first())
    if frozen is not None and scale_pages.visible(ManagementReview, user).filter(
            pk=frozen).exists():
        pages.append(scale_pages.Page(
            "report", f"review:managementreview_detail (frozen pack) #{frozen}",
            reverse("review:managementreview_detail", args=[frozen]), goal=GOAL_PAGE_MS))
        pages.append(scale_pages.Page(
            "report", "review:managementreview_pack_xlsx",
            reverse("review:managementreview_pack_xlsx", args=[frozen]), goal=GOAL_XLSX_MS))
        pages.append(scale_pages.Page(
            "report", "review:managementreview_pack_pdf",
            reverse("review:managementreview_pack_pdf", args=[frozen]), goal=GOAL_PDF_MS))
    preparing = (scale_pages.visible(ManagementReview, user)
                 .filter(status=ManagementReview.Status.PREPARING).order_by("-pk").first())
    if preparing is not None and workflow.decides(user, preparing):
        # Builds the pack as freezing would, without recording the measures first.
        pages.append(scale_pages.Page(
            "report", f"review:managementreview_preview #{preparing.pk}",
            reverse("review:managementreview_preview", args=[preparing.pk]),
            goal=GOAL_FREEZE_MS))
    return [page for page in pages if not ONLY or any(part in page.name for part in ONLY)]


def main():
    import scale_pages

    from mamori.core.gcfreeze import freeze_loaded_site

    where = os.environ.get("DATABASE_URL") or os.environ["MAMORI_DATA_DIR"]
    print(f"database: {connection.vendor} at {where}; scale {SCALE}, {YEARS} years of "
          "history", flush=True)
    seconds, _ = timed(build)
    print(f"ready in {seconds:.0f} s", flush=True)
    freeze_loaded_site()
    if "record" in PARTS:
        measure_record()
    if "freeze" in PARTS:
        measure_freeze()
    if "pages" in PARTS:
        scale_pages.measure_as_users("review pages", pages_for, REPEAT, BUDGET)


if __name__ == "__main__":
    main()
