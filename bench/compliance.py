"""The legal and regulatory register at scale (policy Art 11): 10,000 obligations over 20
sources (most applying, each owned by a department and mapped to a control or two), 100,000
evaluations over the last years (the not compliant ones with the nonconformity each raised),
1,000 exceptions accepted by the CISO, 200 source versions (20 baselines, 180 amendments, some
still to take effect) with 5,000 impact assessments, and 500 regulatory actions, on top of the
demo company.

    python bench/compliance.py                              # SQLite, temporary data directory
    DATABASE_URL=postgres://… python bench/compliance.py    # PostgreSQL (the named database)

Times every compliance list page (default, each filter, each sort, page 50, the last page)
and API list, every compliance detail and history page, the upcoming legal changes, the
register report (page and XLSX, when there is one) and the three Art 11 checks, as the CISO
and as an information manager; prints p50, p95 and the query count of each and names any
over its goal (lists, details and the upcoming page 100 ms; each check 200 ms; the report
2 s). BENCH_REPEAT (20) runs per page; BENCH_REUSE=1 measures a database built before.
Tests never assert on these times; this script only prints them.
"""

import datetime
import os
import random

from common import plain_bulk_create, timed  # sets up Django first
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

OBLIGATIONS = int(os.environ.get("BENCH_OBLIGATIONS", "10000"))
SOURCES = 20
EVALUATIONS = int(os.environ.get("BENCH_EVALUATIONS", "100000"))
EXCEPTIONS = 1000
VERSIONS_EACH = 10  # per source: a baseline and nine amendments (200 in all)
ASSESSMENTS = 5000
ACTIONS = 500
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BUDGET = float(os.environ.get("BENCH_PAGE_BUDGET", "5"))
GOAL_PAGE_MS = 100
GOAL_CHECK_MS = 200
GOAL_REPORT_MS = 2000
MARKER = "bb-src-00"

KINDS = ["law", "order", "rule", "guideline", "standard", "contract"]
RESULTS = [("compliant", 85), ("partial", 10), ("not_compliant", 4), ("not_applicable", 1)]


