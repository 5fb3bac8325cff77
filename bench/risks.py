"""Mamori benchmarks for the assets, controls and risks apps: the registers at company scale.

    .venv/bin/python bench/risks.py                  # SQLite in a temporary data directory
    DATABASE_URL=postgres://… .venv/bin/python bench/risks.py   # PostgreSQL (data is added)

Builds BENCH_ASSETS information assets (default 200,000) in ~57 departments, BENCH_CONTROLS
controls (default 300, most with evidence) and BENCH_RISKS risks (default 20,000), each linked
to 1–3 assets of its department and, when reduced, to 1–2 of its department's controls. Assets,
controls, evidence and risks are written with the audited bulk_create (one change-log entry per
row, in batches); their classification and scores are set directly, as save() would (bulk_create
does not call it), except for 1 % of the assets left unlabelled for reclassify_assets() to
fix. The first BENCH_LINK_SAMPLE risks (default 500) are linked with `.add()`, as the UI
does, whose m2m_changed receiver logs each call; the rest get the same link rows and the same
change-log entries in batches (at ~10 queries per `.add()`, linking 20,000 risks one by one
takes minutes).

Then measures, as an information manager (one division of 7 departments) and as the CISO, with
the test client: the asset list (first page, filtered, searched, deep, sorted), a filtered CSV
export, the risk list, the heat map, the API lists, and the conformance checks of Art 3 and 5.
Prints the median and the maximum of BENCH_REPEAT runs (default 5) and the queries of one run;
tests never assert on these times.

Data is added to the database the data directory (or DATABASE_URL) names; the sizes printed
are what the database holds.
"""

import datetime
import math
import os
import random
import time
from collections import defaultdict

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

ASSETS = int(os.environ.get("BENCH_ASSETS", "200000"))
RISKS = int(os.environ.get("BENCH_RISKS", "20000"))
CONTROLS = int(os.environ.get("BENCH_CONTROLS", "300"))
SEED = int(os.environ.get("BENCH_SEED", "7"))
BATCH = 5000  # rows per transaction (and per change-log append)
UNLABELLED_SHARE = 0.01
# Risks linked through .add(), as the UI does (~10 queries and one log append per call); the
# rest are linked in bulk with the same rows and log entries, which is much quicker.
LINK_SAMPLE = int(os.environ.get("BENCH_LINK_SAMPLE", "500"))

ASSET_TYPES = [("information", 50), ("application", 12), ("system", 10), ("hardware", 15),
               ("paper", 8), ("service", 5)]
ASSET_STATUSES = [("in_use", 85), ("planned", 4), ("retiring", 4), ("disposed", 7)]
LOCATIONS = ["本社サーバ室", "クラウド (AWS 東京)", "ファイルサーバ", "書庫", "各拠点", "SaaS"]
RISK_STATUSES = [("assessed", 55), ("treating", 30), ("identified", 8), ("closed", 7)]
TREATMENTS = [("reduce", 60), ("accept", 20), ("transfer", 8), ("avoid", 4), ("", 8)]
THEMES = ["organisational", "people", "physical", "technological"]


