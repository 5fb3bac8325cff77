"""Mamori benchmarks for the policies app: acknowledgement coverage at company scale.

    .venv/bin/python bench/policies.py                  # SQLite in a temporary data directory
    DATABASE_URL=postgres://… .venv/bin/python bench/policies.py   # PostgreSQL (data is added)

Builds BENCH_PEOPLE people (default 50,000) in ~50 departments and 20 published documents
(audiences: everyone in scope, by person category, by department), with about 80 % of the
audience acknowledging the basic policy and a random share each of the others (bulk_create,
so the change log gets one entry per acknowledgement, written in batches). Then measures the
Art 2 conformance check, coverage() and coverage_by_department(), the coverage page, My page
for a member of staff with many documents to read, a version page, and the dashboard.
Prints the time per operation and the queries it ran; tests never assert on these times.
"""

import datetime
import os
import random
import time

from common import (  # sets up Django first
    build_departments,
    report,
    timed,
    weighted,
)
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "50000"))
SEED = int(os.environ.get("BENCH_SEED", "7"))
ACK_BATCH = 5000

# Person categories and statuses, roughly as in a large Japanese company (contractors and
# leavers are outside the policy's scope: the audience is everyone else).
CATEGORIES = [("employee", 80), ("dispatched", 10), ("contractor", 6), ("executive_officer", 2),
              ("officer", 2)]
STATUSES = [("active", 95), ("on_leave", 2), ("left", 3)]


def build_documents(stamp, root, divisions, sections, admin, staff_person):
    """20 published documents: the basic policy and 7 more for everyone in scope, 6 by
    category, 6 by department (each including the staff member's section or division)."""
    from mamori.policies import workflow
    from mamori.policies.model_policy import model_documents
    from mamori.policies.models import PolicyDocument, PolicyVersion

    basic = next(m for m in model_documents() if m.kind == PolicyDocument.Kind.BASIC_POLICY)
    body_ja = "# 規程\n\n" + "".join(
        f"## 第{n}条（条項{n}） {{#art-{n}}}\n\n本規程の第{n}条を定める。\n\n" for n in range(1, 9))
    body_en = "# Rules\n\n" + "".join(
        f"## Article {n} (Clause {n}) {{#art-{n}}}\n\nStates article {n}.\n\n"
        for n in range(1, 9))
    staff_section = staff_person.department
    specs = [("basic", PolicyDocument.Kind.BASIC_POLICY, "all", None)]
    specs += [(f"rule-all-{i}", PolicyDocument.Kind.INTERNAL_RULE, "all", None) for i in range(7)]
    for i, categories in enumerate([["employee"], ["dispatched"], ["officer", "executive_officer"],
                                    ["employee", "dispatched"], ["employee"], ["dispatched"]]):
        specs.append((f"standard-cat-{i}", PolicyDocument.Kind.STANDARD, "categories",
                      categories))
    for i, departments in enumerate([[staff_section.parent], [staff_section],
                                     [staff_section, sections[-1]], [divisions[-1]],
                                     [staff_section.parent, divisions[-1]], [sections[-2]]]):
        specs.append((f"procedure-dept-{i}", PolicyDocument.Kind.PROCEDURE, "departments",
                      departments))
    # Earlier runs against the same database: their basic policies are no longer the one the
    # Art 2 check measures.
    PolicyDocument.objects.filter(kind=PolicyDocument.Kind.BASIC_POLICY,
                                  code__startswith="bench-").update(is_active=False)
    versions = {}
    for key, kind, audience, choice in specs:
        is_basic = kind == PolicyDocument.Kind.BASIC_POLICY
        document = PolicyDocument.objects.create(
            code=f"bench-{stamp}-{key}", kind=kind, owner_department=root,
            title_ja=basic.title_ja if is_basic else f"ベンチ規程 {key}",
            title_en=basic.title_en if is_basic else f"Bench rules {key}")
        version = PolicyVersion.objects.create(
            document=document, body_ja=basic.body_ja if is_basic else body_ja,
            body_en=basic.body_en if is_basic else body_en, audience=audience,
            audience_categories=choice if audience == "categories" else [])
        if audience == "departments":
            version.audience_departments.set(choice)
        for step in ("submit", "approve", "publish"):
            workflow.STEPS[step].function(admin, version)
        versions[key] = version
    # Published a while ago, so the acknowledgement deadline of most has passed.
    long_ago = timezone.now() - datetime.timedelta(days=45)
    PolicyVersion.objects.filter(pk__in=[v.pk for v in versions.values()]).update(
        published_at=long_ago)
    for version in versions.values():
        version.refresh_from_db()
    return versions


