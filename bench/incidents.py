"""Mamori benchmarks for the incidents app: a large organisation's incident history.

    .venv/bin/python bench/incidents.py                  # SQLite in a temporary data directory
    DATABASE_URL=postgres://… .venv/bin/python bench/incidents.py   # PostgreSQL (data is added)

Builds BENCH_INCIDENTS incidents (default 20,000) over the last three years in ~57
departments, each with the timeline the workflow would have written (reported, every stage
reached, notes, escalation, assessment and report drafts: ~6 entries each), 1–2 affected
assets and a threat category; about 30 % get a breach assessment (outcome computed with
breach.assess() and the rule in force, as BreachAssessment.save() would), the reportable ones
their PPC preliminary and final reports (most submitted on time, a few late or missing), and
about 60 % of the incidents 1–3 recovery actions. Everything is written with the audited
bulk_create (one change-log entry per row, in batches); due dates and outcomes are set
directly, as save() would (bulk_create does not call it). Links to assets and threats get the
same rows and change-log entries as `.add()` would write, in batches.

Then measures, as an information manager (one division of 7 departments) and as the CISO, with
the test client: the incident list (first page, filtered, searched, deep, CSV export), an
incident's page with its timeline, the response times, the report, assessment and
recovery-action lists, the API lists, My page and the dashboard (the deadlines panel); then
the conformance checks of Art 5 and 11, and the throughput of the pure deadline computation
breach.assess(). Prints the median and the maximum of BENCH_REPEAT runs (default 5) and the
queries of one run, then the figures as one table; tests never assert on these times.

Data is added to the database the data directory (or DATABASE_URL) names; the sizes printed
are what the database holds.
"""

import datetime
import math
import os
import random
import time

from common import (  # sets up Django first
    REPEAT,
    batches,
    build_departments,
    get,
    measure,
    report,
    timed,
    weighted,
)
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "20000"))
ASSETS = int(os.environ.get("BENCH_ASSETS", "5000"))
SEED = int(os.environ.get("BENCH_SEED", "7"))
ASSESS_RUNS = int(os.environ.get("BENCH_ASSESS_RUNS", "200000"))
BATCH = 5000  # rows per transaction (and per change-log append)
HISTORY_DAYS = 3 * 365
HANDLERS_PER_DEPARTMENT = 3

SEVERITIES = [("low", 40), ("medium", 35), ("high", 20), ("critical", 5)]
KINDS = [  # title, personal data suspected (share), threat code
    ("ノートPCの紛失", 0.6, "loss"),
    ("メールの誤送信", 0.9, "leakage"),
    ("フィッシングによるアカウント侵害", 0.5, "unauthorised-access"),
    ("ランサムウェア感染", 0.4, "tampering"),
    ("Webフォームの改ざん（スキミング）", 0.9, "unauthorised-access"),
    ("USBメモリの紛失", 0.7, "loss"),
    ("アクセス権設定の誤り", 0.5, "leakage"),
    ("書類の誤廃棄", 0.6, "loss"),
    ("DDoS攻撃によるサービス停止", 0.05, "damage"),
    ("サーバ障害によるデータ消失", 0.2, "damage"),
]
NOTES = ["関係部署へ連絡した。", "ログを保全した。", "影響範囲を調査中。", "端末を隔離した。",
         "パスワードを再設定した。", "取引先へ連絡した。"]


def bulk(model, rows):
    """The audited bulk_create, one transaction (and one change-log append) per batch."""
    for chunk in batches(rows, BATCH):
        with transaction.atomic():
            model.objects.bulk_create(chunk, batch_size=1000)
    return rows


