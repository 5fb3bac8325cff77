"""Contractors at scale (issue 19): 5,000 contractors with 60 requirements each, every one
screened (300,000 answers), bound by a contract and holding a certificate, one in five
subcontracting to the next (chains of two), on top of the demo company.

    python bench/contractors.py                              # SQLite, temporary data directory
    DATABASE_URL=postgres://… python bench/contractors.py    # PostgreSQL (the named database)

Times every contractors list page (default, each filter, each sort, page 50, the last page)
and API list, every contractors detail page (the screening's detail is the comparison page),
and the four Art 9 checks, as the CISO and as an information manager; prints p50, p95 and the
query count of each and names any over its goal (lists and details 100 ms, the comparison page
and the checks 200 ms). BENCH_REPEAT (20) runs per page; BENCH_REUSE=1 measures a database
built before. Tests never assert on these times; this script only prints them.
"""

import datetime
import os
import random

from common import plain_bulk_create, timed  # sets up Django first
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

CONTRACTORS = int(os.environ.get("BENCH_CONTRACTORS", "5000"))
REQUIREMENTS = 60
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BUDGET = float(os.environ.get("BENCH_PAGE_BUDGET", "5"))
GOAL_COMPARISON_MS = 200
GOAL_CHECKS_MS = 200


def build():
    from mamori.contractors.models import (
        CLAUSES,
        Certificate,
        Contract,
        Contractor,
        Screening,
        ScreeningAnswer,
        ScreeningRequirement,
        Subcontracting,
    )
    from mamori.core import dbstats
    from mamori.org.models import Department

    call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_REUSE") == "1" and Contractor.objects.filter(
            code__startswith="BK-").exists():
        return
    call_command("demo", verbosity=0)
    rng = random.Random(19)
    today = timezone.localdate()
    departments = list(Department.objects.filter(is_active=True))
    with transaction.atomic():
        for n in range(REQUIREMENTS - ScreeningRequirement.objects.count()):
            ScreeningRequirement.objects.create(
                code=f"bench-{n:02d}", title_ja=f"追加要求 {n}", title_en=f"Extra {n}",
                question_ja="対応していますか。", question_en="Is it in place?",
                sort_key=1000 + n)
        ScreeningRequirement.objects.update(min_tier=1)  # every one asked of every tier
    contractors = []
    for n in range(CONTRACTORS):
        personal = rng.random() < 0.7
        contractor = Contractor(
            code=f"BK-{n:05d}", name_ja=f"ベンチ委託先 {n}", name_en=f"Bench contractor {n}",
            department=rng.choice(departments), status="active", personal_data=personal,
            persons=rng.choice([100, 2000, 8000, 50000]) if personal else None,
            card_data=personal and rng.random() < 0.2, system_access=rng.random() < 0.4)
        contractor.derive_fields()
        contractors.append(contractor)
    contractors = plain_bulk_create(Contractor, contractors)
    requirements = list(ScreeningRequirement.objects.order_by("sort_key", "code"))
    screenings = plain_bulk_create(Screening, [
        Screening(contractor=c, tier=c.tier, requested_on=today - datetime.timedelta(days=90),
                  status="assessed", answered_on=today - datetime.timedelta(days=70),
                  assessed_on=today - datetime.timedelta(days=60),
                  verdict=rng.choice(["equal_or_higher", "gaps_accepted", "not_acceptable"]),
                  verdict_until=today + datetime.timedelta(days=100))
        for c in contractors])
    answers = []
    for screening in screenings:
        for requirement in requirements:
            answers.append(ScreeningAnswer(
                screening=screening, requirement=requirement, their_level=rng.randint(0, 3),
                their_comment="社内規程で対応", our_level=rng.randint(0, 3)))
        if len(answers) >= 60000:
            plain_bulk_create(ScreeningAnswer, answers)
            answers = []
    plain_bulk_create(ScreeningAnswer, answers)
    plain_bulk_create(Contract, [
        Contract(contractor=c, title="業務委託契約", starts_on=today - datetime.timedelta(
            days=30), renewal="automatic", notification_hours=24,
            **{name: rng.random() < 0.95 for name, _label in CLAUSES})
        for c in contractors])
    plain_bulk_create(Certificate, [
        Certificate(contractor=c, kind="pmark", number=f"P-{c.code}",
                    expires_on=today + datetime.timedelta(days=rng.randint(-30, 700)))
        for c in contractors])
    # One in ten passes work on to the next, with consent: 500 links, some chains of two.
    plain_bulk_create(Subcontracting, [
        Subcontracting(contractor=c, subcontractor=contractors[n + 1], work="発送業務",
                       status="approved", decided_on=today - datetime.timedelta(days=50))
        for n, c in enumerate(contractors[:-1]) if n % 10 in (0, 1)])
    dbstats.refresh()


def contractor_pages(user):
    import scale_pages

    from mamori.contractors.models import Screening

    pages = scale_pages.app_pages(user, "contractors", GOAL_CHECKS_MS)
    for page in pages:
        if page.name.split(" ")[0] == "contractors:screening_detail":
            page.goal = GOAL_COMPARISON_MS
    screening = scale_pages.visible(Screening, user).filter(
        contractor__code__startswith="BK-").order_by("pk").first()  # one with 60 answers
    if screening is not None:
        from django.urls import reverse

        pages.append(scale_pages.Page(
            "detail", f"contractors:screening_detail (comparison, {screening.answers.count()} "
            "requirements)", reverse("contractors:screening_detail", args=[screening.pk]),
            goal=GOAL_COMPARISON_MS))
    return pages


def main():
    import scale_pages

    from mamori.core.gcfreeze import freeze_loaded_site

    where = os.environ.get("DATABASE_URL") or os.environ["MAMORI_DATA_DIR"]
    print(f"database: {connection.vendor} at {where}; {CONTRACTORS} contractors", flush=True)
    seconds, _ = timed(build)
    print(f"ready in {seconds:.0f} s", flush=True)
    freeze_loaded_site()
    scale_pages.measure_as_users("contractors pages", contractor_pages, REPEAT, BUDGET)


if __name__ == "__main__":
    main()