def build_people(stamp, root, divisions):
    """The CISO (with TOTP, which the CISO must have) and the information manager of each
    division; the CISO and the first division's manager have login accounts."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from mamori.core.models import User
    from mamori.org.models import Appointment, Person

    since = datetime.date(2024, 4, 1)
    ciso_user = User.objects.create_user(f"bench-ciso-{stamp}")
    TOTP.activate(ciso_user, generate_totp_secret())
    ciso = Person.objects.create(employee_no=f"RB{stamp}-ciso", name="ベンチ CISO",
                                 category="executive_officer", department=root, user=ciso_user)
    Appointment.objects.create(person=ciso, role=Appointment.Role.CISO, start_date=since)
    manager_user = User.objects.create_user(f"bench-manager-{stamp}")
    manager = Person.objects.create(employee_no=f"RB{stamp}-manager", name="ベンチ 管理者",
                                    category="employee", department=divisions[0],
                                    user=manager_user)
    Appointment.objects.create(person=manager, department=divisions[0],
                               role=Appointment.Role.INFORMATION_MANAGER, start_date=since)
    for d, division in enumerate(divisions[1:], start=2):  # heads without a login here
        head = Person.objects.create(employee_no=f"RB{stamp}-head-{d}", name=f"部長 {d}",
                                     category="employee", department=division)
        Appointment.objects.create(person=head, department=division,
                                   role=Appointment.Role.INFORMATION_MANAGER, start_date=since)
    return ciso, ciso_user, manager_user


def build_assets(stamp, places, rng) -> int:
    """ASSETS assets; the classification is derived here as Asset.save() would, except for
    a few left unlabelled (reclassify_assets() is measured fixing them)."""
    from mamori.assets.models import Asset, AssetSettings, ClassificationLevel, classification_for

    levels = list(ClassificationLevel.objects.order_by("-min_rating"))
    basis = AssetSettings.current().classification_basis
    rows = []
    for i in range(ASSETS):
        confidentiality = rng.choices((1, 2, 3), (30, 45, 25))[0]
        personal = rng.random() < (0.5 if confidentiality == 3 else 0.2)
        asset = Asset(
            code=f"AB{stamp}-{i:06d}", name_ja=f"情報資産 {i:06d}",
            name_en=f"Information asset {i:06d}", asset_type=weighted(rng, ASSET_TYPES),
            department=rng.choice(places), location=rng.choice(LOCATIONS),
            status=weighted(rng, ASSET_STATUSES), confidentiality=confidentiality,
            integrity=rng.randint(1, 3), availability=rng.randint(1, 3),
            has_personal_info=personal,
            data_subjects=rng.randint(10, 100_000) if personal else None,
            has_sensitive_personal_info=personal and rng.random() < 0.05)
        if rng.random() >= UNLABELLED_SHARE:
            asset.classification = classification_for(asset, levels, basis)
            asset.classification_rank = (asset.classification.min_rating
                                         if asset.classification else None)
        rows.append(asset)
    for chunk in batches(rows, BATCH):
        with transaction.atomic():
            Asset.objects.bulk_create(chunk, batch_size=1000)
    return len(rows)


def build_controls(stamp, places, rng):
    """CONTROLS controls; 80 % of the implemented ones get a current note as evidence."""
    from mamori.controls.models import Control, Evidence

    controls = [Control(code=f"CB{stamp}-{i:04d}", title_ja=f"管理策 {i}",
                        title_en=f"Control {i}", theme=rng.choice(THEMES),
                        department=rng.choice(places),
                        status=rng.choices(("implemented", "partial", "planned"), (70, 20, 10))[0])
                for i in range(CONTROLS)]
    with transaction.atomic():
        Control.objects.bulk_create(controls, batch_size=1000)
    evidence = [Evidence(control=c, kind="note", title=f"運用記録 {c.code}",
                         note="月次点検で運用を確認した。",
                         collected_on=timezone.localdate() - datetime.timedelta(days=30))
                for c in controls if c.status == "implemented" and rng.random() < 0.8]
    with transaction.atomic():
        Evidence.objects.bulk_create(evidence, batch_size=1000)
    return controls, len(evidence)


def build_risks(stamp, places, rng):
    """RISKS risks with their scores computed as Risk.save() would."""
    from mamori.risks.models import Risk, Threat

    threats = list(Threat.objects.order_by("code"))
    rows = []
    for i in range(RISKS):
        likelihood, impact = rng.randint(1, 3), rng.randint(1, 3)
        treatment = weighted(rng, TREATMENTS)
        risk = Risk(code=f"RB{stamp}-{i:05d}", title_ja=f"リスク {i:05d}",
                    title_en=f"Risk {i:05d}", threat=rng.choice(threats),
                    department=rng.choice(places), status=weighted(rng, RISK_STATUSES),
                    likelihood=likelihood, impact=impact, treatment=treatment,
                    assessed_on=timezone.localdate() - datetime.timedelta(days=rng.randrange(365)))
        if treatment and rng.random() < 0.85:
            risk.residual_likelihood = rng.randint(1, likelihood)
            risk.residual_impact = rng.randint(1, impact)
        risk.inherent_score = likelihood * impact
        risk.residual_score = (risk.residual_likelihood * risk.residual_impact
                               if risk.residual_likelihood else None)
        risk.current_score = (risk.residual_score if risk.residual_score is not None
                              else risk.inherent_score)
        rows.append(risk)
    for chunk in batches(rows, BATCH):
        with transaction.atomic():
            Risk.objects.bulk_create(chunk, batch_size=1000)
    return rows


def pick_links(risks, stamp, controls, rng) -> dict:
    """Each risk to 1–3 assets of its department; reduced risks to 1–2 of its department's
    controls (or of any, when the department keeps none): {risk: (asset ids, control ids)}."""
    from mamori.assets.models import Asset

    assets_by_department = defaultdict(list)
    for pk, department_id in Asset.objects.filter(code__startswith=f"AB{stamp}-").values_list(
            "pk", "department_id").iterator(chunk_size=10_000):
        assets_by_department[department_id].append(pk)
    controls_by_department = defaultdict(list)
    for control in controls:
        controls_by_department[control.department_id].append(control.pk)
    links = {}
    for risk in risks:
        pool = assets_by_department[risk.department_id]
        assets = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 3))))
        picked = []
        if risk.treatment == "reduce":
            pool = controls_by_department[risk.department_id] or [c.pk for c in controls]
            picked = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 2))))
        links[risk] = (assets, picked)
    return links


def link_through_add(links: dict):
    """As the UI links them: `.add()`, whose m2m_changed receiver logs each call."""
    with transaction.atomic():
        for risk, (assets, controls) in links.items():
            risk.assets.add(*assets)
            if controls:
                risk.controls.add(*controls)


def link_in_bulk(links: dict):
    """The same rows and the same change-log entries as `.add()` on a new risk writes
    (core.audit.record_m2m_change: an update with the field's ids before and after), but
    inserted in batches with one change-log append per batch."""
    from mamori.core import changelog
    from mamori.risks.models import Risk

    items = list(links.items())
    for chunk in batches(items, BATCH):
        with transaction.atomic():
            Risk.assets.through.objects.bulk_create(
                [Risk.assets.through(risk_id=risk.pk, asset_id=pk)
                 for risk, (assets, _) in chunk for pk in assets], batch_size=1000)
            Risk.controls.through.objects.bulk_create(
                [Risk.controls.through(risk_id=risk.pk, control_id=pk)
                 for risk, (_, controls) in chunk for pk in controls], batch_size=1000)
            changes = []
            for risk, (assets, controls) in chunk:
                if assets:
                    changes.append(("update", risk, {"assets": []}, {"assets": assets}))
                if controls:
                    changes.append(("update", risk, {"controls": []}, {"controls": controls}))
            changelog.record_many(changes)


def accept_risks(risks, ciso, rng) -> int:
    """The CISO accepts about half of the risks whose treatment is acceptance."""
    from mamori.risks.models import RiskAcceptance

    today = timezone.localdate()
    rows = [RiskAcceptance(risk=risk, accepted_by=ciso, accepted_on=today - datetime.timedelta(
                days=rng.randrange(200)), justification="事業上の必要性から受容する。",
                score_accepted=risk.current_score)
            for risk in risks if risk.treatment == "accept" and rng.random() < 0.5]
    for row in rows:
        row.expires_on = row.accepted_on + datetime.timedelta(days=365)
    with transaction.atomic():
        RiskAcceptance.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def main():
    from mamori.assets.models import Asset, ClassificationLevel, reclassify_assets
    from mamori.controls.models import Control
    from mamori.core import conformance
    from mamori.core.context import Actor, acting_as
    from mamori.core.models import ChangeLogEntry
    from mamori.risks.models import Risk, Threat

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; building {ASSETS} assets, {CONTROLS} controls, "
          f"{RISKS} risks; {REPEAT} timed runs per figure", flush=True)
    rng = random.Random(SEED)
    stamp = time.time_ns()
    log_before = ChangeLogEntry.objects.count()
    build_start = time.perf_counter()

    with acting_as(Actor(None, "command:bench", "command")):
        with transaction.atomic():
            root, divisions, sections = build_departments(f"RB{stamp}", 8)
            ciso, ciso_user, manager_user = build_people(stamp, root, divisions)
        places = divisions + sections * 5  # most assets and risks sit in a section
        seconds, built = timed(lambda: build_assets(stamp, places, rng))
        report("bulk_create assets (+1 log entry each)", seconds, built, "row")
        seconds, (controls, evidence) = timed(lambda: build_controls(stamp, places, rng))
        report(f"bulk_create controls + {evidence} evidence (+1 log entry each)", seconds,
               len(controls) + evidence, "row")
        seconds, risks = timed(lambda: build_risks(stamp, places, rng))
        report("bulk_create risks (+1 log entry each)", seconds, len(risks), "row")
        links = pick_links(risks, stamp, controls, rng)
        sample = dict(list(links.items())[:LINK_SAMPLE])
        rest = dict(list(links.items())[LINK_SAMPLE:])
        seconds, _ = timed(lambda: link_through_add(sample))
        report(f"link {len(sample)} risks via .add() (m2m_changed logs each call)", seconds,
               len(sample), "risk")
        seconds, _ = timed(lambda: link_in_bulk(rest))
        report(f"link {len(rest)} risks in bulk (same rows and log entries)", seconds,
               len(rest), "risk")
        seconds, accepted = timed(lambda: accept_risks(risks, ciso, rng))
        report("bulk_create risk acceptances (+1 log entry each)", seconds, accepted, "row")
        unlabelled = Asset.objects.filter(code__startswith=f"AB{stamp}-",
                                          classification__isnull=True).count()
        seconds, changed = timed(reclassify_assets)
        report(f"reclassify_assets() labelling {changed} of {unlabelled} unlabelled", seconds,
               max(changed, 1), "row")
        seconds, changed_again = timed(reclassify_assets)
        assert changed_again == 0, changed_again
        report("reclassify_assets() again (nothing to change)", seconds, 1, "run")
    build_seconds = time.perf_counter() - build_start

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    managed = [divisions[0], *sections[:6]]
    print(f"built in {build_seconds:.1f} s; the database holds {Asset.objects.count()} assets "
          f"({Asset.objects.filter(has_personal_info=True).count()} with personal information), "
          f"{Control.objects.count()} controls, {Risk.objects.count()} risks "
          f"({Risk.assets.through.objects.count()} asset links), "
          f"{ChangeLogEntry.objects.count()} change-log entries "
          f"(+{ChangeLogEntry.objects.count() - log_before} in this run); the information "
          f"manager's division holds "
          f"{Asset.objects.filter(department__in=managed).count()} assets and "
          f"{Risk.objects.filter(department__in=managed).count()} risks", flush=True)

    from mamori.core.testing import signed_in_client

    # Signed in as after password and code (the CISO must have passed the second factor).
    manager_client, ciso_client = signed_in_client(manager_user), signed_in_client(ciso_user)
    confidential = ClassificationLevel.objects.get(code="confidential")
    section = sections[0]  # in the manager's division
    leakage = Threat.objects.get(code="leakage")

    for who, client, user in [("information manager", manager_client, manager_user),
                              ("CISO", ciso_client, ciso_user)]:
        visible = Asset.objects.restrict(user).count()
        deep = min(2000, math.ceil(visible / 50))
        export_filter = (f"department={section.pk}&has_personal_info=true" if who ==
                         "information manager" else
                         f"classification={confidential.pk}&has_personal_info=true")
        export_label = ("one department, personal information" if who == "information manager"
                        else "confidential, personal information")
        print(f"as the {who} ({visible} assets, {Risk.objects.restrict(user).count()} risks "
              f"visible):", flush=True)
        for label, url, content_type in [
            ("asset list, page 1", "/assets/register/", None),
            ("asset list, one department", f"/assets/register/?department={section.pk}", None),
            ("asset list, confidential + personal information",
             f"/assets/register/?classification={confidential.pk}&has_personal_info=true", None),
            ("asset list, department + confidential + personal info",
             f"/assets/register/?department={section.pk}&classification={confidential.pk}"
             "&has_personal_info=true", None),
            ("asset list, search q=01234", "/assets/register/?q=01234", None),
            (f"asset list, page {deep}", f"/assets/register/?page={deep}", None),
            ("asset list, sorted by name", "/assets/register/?sort=name", None),
            ("asset list, sorted by name descending, page 10",
             "/assets/register/?sort=-name&page=10", None),
            (f"asset CSV export ({export_label})",
             f"/assets/register/?{export_filter}&export=csv", "text/csv"),
            ("risk list, page 1", "/risks/register/", None),
            ("risk list, above appetite", "/risks/register/?above_appetite=true", None),
            ("heat map, all risks", "/risks/heat-map/", None),
            ("heat map, one department + threat leakage",
             f"/risks/heat-map/?department={section.pk}&threat={leakage.pk}", None),
            ("heat map, not accepted", "/risks/heat-map/?accepted=false", None),
            ("API /api/assets/assets/ (limit 50)", "/api/assets/assets/", "application/json"),
            ("API /api/assets/assets/?offset=20000", "/api/assets/assets/?offset=20000",
             "application/json"),
            ("API /api/risks/risks/ (limit 50)", "/api/risks/risks/", "application/json"),
        ]:
            response = measure(label, get(client, url, content_type)).result
            if content_type == "text/csv":
                lines = response.content.count(b"\n")
                print(f"    {lines - 1} rows, {len(response.content) / 1e6:.1f} MB", flush=True)

    print("conformance checks of Art 3 and 5:", flush=True)
    for check in conformance.checks():
        if check.article in ("3", "5"):
            result = measure(check.code, lambda check=check: conformance.run_check(check)).result
            print(f"    {result.status}: measured {result.value}{result.unit}, "
                  f"{result.failing_count} failing", flush=True)
    measure("conformance.evaluate() (all articles)",
            lambda: conformance.evaluate(conformance.SYSTEM), repeat=3)


if __name__ == "__main__":
    main()