def build():
    from django.contrib.contenttypes.models import ContentType

    from mamori.compliance.models import (
        ComplianceException,
        Evaluation,
        ImpactAssessment,
        LegalSource,
        Obligation,
        RegulatoryAction,
        SourceVersion,
    )
    from mamori.controls.models import Control
    from mamori.core import dbstats
    from mamori.core.dates import add_months
    from mamori.improvement.models import Nonconformity
    from mamori.incidents.models import Incident
    from mamori.org.models import Department, Person

    call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_REUSE") == "1" and LegalSource.objects.filter(
            code=MARKER).exists():
        return
    call_command("demo", verbosity=0)
    rng = random.Random(11)
    today = timezone.localdate()
    departments = list(Department.objects.filter(is_active=True))
    people = {}
    for person in Person.objects.filter(status="active", department__isnull=False):
        people.setdefault(person.department_id, []).append(person)
    everyone = [p for members in people.values() for p in members]
    controls = list(Control.objects.values_list("pk", flat=True))
    ciso = Person.objects.filter(user__username="ciso").first()

    sources = plain_bulk_create(LegalSource, [
        LegalSource(code=f"bb-src-{n:02d}", kind=KINDS[n % len(KINDS)],
                    title_ja=f"ベンチ法令 {n}", title_en=f"Bench act {n}",
                    short_name=f"ベンチ法{n}", issuer="ベンチ省")
        for n in range(SOURCES)])
    obligations = []
    for n in range(OBLIGATIONS):
        roll = rng.random()
        applicability = ("applicable" if roll < 0.8 else
                         "not_applicable" if roll < 0.9 else "undecided")
        obligations.append(Obligation(
            code=f"BB-{n:05d}", source=sources[n % SOURCES], article=f"第{n % 120 + 1}条",
            title_ja=f"ベンチ義務 {n}", title_en=f"Bench obligation {n}",
            summary_ja="ベンチの義務の要旨。", applicability=applicability,
            applicability_reason="" if applicability == "undecided" else "ベンチ",
            department=None if applicability == "undecided" else rng.choice(departments),
            interval_months=rng.choice([6, 12, 12, 12, 24])))
    obligations = plain_bulk_create(Obligation, obligations)
    applicable = [o for o in obligations if o.applicability == "applicable"]
    through = Obligation.controls.through
    plain_bulk_create(through, [
        through(obligation_id=o.pk, control_id=c)
        for o in obligations if o.department_id
        for c in rng.sample(controls, rng.choice([1, 1, 2]))])

    # Evaluations: about 12 per obligation that applies, every half interval back from a latest
    # one inside its interval (5% of obligations overdue).
    evaluations = []
    each, extra = divmod(EVALUATIONS, len(applicable))
    for k, obligation in enumerate(applicable):
        interval_days = obligation.interval_months * 30
        overdue = rng.random() < 0.05
        latest = today - datetime.timedelta(days=(
            interval_days + rng.randint(10, 90) if overdue else rng.randint(0, interval_days - 5)))
        members = people.get(obligation.department_id) or everyone
        for i in range(each + (1 if k < extra else 0)):
            evaluations.append(Evaluation(
                obligation=obligation, result=rng.choices(*zip(*RESULTS, strict=True))[0],
                evaluated_on=latest - datetime.timedelta(days=i * interval_days // 2),
                evaluator=rng.choice(members), evidence="点検記録を確認した。"))
    evaluations = plain_bulk_create(Evaluation, evaluations)
    # The nonconformity each "not compliant" evaluation raised: closed but for the
    # obligation's latest evaluation (open, or planned), which check (b) looks for.
    latest_of = {}
    for evaluation in evaluations:
        seen = latest_of.get(evaluation.obligation_id)
        if seen is None or (evaluation.evaluated_on, evaluation.pk) > (seen.evaluated_on,
                                                                        seen.pk):
            latest_of[evaluation.obligation_id] = evaluation
    latest_ids = {e.pk for e in latest_of.values()}
    evaluation_type = ContentType.objects.get_for_model(Evaluation)
    by_pk = {o.pk: o for o in obligations}
    nonconformities = []
    for evaluation in evaluations:
        if evaluation.result != "not_compliant":
            continue
        obligation = by_pk[evaluation.obligation_id]
        is_latest = evaluation.pk in latest_ids
        if is_latest and rng.random() < 0.1:
            continue  # a not compliant obligation nobody acted on: check (b) finds it
        status = rng.choice(["open", "planned"]) if is_latest else "closed"
        nonconformities.append(Nonconformity(
            code=f"NC-BB-{evaluation.pk}", title=f"Not compliant: {obligation.code}"[:200],
            severity="major", policy_article="11", requirement=obligation.code,
            department_id=obligation.department_id, raised_on=evaluation.evaluated_on,
            raised_by=evaluation.evaluator, source="compliance",
            source_reference=obligation.code, source_type=evaluation_type,
            source_id=evaluation.pk, status=status,
            plan_due_on=evaluation.evaluated_on + datetime.timedelta(days=30),
            closed_on=None if status != "closed" else evaluation.evaluated_on
            + datetime.timedelta(days=60)))
    plain_bulk_create(Nonconformity, nonconformities)

    exceptions = []
    for obligation in rng.sample(applicable, min(EXCEPTIONS, len(applicable) // 2)):
        accepted = today - datetime.timedelta(days=rng.randint(0, 500))
        exceptions.append(ComplianceException(
            obligation=obligation, reason="代替策で受容する。", compensating_measures="監視の強化",
            accepted_on=accepted,
            expires_on=accepted + datetime.timedelta(days=rng.randint(30, 365)),
            accepted_by=ciso))
    plain_bulk_create(ComplianceException, exceptions)

    # Versions: a baseline five years ago, then nine amendments, the last ones still to come.
    versions = []
    for s, source in enumerate(sources):
        for v in range(VERSIONS_EACH):
            effective = add_months(today, -60 + v * 7 + s % 7)
            versions.append(SourceVersion(
                source=source, version=f"v{v}", effective_on=effective,
                promulgated_on=effective - datetime.timedelta(days=180),
                summary_ja="" if v == 0 else f"改正 {v}", affects_all=v == 0))
    versions = plain_bulk_create(SourceVersion, versions)
    amendments = [v for v in versions if v.version != "v0"]
    of_source = {}
    for obligation in obligations:
        if obligation.applicability != "not_applicable":
            of_source.setdefault(obligation.source_id, []).append(obligation)
    affected_through = SourceVersion.affected.through
    affected, assessments = [], []
    each, extra = divmod(ASSESSMENTS, len(amendments))
    for k, amendment in enumerate(amendments):
        pool = of_source[amendment.source_id]
        chosen = rng.sample(pool, min(len(pool), each + (1 if k < extra else 0)))
        in_force = amendment.effective_on <= today
        for obligation in chosen:
            affected.append(affected_through(sourceversion_id=amendment.pk,
                                             obligation_id=obligation.pk))
            done = rng.random() < (0.97 if in_force else 0.3)
            assessments.append(ImpactAssessment(
                amendment=amendment, obligation=obligation, due_on=amendment.effective_on,
                status=rng.choice(["no_change", "no_change", "changes"]) if done else "open",
                assessment="影響を確認した。" if done else "",
                assessed_on=min(today, amendment.effective_on) if done else None))
    plain_bulk_create(affected_through, affected)
    plain_bulk_create(ImpactAssessment, assessments)

    incidents = list(Incident.objects.values_list("pk", flat=True))
    actions = []
    for n in range(ACTIONS):
        received = today - datetime.timedelta(days=rng.randint(0, 5 * 365))
        status = rng.choice(["open", "responded", "closed", "closed"]) if (
            today - received).days < 200 else "closed"
        actions.append(RegulatoryAction(
            code=f"RA-BB-{n:04d}", kind=rng.choice(["guidance", "report_request", "inspection",
                                                    "improvement_order", "violation"]),
            title=f"ベンチ行政対応 {n}", regulator=rng.choice(["金融庁", "経済産業省",
                                                          "個人情報保護委員会"]),
            received_on=received, description="報告を求められた。",
            department=rng.choice(departments),
            response_due_on=received + datetime.timedelta(days=30),
            responded_on=None if status == "open" else received + datetime.timedelta(days=20),
            status=status))
    actions = plain_bulk_create(RegulatoryAction, actions)
    concerned = RegulatoryAction.obligations.through
    plain_bulk_create(concerned, [
        concerned(regulatoryaction_id=a.pk, obligation_id=o.pk)
        for a in actions for o in rng.sample(applicable, rng.randint(1, 3))])
    if incidents:
        involved = RegulatoryAction.incidents.through
        plain_bulk_create(involved, [
            involved(regulatoryaction_id=a.pk, incident_id=rng.choice(incidents))
            for a in actions if rng.random() < 0.2])
    dbstats.refresh()


def compliance_pages(user):
    import scale_pages
    from django.urls import NoReverseMatch, reverse

    pages = scale_pages.app_pages(user, "compliance", GOAL_CHECK_MS)
    pages.append(scale_pages.Page("report", "compliance:upcoming",
                                  reverse("compliance:upcoming"), goal=GOAL_PAGE_MS))
    try:
        report = reverse("compliance:report")
    except NoReverseMatch:
        print("(no compliance:report yet: the register report is not measured)", flush=True)
    else:
        for fmt in ("", "?format=xlsx"):
            pages.append(scale_pages.Page("report", f"compliance:report {fmt or 'page'}",
                                          report + fmt, goal=GOAL_REPORT_MS))
    return pages


def main():
    import scale_pages

    from mamori.compliance.models import (
        ComplianceException,
        Evaluation,
        ImpactAssessment,
        Obligation,
        RegulatoryAction,
        SourceVersion,
    )
    from mamori.core.gcfreeze import freeze_loaded_site

    where = os.environ.get("DATABASE_URL") or os.environ["MAMORI_DATA_DIR"]
    print(f"database: {connection.vendor} at {where}; {OBLIGATIONS} obligations", flush=True)
    seconds, _ = timed(build)
    print(f"ready in {seconds:.0f} s: " + ", ".join(
        f"{model.objects.count()} {model._meta.verbose_name_plural}" for model in (
            Obligation, Evaluation, ComplianceException, SourceVersion, ImpactAssessment,
            RegulatoryAction)), flush=True)
    freeze_loaded_site()
    scale_pages.measure_as_users("compliance pages", compliance_pages, REPEAT, BUDGET)


if __name__ == "__main__":
    main()