def build_people(stamp, root, divisions, places):
    """The CISO (with TOTP, which the CISO must have) and the information manager of each
    division, the CISO and the first division's manager with login accounts; and a few
    handlers in every department, who report incidents, are assigned and own actions."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from mamori.core.models import User
    from mamori.org.models import Appointment, Person

    since = datetime.date(2023, 4, 1)
    ciso_user = User.objects.create_user(f"bench-inc-ciso-{stamp}")
    TOTP.activate(ciso_user, generate_totp_secret())
    ciso = Person.objects.create(employee_no=f"IB{stamp}-ciso", name="ベンチ CISO",
                                 category="executive_officer", department=root, user=ciso_user)
    Appointment.objects.create(person=ciso, role=Appointment.Role.CISO, start_date=since)
    manager_user = User.objects.create_user(f"bench-inc-manager-{stamp}")
    manager = Person.objects.create(employee_no=f"IB{stamp}-manager", name="ベンチ 管理者",
                                    category="employee", department=divisions[0],
                                    user=manager_user)
    Appointment.objects.create(person=manager, department=divisions[0],
                               role=Appointment.Role.INFORMATION_MANAGER, start_date=since)
    for d, division in enumerate(divisions[1:], start=2):  # heads without a login here
        head = Person.objects.create(employee_no=f"IB{stamp}-head-{d}", name=f"部長 {d}",
                                     category="employee", department=division)
        Appointment.objects.create(person=head, department=division,
                                   role=Appointment.Role.INFORMATION_MANAGER, start_date=since)
    handlers = bulk(Person, [
        Person(employee_no=f"IB{stamp}-{department.pk}-{h}", name=f"担当者 {department.pk}-{h}",
               category="employee", department=department)
        for department in dict.fromkeys(places) for h in range(HANDLERS_PER_DEPARTMENT)])
    by_department = {}
    for person in handlers:
        by_department.setdefault(person.department_id, []).append(person)
    return ciso_user, manager_user, by_department


def build_assets(stamp, places, rng):
    """ASSETS assets for the incidents to name, classified as Asset.save() would."""
    from mamori.assets.models import Asset, AssetSettings, ClassificationLevel, classification_for

    levels = list(ClassificationLevel.objects.order_by("-min_rating"))
    basis = AssetSettings.current().classification_basis
    rows = []
    for i in range(ASSETS):
        personal = rng.random() < 0.4
        asset = Asset(code=f"AI{stamp}-{i:05d}", name_ja=f"情報資産 {i:05d}",
                      name_en=f"Information asset {i:05d}", asset_type="information",
                      department=rng.choice(places), confidentiality=rng.randint(1, 3),
                      integrity=rng.randint(1, 3), availability=rng.randint(1, 3),
                      has_personal_info=personal,
                      data_subjects=rng.randint(10, 100_000) if personal else None)
        asset.classification = classification_for(asset, levels, basis)
        asset.classification_rank = (asset.classification.min_rating
                                     if asset.classification else None)
        rows.append(asset)
    return bulk(Asset, rows)


def stage_times(rng, awareness, contain_hours, recover_hours, now):
    """When each stage was reached (triaged, contained, recovered, closed), as a handler
    working the incident would have: mostly within the targets, sometimes late; stages not
    reached by now are None."""
    triaged = awareness + datetime.timedelta(hours=rng.uniform(0.1, 8))
    late = rng.random() < 0.12
    contained = triaged + datetime.timedelta(
        hours=contain_hours * (rng.uniform(1.0, 3.0) if late else rng.uniform(0.1, 0.9)))
    recovered = contained + datetime.timedelta(
        hours=(recover_hours - contain_hours) * (rng.uniform(1.0, 4.0) if late or
                                                 rng.random() < 0.08
                                                 else rng.uniform(0.1, 0.9)))
    closed = recovered + datetime.timedelta(days=rng.uniform(1, 45))
    times = [triaged, contained, recovered, closed]
    # A share of the incidents is stuck at a stage (waiting on a vendor, forgotten).
    if rng.random() < 0.04:
        stuck = rng.randint(1, 3)
        times[stuck:] = [None] * (4 - stuck)
    reached = []
    for at in times:
        if at is None or at > now:
            break
        reached.append(at)
    return reached + [None] * (4 - len(reached))


def build_incidents(stamp, places, handlers, rng):
    """INCIDENTS incidents with their timelines; due dates and stages as save() and the
    workflow would have set them."""
    from mamori.incidents.models import Incident, IncidentEntry, ResponseTarget

    Status = Incident.Status
    targets = {t.severity: t for t in ResponseTarget.objects.all()}
    now = timezone.now()
    incidents, entries = [], []
    for i in range(INCIDENTS):
        title, personal_share, _threat = rng.choice(KINDS)
        department = rng.choice(places)
        people = handlers[department.pk]
        severity = weighted(rng, SEVERITIES)
        noticed = now - datetime.timedelta(minutes=rng.randrange(HISTORY_DAYS * 24 * 60))
        occurred = noticed - datetime.timedelta(minutes=rng.randrange(72 * 60))
        aware = (noticed - (noticed - occurred) * rng.random()) if rng.random() < 0.2 else None
        awareness = aware or noticed
        target = targets[severity]
        reached = stage_times(rng, awareness, target.contain_within_hours,
                              target.recover_within_hours, now)
        status = [Status.REPORTED, Status.TRIAGED, Status.CONTAINED, Status.RECOVERED,
                  Status.CLOSED][sum(1 for at in reached if at)]
        incident = Incident(
            code=f"IB{stamp}-{i:05d}", title=f"{title}（{i:05d}）",
            description=f"{department.name_ja}で{title}が発生した。詳細は調査中。",
            occurred_at=occurred, noticed_at=noticed, aware_at=aware,
            reported_by=rng.choice(people), department=department,
            personal_data_suspected=rng.random() < personal_share, severity=severity,
            status=status, assignee=rng.choice(people) if status != Status.REPORTED or
            rng.random() < 0.5 else None,
            triaged_at=reached[0], contained_at=reached[1], recovered_at=reached[2],
            closed_at=reached[3],
            contain_due_at=awareness + datetime.timedelta(hours=target.contain_within_hours),
            recover_due_at=awareness + datetime.timedelta(hours=target.recover_within_hours),
            data_affected="顧客名簿" if rng.random() < 0.3 else "")
        end = incident.recovered_at or now
        if end > incident.recover_due_at and rng.random() < 0.9:
            incident.escalated_at = incident.recover_due_at + datetime.timedelta(
                hours=rng.uniform(1, 24))
            if incident.escalated_at > now:
                incident.escalated_at = None
        if status == Status.CLOSED and rng.random() < 0.97:
            incident.root_cause = "手順の不備と確認不足。"
            incident.lessons_learned = "手順を改訂し、全員に周知した。"
        elif status in (Status.RECOVERED, Status.CLOSED) and rng.random() < 0.5:
            incident.root_cause = "調査中の原因。"
        incidents.append(incident)
        entry = IncidentEntry  # the timeline, as the workflow writes it
        entries.append(entry(incident=incident, at=noticed, author=incident.reported_by,
                             kind=entry.Kind.NOTE, text=f"報告: {incident.title}"))
        before = Status.REPORTED.label
        for (stage, _name), at in zip(Incident.STAGES, reached, strict=True):
            if at is None:
                break
            entries.append(entry(incident=incident, at=at, author=incident.assignee,
                                 kind=entry.Kind.STATUS, text=f"{before} → {stage.label}"))
            before = stage.label
        for _ in range(rng.choice((0, 0, 1))):
            at = awareness + (min(end, now) - awareness) * rng.random()
            entries.append(entry(incident=incident, at=at, author=rng.choice(people),
                                 kind=entry.Kind.NOTE, text=rng.choice(NOTES)))
        if incident.escalated_at:
            entries.append(entry(incident=incident, at=incident.escalated_at,
                                 author=incident.assignee, kind=entry.Kind.ESCALATION,
                                 text="復旧目標を超過したため CISO へ報告した。"))
    bulk(Incident, incidents)
    return incidents, entries


def link_in_bulk(incidents, assets_by_department, threats, rng):
    """1–2 assets of the incident's department and a threat category for each incident: the
    rows and change-log entries `.add()` writes (core.audit.record_m2m_change), in batches."""
    from mamori.core import changelog
    from mamori.incidents.models import Incident

    by_code = {t.code: t for t in threats}
    links = []
    for incident in incidents:
        pool = assets_by_department.get(incident.department_id) or []
        assets = sorted(a.pk for a in rng.sample(pool, min(len(pool), rng.randint(1, 2))))
        title = incident.title.rsplit("（", 1)[0]
        threat = by_code.get(next(code for t, _s, code in KINDS if t == title)) or threats[0]
        links.append((incident, assets, [threat.pk]))
    for chunk in batches(links, BATCH):
        with transaction.atomic():
            Incident.assets.through.objects.bulk_create(
                [Incident.assets.through(incident_id=incident.pk, asset_id=pk)
                 for incident, assets, _ in chunk for pk in assets], batch_size=1000)
            Incident.threats.through.objects.bulk_create(
                [Incident.threats.through(incident_id=incident.pk, threat_id=pk)
                 for incident, _, threats in chunk for pk in threats], batch_size=1000)
            changes = []
            for incident, assets, threat_ids in chunk:
                if assets:
                    changes.append(("update", incident, {"assets": []}, {"assets": assets}))
                changes.append(("update", incident, {"threats": []}, {"threats": threat_ids}))
            changelog.record_many(changes)
    return len(links)


def random_answers(rng):
    from mamori.incidents import breach

    personal = rng.random() < 0.85
    wrongful = rng.random() < 0.25
    return breach.Answers(
        personal_data=personal, sensitive=personal and rng.random() < 0.1,
        financial_damage=personal and rng.random() < 0.1, wrongful_purpose=wrongful,
        being_acquired=personal and wrongful and rng.random() < 0.15,
        persons_affected=int(10 ** rng.uniform(0, 5)) if personal else None,
        encrypted=rng.random() < 0.1)


def build_breach_work(incidents, handlers, rng):
    """Assessments (outcome as BreachAssessment.save() computes it) on ~30 % of the incidents,
    the reportable ones' PPC reports (as workflow.ensure_report drafts them, then submitted),
    and the timeline entries both write."""
    from mamori.incidents import breach
    from mamori.incidents.models import (
        BreachAssessment,
        BreachRule,
        IncidentEntry,
        RegulatoryReport,
    )

    rules = list(BreachRule.objects.order_by("-effective_from"))
    now = timezone.now()
    today = timezone.localdate()
    assessments, reports, entries = [], [], []
    for incident in incidents:
        if not incident.personal_data_suspected or rng.random() > 0.56:
            continue
        awareness = incident.aware_at or incident.noticed_at
        assessed_at = min(awareness + datetime.timedelta(hours=rng.uniform(1, 48)), now)
        aware_on = breach.awareness_date(awareness)
        rule = next(r for r in rules if r.effective_from <= aware_on)
        answers = random_answers(rng)
        outcome = breach.assess(answers, awareness, rule)
        people = handlers[incident.department_id]
        assessment = BreachAssessment(
            incident=incident, assessed_by=rng.choice(people), assessed_at=assessed_at,
            rule=rule, reportable=outcome.reportable, exempt=outcome.exempt,
            grounds=",".join(str(g) for g in outcome.grounds),
            preliminary_target=outcome.preliminary_target,
            preliminary_due=outcome.preliminary_due, final_due=outcome.final_due,
            data_items="氏名、住所、電話番号" if answers.personal_data else "",
            **{name: getattr(answers, name) for name in (
                "personal_data", "sensitive", "financial_damage", "wrongful_purpose",
                "being_acquired", "persons_affected", "encrypted")})
        if outcome.reportable:
            notice_on = aware_on + datetime.timedelta(days=rng.randint(1, 20))
            if notice_on <= today and rng.random() < 0.9:
                assessment.person_notice = weighted(rng, [("individual", 85), ("public", 15)])
                assessment.person_notice_on = notice_on
        else:
            assessment.person_notice = BreachAssessment.Notice.NOT_REQUIRED
        assessments.append(assessment)
        entries.append(IncidentEntry(
            incident=incident, at=assessed_at, author=assessment.assessed_by,
            kind=IncidentEntry.Kind.ASSESSMENT,
            text="個人情報保護委員会への報告対象。" if outcome.reportable else "報告対象外。"))
        if not outcome.reportable:
            continue
        for kind, due in ((RegulatoryReport.Kind.PRELIMINARY, outcome.preliminary_due),
                          (RegulatoryReport.Kind.FINAL, outcome.final_due)):
            submitted = None
            if due < today:
                chance = rng.random()
                if chance < 0.92:
                    submitted = due - datetime.timedelta(days=rng.randint(0, 2))
                elif chance < 0.97:
                    submitted = min(due + datetime.timedelta(days=rng.randint(1, 10)), today)
            elif rng.random() < 0.5:
                submitted = today
            if submitted is not None:
                submitted = max(submitted, aware_on)
            reports.append(RegulatoryReport(
                incident=incident, recipient=RegulatoryReport.Recipient.PPC, kind=kind,
                due_on=due, submitted_on=submitted,
                legal_basis="個人情報保護法第26条第1項、施行規則第8条",
                summary=f"{incident.title}\n{incident.description}",
                data_items=assessment.data_items,
                persons=f"{answers.persons_affected:,}" if answers.persons_affected else "",
                cause=incident.root_cause, recurrence_prevention=incident.lessons_learned))
            entries.append(IncidentEntry(
                incident=incident, at=assessed_at, author=assessment.assessed_by,
                kind=IncidentEntry.Kind.REPORT, text=f"起案: {kind.label}（期限 {due}）"))
    bulk(BreachAssessment, assessments)
    bulk(RegulatoryReport, reports)
    return assessments, reports, entries


def build_actions(incidents, handlers, rng):
    """1–3 recovery actions on ~60 % of the incidents; done on closed ones, some overdue on
    open ones."""
    from mamori.incidents.models import Incident, RecoveryAction

    today = timezone.localdate()
    rows = []
    for incident in incidents:
        if rng.random() > 0.6:
            continue
        aware_on = timezone.localtime(incident.aware_at or incident.noticed_at).date()
        for n in range(rng.randint(1, 3)):
            due = aware_on + datetime.timedelta(days=rng.randint(3, 30))
            if incident.status == Incident.Status.CLOSED:
                done = min(due + datetime.timedelta(days=rng.randint(-3, 3)), today)
            else:
                done = (min(due, today) if rng.random() < 0.5 else None)
            rows.append(RecoveryAction(
                incident=incident, title=f"再発防止策 {n + 1}",
                owner=rng.choice(handlers[incident.department_id]), due_on=due,
                done_on=max(done, aware_on) if done else None))
    return bulk(RecoveryAction, rows)


def measure_assess():
    """breach.assess() alone: answers and moments of awareness prepared beforehand."""
    from mamori.incidents import breach
    from mamori.incidents.models import BreachRule

    rng = random.Random(SEED + 1)
    now = timezone.now()
    cases = [(random_answers(rng), now - datetime.timedelta(minutes=rng.randrange(10 ** 6)))
             for _ in range(ASSESS_RUNS)]
    for label, rule in [("breach.Rule", breach.Rule()),
                        ("BreachRule row", BreachRule.objects.order_by("-effective_from")[0])]:
        start = time.perf_counter()
        reportable = sum(breach.assess(answers, aware_at, rule).reportable
                         for answers, aware_at in cases)
        seconds = time.perf_counter() - start
        report(f"breach.assess() with a {label} ({reportable} reportable)", seconds,
               len(cases), "assessment")


def main():
    from mamori.assets.models import Asset
    from mamori.core import conformance
    from mamori.core.context import Actor, acting_as
    from mamori.core.models import ChangeLogEntry
    from mamori.incidents.models import (
        BreachAssessment,
        Incident,
        IncidentEntry,
        RecoveryAction,
        RegulatoryReport,
    )
    from mamori.risks.models import Threat

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; building {INCIDENTS} incidents, {ASSETS} assets; "
          f"{REPEAT} timed runs per figure", flush=True)
    rng = random.Random(SEED)
    stamp = f"{time.time_ns() // 10 ** 6:x}"[-9:]  # short: incident codes have 20 characters
    log_before = ChangeLogEntry.objects.count()
    build_start = time.perf_counter()

    with acting_as(Actor(None, "command:bench", "command")):
        with transaction.atomic():
            root, divisions, sections = build_departments(f"IB{stamp}", 8)
        places = divisions + sections * 5  # most incidents happen in a section
        ciso_user, manager_user, handlers = build_people(
            stamp, root, divisions, places)
        seconds, assets = timed(lambda: build_assets(stamp, places, rng))
        report("bulk_create assets (+1 log entry each)", seconds, len(assets), "row")
        assets_by_department = {}
        for asset in assets:
            assets_by_department.setdefault(asset.department_id, []).append(asset)
        threats = list(Threat.objects.order_by("code"))
        seconds, (incidents, entries) = timed(lambda: build_incidents(stamp, places, handlers,
                                                                      rng))
        report("bulk_create incidents (+1 log entry each)", seconds, len(incidents), "row")
        seconds, linked = timed(lambda: link_in_bulk(incidents, assets_by_department, threats,
                                                     rng))
        report("link assets and threats in bulk (as .add() logs them)", seconds, linked,
               "incident")
        seconds, (assessments, reports, breach_entries) = timed(
            lambda: build_breach_work(incidents, handlers, rng))
        report("bulk_create assessments + reports (+1 log entry each)", seconds,
               len(assessments) + len(reports), "row")
        entries += breach_entries
        seconds, _ = timed(lambda: bulk(IncidentEntry, entries))
        report("bulk_create timeline entries (+1 log entry each)", seconds, len(entries), "row")
        seconds, actions = timed(lambda: build_actions(incidents, handlers, rng))
        report("bulk_create recovery actions (+1 log entry each)", seconds, len(actions), "row")
    build_seconds = time.perf_counter() - build_start

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    managed = [divisions[0], *sections[:6]]
    print(f"built in {build_seconds:.1f} s; the database holds {Incident.objects.count()} "
          f"incidents ({Incident.objects.open().count()} open, "
          f"{Incident.objects.past_recovery_target().count()} past their recovery target), "
          f"{IncidentEntry.objects.count()} timeline entries, "
          f"{BreachAssessment.objects.count()} assessments "
          f"({BreachAssessment.objects.filter(reportable=True).count()} reportable), "
          f"{RegulatoryReport.objects.count()} reports, "
          f"{RecoveryAction.objects.count()} recovery actions, {Asset.objects.count()} assets, "
          f"{ChangeLogEntry.objects.count()} change-log entries "
          f"(+{ChangeLogEntry.objects.count() - log_before} in this run); the information "
          f"manager's division holds "
          f"{Incident.objects.filter(department__in=managed).count()} incidents", flush=True)

    from mamori.core.testing import signed_in_client

    # Signed in as after password and code (the CISO must have passed the second factor).
    manager_client, ciso_client = signed_in_client(manager_user), signed_in_client(ciso_user)
    section = sections[0]  # in the manager's division
    # An incident of the manager's division with a timeline, an assessment and reports.
    shown = (Incident.objects.filter(department__in=managed, assessment__reportable=True)
             .order_by("-noticed_at").first())
    search_number = incidents[len(incidents) // 2].code.rsplit("-", 1)[1]

    users = [("CISO", ciso_client, ciso_user), ("information manager", manager_client,
                                                  manager_user)]
    table = {}  # label: {who: (median, max, queries)}
    for who, client, user in users:
        visible = Incident.objects.restrict(user).count()
        deep = max(1, min(2000, math.ceil(visible / 50)))
        print(f"as the {who} ({visible} incidents, "
              f"{RegulatoryReport.objects.restrict(user).count()} reports, "
              f"{IncidentEntry.objects.restrict(user).count()} timeline entries visible):",
              flush=True)
        for label, url, content_type in [
            ("incident list, page 1", "/incidents/", None),
            ("incident list, open", "/incidents/?open=true", None),
            ("incident list, past the recovery target", "/incidents/?overdue=true", None),
            ("incident list, reportable", "/incidents/?reportable=true", None),
            ("incident list, one department", f"/incidents/?department={section.pk}", None),
            (f"incident list, search q={search_number} (number)",
             f"/incidents/?q={search_number}", None),
            ("incident list, search q=ランサムウェア (title)", "/incidents/?q=ランサムウェア",
             None),
            ("incident list, deep page", f"/incidents/?page={deep}", None),
            ("incident CSV export (all visible)", "/incidents/?export=csv", "text/csv"),
            ("incident page with its timeline", f"/incidents/{shown.pk}/", None),
            ("response times per severity (all visible)", "/incidents/response-times/", None),
            ("regulatory report list, page 1", "/incidents/reports/", None),
            ("regulatory report list, late", "/incidents/reports/?late=true", None),
            ("breach assessment list, page 1", "/incidents/breach-assessments/", None),
            ("recovery action list, overdue", "/incidents/recovery-actions/?overdue=true",
             None),
            ("API /api/incidents/incidents/ (limit 50)", "/api/incidents/incidents/",
             "application/json"),
            ("API /api/incidents/reports/ (limit 50)", "/api/incidents/reports/",
             "application/json"),
            ("API /api/incidents/assessments/ (limit 50)", "/api/incidents/assessments/",
             "application/json"),
            ("API /api/incidents/timeline/ (limit 50)", "/api/incidents/timeline/",
             "application/json"),
            ("My page (incident deadlines panel)", "/me/", None),
            ("dashboard (all checks, incident deadlines panel)", "/dashboard/", None),
        ]:
            median, worst, queries, response = measure(label, get(client, url, content_type))
            table.setdefault(label, {})[who] = (median, worst, queries)
            if content_type == "text/csv":
                lines = response.content.count(b"\n")
                print(f"    {lines - 1} rows, {len(response.content) / 1e6:.1f} MB", flush=True)

    print("conformance checks of Art 5 and 11 (incidents):", flush=True)
    checks = []
    for check in conformance.checks():
        if check.code.startswith("incidents."):
            median, worst, queries, result = measure(
                check.code, lambda check=check: conformance.run_check(check))
            checks.append((check.code, median, worst, queries))
            print(f"    {result.status}: measured {result.value}{result.unit}, "
                  f"{result.failing_count} failing", flush=True)

    print("deadline computation (pure, no database):", flush=True)
    measure_assess()

    print(f"\nsummary ({connection.vendor}, {Incident.objects.count()} incidents; median of "
          f"{REPEAT} runs, queries of one run)", flush=True)
    print(f"  {'':<56} {'CISO':>20} {'information manager':>20}")
    for label, by_who in table.items():
        cells = "".join(f"{by_who[who][0]:10.1f} ms q={by_who[who][2]:<4}" for who in
                        ("CISO", "information manager"))
        print(f"  {label:<56} {cells}")
    for code, median, _worst, queries in checks:
        print(f"  {code:<56} {median:10.1f} ms q={queries:<4}")


if __name__ == "__main__":
    main()