def acknowledge(versions, staff_person, rng) -> int:
    """80 % of the basic policy's audience, a random share (30–95 %) of each other's; the
    staff member acknowledges nothing."""
    from mamori.policies import coverage
    from mamori.policies.models import Acknowledgement

    total = 0
    for key, version in versions.items():
        share = 0.8 if key == "basic" else rng.uniform(0.3, 0.95)
        # Person objects, not ids: the change log names each acknowledgement by str(), which
        # would otherwise fetch its person one query at a time.
        people = list(coverage.audience(version).exclude(pk=staff_person.pk)
                      .only("pk", "name", "name_latin").order_by("pk"))
        chosen = rng.sample(people, int(len(people) * share))
        since = version.published_at
        for start in range(0, len(chosen), ACK_BATCH):
            with transaction.atomic():
                Acknowledgement.objects.bulk_create(
                    [Acknowledgement(person=person, version=version,
                                     content_hash=version.content_hash,
                                     acknowledged_at=since + datetime.timedelta(
                                         seconds=rng.randrange(30 * 86400)),
                                     user_agent="bench")
                     for person in chosen[start:start + ACK_BATCH]],
                    batch_size=1000)
        total += len(chosen)
    return total


def main():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from mamori.core import conformance
    from mamori.core.context import Actor, acting_as
    from mamori.core.models import User
    from mamori.core.testing import query_count
    from mamori.org.models import Person
    from mamori.policies import coverage
    from mamori.policies.models import Acknowledgement, PolicyDocument

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; people: {PEOPLE}", flush=True)
    rng = random.Random(SEED)
    stamp = time.time_ns()

    with acting_as(Actor(None, "command:bench", "command")):
        with transaction.atomic():
            root, divisions, sections = build_departments(f"PB{stamp}", 7)
        places = divisions + sections * 5  # most people sit in a section
        batch = [Person(employee_no=f"PB{stamp}-{i}", name=f"従業者 {i}",
                        category=weighted(rng, CATEGORIES), status=weighted(rng, STATUSES),
                        department=rng.choice(places)) for i in range(PEOPLE)]
        for person in batch:
            if person.status == "left":
                person.left_on = datetime.date(2024, 3, 31)
        seconds, _ = timed(lambda: Person.objects.bulk_create(batch, batch_size=1000))
        report("bulk_create people (+1 log entry each)", seconds, PEOPLE, "row")

        admin = User.objects.create_user(f"bench-admin-{stamp}", system_role="admin")
        TOTP.activate(admin, generate_totp_secret())
        staff_user = User.objects.create_user(f"bench-staff-{stamp}")
        staff_person = Person.objects.create(
            employee_no=f"PB{stamp}-staff", name="ベンチ 太郎", category="employee",
            department=sections[0], user=staff_user)

        seconds, versions = timed(lambda: build_documents(stamp, root, divisions, sections,
                                                          admin, staff_person))
        report("create + submit/approve/publish documents", seconds, len(versions), "doc")
        seconds, acks = timed(lambda: acknowledge(versions, staff_person, rng))
        report("bulk_create acknowledgements (+1 log entry each)", seconds, acks, "row")

    if connection.vendor == "postgresql":
        # What autovacuum would soon do after such a load: plans then match a steady state.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    basic = versions["basic"].document
    by_department = versions["procedure-dept-0"].document  # the staff member's division
    check = next(c for c in conformance.checks()
                 if c.code == "policies.art2.basic_policy_acknowledged")
    assert conformance.run_check(check).value is not None
    print(f"acknowledgements: {Acknowledgement.objects.count()}; documents: "
          f"{PolicyDocument.objects.count()}; basic policy audience "
          f"{coverage.coverage(basic).total}, {by_department.code} audience "
          f"{coverage.coverage(by_department).total}", flush=True)

    from mamori.core.testing import signed_in_client

    # Signed in as after password and code (administrators must pass the second factor).
    admin_client, staff_client = signed_in_client(admin), signed_in_client(staff_user)

    def measure(label, fn, repeat=5, unit="op"):
        queries = query_count(fn)  # also warms caches
        seconds, result = timed(fn, repeat)
        report(label, seconds, repeat, unit, queries=queries)
        return result

    result = measure("conformance check policies.art2 (basic policy)",
                     lambda: conformance.run_check(check))
    print(f"    measured {result.value}{result.unit}, {result.failing_count} failing",
          flush=True)
    measure("coverage(basic policy)", lambda: coverage.coverage(basic))
    measure("coverage(department-audience document)", lambda: coverage.coverage(by_department))
    rows = measure("coverage_by_department(basic policy)",
                   lambda: coverage.coverage_by_department(basic))
    print(f"    {len(rows)} departments", flush=True)
    panel = measure("documents_to_acknowledge(staff member)",
                    lambda: coverage.documents_to_acknowledge(staff_person))
    print(f"    {len(panel)} documents to acknowledge", flush=True)

    def get(client, url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        return fetch

    for label, client, url in [
        ("GET coverage page (admin, basic policy)", admin_client,
         f"/policies/documents/{basic.pk}/coverage/"),
        ("GET coverage page (admin, department document)", admin_client,
         f"/policies/documents/{by_department.pk}/coverage/"),
        ("GET document page (admin, basic policy)", admin_client, basic.get_absolute_url()),
        ("GET /me/ (staff member, many documents)", staff_client, "/me/"),
        ("GET version page (staff member, basic policy)", staff_client,
         versions["basic"].get_absolute_url()),
        ("GET /dashboard/ (admin, all checks)", admin_client, "/dashboard/"),
    ]:
        measure(label, get(client, url), repeat=3, unit="req")


if __name__ == "__main__":
    main()
