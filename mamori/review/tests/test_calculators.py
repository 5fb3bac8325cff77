"""The built-in measures against values worked out by hand on small data sets, and record():
once per period, quiet when nothing changed, logged when something did, inactive measures
skipped, and a number of queries that does not grow with the departments.

The `org` fixture (mamori/conftest.py) has five people: the CISO (executive officer) and the
auditor (employee) in the head office D000, the manager (employee) in Sales D100, the staff
member (employee) in Sales East D110 and the IT member (dispatched worker) in IT D200."""

import datetime
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from mamori.controls.models import Control, Evidence
from mamori.core.context import Actor, acting_as
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import query_count
from mamori.improvement.models import (
    CorrectiveAction,
    ImprovementAction,
    Nonconformity,
    Source,
)
from mamori.improvement.tests.test_improvement_models import make_action, make_nc
from mamori.incidents.models import BreachAssessment, Incident, RegulatoryReport, Severity
from mamori.incidents.tests.factories import make_incident
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.org.models import Department, Person
from mamori.policies import workflow as policy_workflow
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyVersion
from mamori.review import calculators
from mamori.review.models import Measure, Measurement
from mamori.review.models.measures import period_start
from mamori.review.tasks import record_measures
from mamori.risks.models import Risk, RiskAcceptance, RiskMethodology, Threat
from mamori.training.models import Assignment, Programme, TrainingSettings
from mamori.training.tests.coverage_fixtures import complete, programme
from mamori.websec.models import TlsProfile, WebEndpoint

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate()
MARCH = datetime.date(2025, 3, 15)  # the flow measures' period: March 2025 (Tokyo time)


def values(key, on=TODAY, frequency="monthly") -> dict:
    """{(department code or None, category): value} of one measure."""
    codes = dict(Department.objects.values_list("pk", "code"))
    return {(codes.get(v.department_id), v.category): v.value
            for v in calculators.BUILTINS[key].compute(on, frequency)}


def at(day: datetime.date, hour=0, minute=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def test_every_measure_is_defined_once_with_its_unit_and_direction():
    assert list(calculators.BUILTINS) == [
        "policy_acknowledgement", "training_completion", "controls_evidenced",
        "risks_above_appetite_untreated", "incidents_reported", "incident_containment_hours",
        "incident_recovery_hours", "breach_reports_on_time", "tls_endpoints_passing",
        "audit_findings_open", "corrective_actions_overdue", "conformance_by_article"]
    flows = {k for k, b in calculators.BUILTINS.items() if b.flow}
    assert flows == {"incidents_reported", "incident_containment_hours",
                     "incident_recovery_hours", "breach_reports_on_time"}
    assert {k: (b.unit, b.direction, b.target, b.by_department)
            for k, b in calculators.BUILTINS.items()}["incidents_reported"] == (
        "count", "lower", None, True)
    # Every built-in measure has its row, created after migrate (review.defaults).
    assert set(Measure.objects.exclude(builtin="").values_list("builtin", flat=True)) == set(
        calculators.BUILTINS)


# -- 1 policy acknowledgement ---------------------------------------------------------------


def publish_basic_policy(org) -> PolicyVersion:
    document = PolicyDocument.objects.create(
        code="basic-policy", kind=PolicyDocument.Kind.BASIC_POLICY, title_ja="基本方針",
        title_en="Basic policy", owner_department=org.company)
    version = PolicyVersion.objects.create(document=document, body_ja="# 基本方針\n\n本文",
                                           body_en="# Basic policy\n\nText")
    for step in ("submit", "approve", "publish"):
        policy_workflow.STEPS[step].function(org.users["ciso"], version)
    version.refresh_from_db()
    return version


def acknowledge(version, *people):
    for person in people:
        Acknowledgement.objects.create(person=person, version=version,
                                       content_hash=version.content_hash)


def test_policy_acknowledgement(org):
    assert values("policy_acknowledgement") == {}  # no basic policy: no value, not 0 or 100
    version = publish_basic_policy(org)
    people = org.people
    # Not counted: someone who left, and contractor staff (bound by their contracts).
    Person.objects.create(employee_no="L1", name="退職者", category="employee",
                          department=org.it, status="left", left_on=days_ago(3))
    Person.objects.create(employee_no="C1", name="委託先社員", category="contractor",
                          department=org.it)
    assert values("policy_acknowledgement") == {(None, ""): D("0.00"), ("D000", ""): D("0.00"),
                                                ("D100", ""): D("0.00"),
                                                ("D110", ""): D("0.00"),
                                                ("D200", ""): D("0.00")}
    acknowledge(version, people["ciso"], people["manager"], people["staff"])
    # 3 of the 5 people in scope = 60.00; head office: the CISO of CISO and auditor = 50.00;
    # Sales 1/1, Sales East 1/1 = 100.00; IT: its dispatched worker has not = 0.00.
    assert values("policy_acknowledgement") == {
        (None, ""): D("60.00"), ("D000", ""): D("50.00"), ("D100", ""): D("100.00"),
        ("D110", ""): D("100.00"), ("D200", ""): D("0.00")}


# -- 2 training completion ------------------------------------------------------------------


def test_training_completion_per_person_category_and_department(org):
    assert values("training_completion") == {}  # no mandatory programme running
    made = programme()  # mandatory, yearly, everyone: 5 assignments
    programme("optional", mandatory=False)  # never counted
    people = org.people
    complete(made, people["ciso"], people["staff"], people["it_staff"])
    # 3 of 5 = 60.00. Categories: executive officer 1/1 = 100.00; employee (manager, staff,
    # auditor) 1/3 = 33.33; dispatched 1/1 = 100.00. Head office (CISO done, auditor not)
    # 1/2 = 50.00; Sales 0/1 = 0.00; Sales East 1/1 and IT 1/1 = 100.00.
    assert values("training_completion") == {
        (None, ""): D("60.00"), (None, "executive_officer"): D("100.00"),
        (None, "employee"): D("33.33"), (None, "dispatched"): D("100.00"),
        ("D000", ""): D("50.00"), ("D100", ""): D("0.00"), ("D110", ""): D("100.00"),
        ("D200", ""): D("100.00")}
    # A cancelled assignment is not counted: the manager's goes, Sales has no value left.
    Assignment.objects.filter(programme=made, person=people["manager"]).update(
        status="cancelled")
    found = values("training_completion")
    assert (found[(None, "")], found[(None, "employee")]) == (D("75.00"), D("50.00"))
    assert ("D100", "") not in found


# -- 3 controls with current evidence -------------------------------------------------------


def control(code, department, status="implemented", evidence=()):
    made = Control.objects.create(code=code, title_ja=code, theme="technological",
                                  department=department, status=status)
    for expires_on in evidence:
        Evidence.objects.create(control=made, kind="note", title=f"{code} 記録", note="確認",
                                expires_on=expires_on)
    return made


def test_controls_evidenced(org):
    control("C-0", org.sales, status="planned", evidence=[None])
    assert values("controls_evidenced") == {}  # nothing implemented
    control("C-1", org.sales, evidence=[None])  # evidence that never expires
    control("C-2", org.sales, evidence=[days_ago(1)])  # expired yesterday
    control("C-3", org.sales, evidence=[days_ago(30), days_ago(-1)])  # one still current
    control("C-4", org.it, evidence=[TODAY])  # expires today: no longer counts
    control("C-5", org.it)  # no evidence at all
    # Implemented: C-1..C-5; evidenced C-1, C-3: 2/5 = 40.00. Sales 2/3 = 66.67; IT 0/2.
    assert values("controls_evidenced") == {(None, ""): D("40.00"), ("D100", ""): D("66.67"),
                                            ("D200", ""): D("0.00")}


# -- 4 risks above the appetite without treatment -------------------------------------------


def test_risks_above_appetite_untreated(org):
    threat = Threat.objects.order_by("pk").first()

    def risk(code, department, likelihood=3, impact=3, **fields):
        return Risk.objects.create(code=code, title_ja=code, threat=threat,
                                   department=department, likelihood=likelihood,
                                   impact=impact, **fields)

    # The default appetite is 3: a score of 9 is above it.
    risk("R-1", org.sales_east, treatment="reduce")  # no control yet: untreated
    risk("R-2", org.sales_east, treatment="transfer")
    risk("R-3", org.it, treatment="reduce").controls.add(control("C-9", org.it))
    accepted = risk("R-4", org.it, treatment="accept")
    RiskAcceptance.objects.create(risk=accepted, accepted_by=org.people["ciso"],
                                  accepted_on=days_ago(10), expires_on=days_ago(-10),
                                  justification="費用")
    lapsed = risk("R-5", org.it, treatment="accept")  # its acceptance has expired
    RiskAcceptance.objects.create(risk=lapsed, accepted_by=org.people["ciso"],
                                  accepted_on=days_ago(400), expires_on=days_ago(1),
                                  justification="費用")
    risk("R-6", org.sales, likelihood=1, impact=1)  # within the appetite
    risk("R-7", org.sales, status="closed")
    # R-1 (Sales East) and R-5 (IT): 2; every other active department 0.
    assert values("risks_above_appetite_untreated") == {
        (None, ""): D(2), ("D000", ""): D(0), ("D100", ""): D(0), ("D110", ""): D(1),
        ("D200", ""): D(1)}


# -- 5-7 incidents --------------------------------------------------------------------------


def test_incidents_reported_in_the_period(org):
    make_incident(org.sales, "月初", noticed_at=at(datetime.date(2025, 3, 1)), severity="high")
    make_incident(org.sales, "月末", noticed_at=at(datetime.date(2025, 3, 31), 23, 59),
                  severity="low")
    make_incident(org.it, "中旬", noticed_at=at(datetime.date(2025, 3, 10), 12),
                  severity="high")
    make_incident(org.it, "前月", noticed_at=at(datetime.date(2025, 2, 28), 23, 59),
                  severity="critical")
    make_incident(org.it, "翌月", noticed_at=at(datetime.date(2025, 4, 1)))
    # March: 3 (high 2, low 1, medium and critical 0); Sales 2, IT 1, the others 0.
    assert values("incidents_reported", MARCH) == {
        (None, ""): D(3), (None, "low"): D(1), (None, "medium"): D(0), (None, "high"): D(2),
        (None, "critical"): D(0), ("D000", ""): D(0), ("D100", ""): D(2), ("D110", ""): D(0),
        ("D200", ""): D(1)}
    # The first quarter holds the February one too: 4.
    assert values("incidents_reported", MARCH, "quarterly")[(None, "")] == D(4)
    # A month without incidents is a measured 0.
    assert values("incidents_reported", datetime.date(2025, 6, 1))[(None, "")] == D(0)


def test_median_times_to_contain_and_recover(org):
    day = datetime.date

    def incident(title, aware, contained=None, recovered=None, noticed=None):
        return make_incident(org.it, title, aware_at=aware, noticed_at=noticed or aware,
                             contained_at=contained, recovered_at=recovered)

    incident("A", at(day(2025, 3, 1), 9), at(day(2025, 3, 1), 21), at(day(2025, 3, 2), 9))
    # B: no awareness recorded, counted from when it was noticed; recovered in April.
    make_incident(org.it, "B", noticed_at=at(day(2025, 3, 5)),
                  contained_at=at(day(2025, 3, 6), 6), recovered_at=at(day(2025, 4, 1), 6))
    incident("C", at(day(2025, 3, 10)), at(day(2025, 3, 10), 1, 30), at(day(2025, 3, 12)))
    incident("D", at(day(2025, 2, 20)), at(day(2025, 2, 25)))  # contained in February
    incident("E", at(day(2025, 3, 20)), at(day(2025, 3, 21)), at(day(2025, 3, 25)))
    incident("F", at(day(2025, 3, 22)))  # neither contained nor recovered
    # Contained in March: A 12 h, B 30 h, C 1.5 h, E 24 h: median (12 + 24) / 2 = 18.00.
    assert values("incident_containment_hours", MARCH) == {(None, ""): D("18.00")}
    # Recovered in March: A 24 h, C 48 h, E 120 h: median 48.00. B's is April's: 27 days
    # and 6 hours = 654 h.
    assert values("incident_recovery_hours", MARCH) == {(None, ""): D("48.00")}
    assert values("incident_recovery_hours", day(2025, 4, 2)) == {(None, ""): D("654.00")}
    # Nothing contained in May: no value.
    assert values("incident_containment_hours", day(2025, 5, 15)) == {}


# -- 8 breach reports on time ---------------------------------------------------------------


def test_breach_reports_on_time(org):
    day = datetime.date
    reportable = make_incident(org.sales, "漏えい", aware_at=at(day(2025, 3, 1)))
    BreachAssessment.objects.create(incident=reportable, personal_data=True, sensitive=True,
                                    persons_affected=10)
    assert BreachAssessment.objects.get(incident=reportable).reportable
    other = make_incident(org.it, "紛失", aware_at=at(day(2025, 3, 1)))
    BreachAssessment.objects.create(incident=other, personal_data=False)
    PPC, FSA = RegulatoryReport.Recipient.PPC, RegulatoryReport.Recipient.FSA

    def report(incident, kind, due, submitted=None, recipient=PPC):
        RegulatoryReport.objects.create(incident=incident, recipient=recipient, kind=kind,
                                        due_on=due, submitted_on=submitted)

    report(reportable, "preliminary", day(2025, 3, 5), day(2025, 3, 4))  # on time
    report(reportable, "final", day(2025, 3, 10), day(2025, 3, 12))  # late
    report(reportable, "final", day(2025, 3, 12))  # missing, past due on the 15th: late
    report(reportable, "preliminary", day(2025, 3, 20))  # not yet due: not counted
    report(reportable, "preliminary", day(2025, 3, 25), day(2025, 3, 14))  # on time, early
    report(reportable, "preliminary", day(2025, 3, 5), day(2025, 3, 9), recipient=FSA)
    report(reportable, "supplementary", day(2025, 3, 5), day(2025, 3, 9))
    report(reportable, "final", day(2025, 2, 28), day(2025, 3, 2))  # due in February
    report(other, "preliminary", day(2025, 3, 5), day(2025, 3, 9))  # not reportable
    # Counted: on time, late, late, on time: 2/4 = 50.00.
    assert values("breach_reports_on_time", MARCH) == {(None, ""): D("50.00")}
    assert values("breach_reports_on_time", day(2025, 6, 15)) == {}  # none due in June


# -- 9 TLS endpoints ------------------------------------------------------------------------


def test_tls_endpoints_passing(org):
    assert values("tls_endpoints_passing") == {}
    now = timezone.now()
    profile = TlsProfile.objects.get(code="intermediate")
    port = iter(range(9001, 9100))

    def endpoint(name, scanned=now, verdict=(True, True, True), **fields):
        authentication, encryption, integrity = verdict
        return WebEndpoint.objects.create(
            name=name, url=f"https://127.0.0.1:{next(port)}/", department=org.it,
            profile=profile, last_full_scan_at=scanned, authentication_ok=authentication,
            encryption_ok=encryption, integrity_ok=integrity, **fields)

    endpoint("passing")
    endpoint("weak cipher", verdict=(True, False, True))
    endpoint("stale", scanned=now - datetime.timedelta(days=3))  # counts 48 h after a scan
    endpoint("incomplete", verdict=(None, None, None))  # unknown: not counted
    endpoint("never scanned", scanned=None, verdict=(None, None, None))  # not passing
    endpoint("switched off", active=False)
    # Counted: passing, weak cipher, stale, never scanned: 1/4 = 25.00.
    assert values("tls_endpoints_passing") == {(None, ""): D("25.00")}


# -- 10-11 audit findings and corrective actions --------------------------------------------


def test_open_audit_findings(org):
    audit = {"source": Source.AUDIT}
    make_nc(org.sales, title="open", **audit)
    make_nc(org.sales, title="planned", status="planned", **audit)
    make_nc(org.it, title="closed", status="closed", **audit)
    make_nc(org.it, title="from an incident", source=Source.INCIDENT)

    def action(department, status="open", source=Source.AUDIT):
        ImprovementAction.objects.create(title=status, department=department, status=status,
                                         source=source, due_on=days_ago(-30))

    action(org.it)
    action(org.sales_east, "done")
    action(org.sales_east, "declined")
    action(org.it, source=Source.SELF_IDENTIFIED)
    # Sales: 2 nonconformities; IT: 1 improvement action; company 3.
    assert values("audit_findings_open") == {
        (None, ""): D(3), ("D000", ""): D(0), ("D100", ""): D(2), ("D110", ""): D(0),
        ("D200", ""): D(1)}


def test_overdue_corrective_actions(org):
    sales, it = make_nc(org.sales), make_nc(org.it, title="IT")
    owner = org.people["staff"]
    make_action(sales, owner, title="late", due_on=days_ago(1))
    make_action(sales, owner, title="done late", due_on=days_ago(10), done_on=days_ago(2))
    make_action(sales, owner, title="due today", due_on=TODAY)
    make_action(it, owner, title="late too", due_on=days_ago(5))
    assert values("corrective_actions_overdue") == {
        (None, ""): D(2), ("D000", ""): D(0), ("D100", ""): D(1), ("D110", ""): D(0),
        ("D200", ""): D(1)}


# -- 12 conformance per article -------------------------------------------------------------


def test_conformance_per_article(org):
    found = values("conformance_by_article")
    # Art 4 has one check (one current CISO): it passes. Art 1 (a published basic policy)
    # fails. Art 2: people classified passes, basic policy acknowledged fails: 1/2 = 50.00.
    # The web section's only check does not apply without endpoints: no value.
    assert (found[(None, "4")], found[(None, "1")], found[(None, "2")]) == (
        D("100.00"), D("0.00"), D("50.00"))
    assert (None, "web") not in found
    assert all(department is None for department, _category in found)
    version = publish_basic_policy(org)
    acknowledge(version, *Person.objects.all())
    WebEndpoint.objects.create(
        name="会員サイト", url="https://127.0.0.1:9443/", department=org.it,
        profile=TlsProfile.objects.get(code="intermediate"), last_full_scan_at=timezone.now(),
        authentication_ok=True, encryption_ok=False, integrity_ok=True)
    found = values("conformance_by_article")
    assert (found[(None, "1")], found[(None, "2")], found[(None, "web")]) == (
        D("100.00"), D("100.00"), D("0.00"))
    # The whole: the passing share of every check that applies, counted here from the
    # registry's results one by one.
    from mamori.core import conformance

    statuses = [o.result.status for article in conformance.evaluate(conformance.SYSTEM)
                for o in article.outcomes]
    applied = [s for s in statuses if s in (conformance.PASS, conformance.FAIL)]
    assert found[(None, "")] == calculators.share(applied.count(conformance.PASS),
                                                  len(applied))


# -- compute_all and record -----------------------------------------------------------------


def measurement_entries():
    return ChangeLogEntry.objects.filter(model="review.measurement")


def stored(key, on=TODAY) -> dict:
    codes = dict(Department.objects.values_list("pk", "code"))
    return {(codes.get(m.department_id), m.category): m.value
            for m in Measurement.objects.filter(measure__builtin=key,
                                                period=on.replace(day=1))}


def test_compute_all_gives_every_measure(org):
    computed = calculators.compute_all(TODAY)
    assert list(computed) == list(calculators.BUILTINS)
    assert computed["incidents_reported"][0] == calculators.Value(None, "", D(0))
    assert computed["policy_acknowledgement"] == []


def test_record_writes_each_period_once_and_only_what_changed(org):
    make_incident(org.sales, "誤送信", severity="high")
    written = calculators.record(TODAY)
    rows = Measurement.objects.filter(period=TODAY.replace(day=1))
    assert written == rows.count() > 0
    assert not rows.filter(computed=False).exists()
    assert stored("incidents_reported")[(None, "")] == D(1)
    assert stored("incidents_reported")[("D100", "")] == D(1)
    assert measurement_entries().filter(action="create").count() == written
    first = dict(rows.values_list("pk", "measured_at"))

    # Run again the same day, and on the first of the month: nothing changed, nothing is
    # written or logged.
    entries = measurement_entries().count()
    assert calculators.record(TODAY) == 0
    assert calculators.record(TODAY.replace(day=1)) == 0
    assert measurement_entries().count() == entries
    assert dict(rows.values_list("pk", "measured_at")) == first

    # A new incident in IT changes three values: the company's, high's and IT's.
    make_incident(org.it, "障害", severity="high")
    assert calculators.record(TODAY) == 3
    assert stored("incidents_reported")[(None, "")] == D(2)
    it = Measurement.objects.get(measure__builtin="incidents_reported",
                                 department=org.it, period=TODAY.replace(day=1))
    assert it.value == D(1) and it.measured_at > first[it.pk]
    update = measurement_entries().get(action="update", object_id=str(it.pk))
    assert (update.before["value"], update.after["value"]) == ("0.00", "1.00")
    assert Measurement.objects.filter(period=TODAY.replace(day=1)).count() == written


def test_record_skips_inactive_measures_and_keeps_to_the_keys_asked(org):
    Measure.objects.filter(builtin="incidents_reported").update(active=False)
    calculators.record(TODAY)
    assert not Measurement.objects.filter(measure__builtin="incidents_reported").exists()
    assert Measurement.objects.filter(measure__builtin="audit_findings_open").exists()
    Measurement.objects.all().delete()
    assert calculators.record(TODAY, keys=["corrective_actions_overdue"]) == 5
    assert set(Measurement.objects.values_list("measure__builtin", flat=True)) == {
        "corrective_actions_overdue"}


def test_a_quarterly_measure_is_recorded_for_its_quarter(org):
    Measure.objects.filter(builtin="incidents_reported").update(frequency="quarterly")
    make_incident(org.sales, "二月", noticed_at=at(datetime.date(2025, 2, 3)))
    calculators.record(MARCH, keys=["incidents_reported"])
    row = Measurement.objects.get(measure__builtin="incidents_reported", department=None,
                                  category="")
    assert (row.period, row.value) == (datetime.date(2025, 1, 1), D(1))


def test_a_company_only_measure_keeps_no_department_values(org):
    Measure.objects.filter(builtin="audit_findings_open").update(by_department=False)
    calculators.record(TODAY, keys=["audit_findings_open"])
    assert list(Measurement.objects.values_list("department", "value")) == [(None, D(0))]


def add_department(number: int):
    """A department with someone in it and records of every kind that has one."""
    department = Department.objects.create(code=f"D9{number:02d}", name_ja=f"部{number}")
    person = Person.objects.create(employee_no=f"N{number:03d}", name=f"追加 {number}",
                                   category="employee", department=department)
    control(f"C-N{number}", department, evidence=[None])
    make_action(make_nc(department, title=f"NC {number}", source=Source.AUDIT), person,
                due_on=days_ago(3))
    make_incident(department, f"事故 {number}", severity="low")
    return department


def queries_of_record() -> tuple[int, int, int]:
    """Queries of a first run (every row created) and of a run updating every row, and the
    rows the first wrote."""
    Measurement.objects.all().delete()
    written = []
    created = query_count(lambda: written.append(calculators.record(TODAY)))
    Measurement.objects.update(value=D("-1"))
    updated = query_count(lambda: calculators.record(TODAY))
    return created, updated, written[0]


def test_record_runs_as_many_queries_whatever_the_number_of_departments(org):
    version = publish_basic_policy(org)
    acknowledge(version, org.people["ciso"])
    programme()
    add_department(1)
    queries_of_record()  # once first, so that what is read once per process is read
    created, updated, few_rows = queries_of_record()
    for number in range(2, 7):
        add_department(number)
    more_created, more_updated, more_rows = queries_of_record()
    assert (more_created, more_updated) == (created, updated)
    assert more_rows >= few_rows + 5 * 6  # six more values for each department


def test_the_daily_task_records_as_a_task(org):
    assert record_measures.call() > 0
    entry = measurement_entries().first()
    assert (entry.source, entry.actor_name) == ("task", "task:record_measures")
    with acting_as(Actor(None, "test", "command")):
        assert record_measures.call() == 0


# -- the demo: every value per department against a plain count over the objects ------------


def by_department(found: list, category: str = "") -> dict:
    return {v.department_id: v.value for v in found if v.category == category}


def check_counts(found: list, expected: Counter) -> None:
    """A count measure: each department's value is its count (0 when it has none), and the
    company's the sum."""
    values = by_department(found)
    assert values.pop(None) == sum(expected.values())
    assert {pk for pk, n in expected.items() if n and pk is not None} <= set(values)
    assert values == {pk: D(expected.get(pk, 0)) for pk in values}


def check_shares(found: list, sums: dict, category: str = "") -> None:
    """A percentage: each department's value from its [part, whole], the company's from the
    sums of every row (people without a department included)."""
    values = by_department(found, category)
    company = [sum(p for p, _w in sums.values()), sum(w for _p, w in sums.values())]
    assert values.pop(None) == calculators.share(*company)
    assert values == {pk: calculators.share(part, whole)
                      for pk, (part, whole) in sums.items() if pk is not None and whole}


@pytest.mark.slow
def test_the_demo_values_match_a_plain_count_of_the_records(tmp_path):
    load_demo(tmp_path, io.StringIO())
    for step in demo_steps():
        step(DEFAULT_SEED)
    today = timezone.localdate()
    computed = calculators.compute_all(today)
    frequency = dict(Measure.objects.values_list("builtin", "frequency"))

    # 1: the people the basic policy is for, and who acknowledged its current version.
    document = PolicyDocument.objects.get(kind=PolicyDocument.Kind.BASIC_POLICY)
    version = document.current_version()
    assert version.audience == PolicyVersion.Audience.ALL_STAFF
    baseline = document.acknowledgement_baseline().number
    acknowledged = {a.person_id for a in Acknowledgement.objects.select_related("version")
                    if a.version.document_id == document.pk and a.version.number >= baseline}
    sums = defaultdict(lambda: [0, 0])
    for person in Person.objects.all():
        if person.category in Person.POLICY_SCOPE and person.status != Person.Status.LEFT:
            sums[person.department_id][1] += 1
            sums[person.department_id][0] += person.pk in acknowledged
    assert len(sums) > 10 and len(acknowledged) > 0
    check_shares(computed["policy_acknowledgement"], sums)

    # 2: the assignments of the running mandatory programmes in their current cycle.
    settings = TrainingSettings.current()
    running = {p.pk: p for p in Programme.objects.all() if p.mandatory and p.is_running(today)}
    sums, categories = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for assignment in Assignment.objects.all():
        made = running.get(assignment.programme_id)
        if made is None or assignment.status == Assignment.Status.CANCELLED:
            continue
        cycle = settings.fiscal_year(today) if made.recurrence == "yearly" else 0
        if assignment.cycle != cycle:
            continue
        done = assignment.status == Assignment.Status.COMPLETED
        for key, table in ((assignment.department_id, sums), (assignment.category, categories)):
            table[key][0] += done
            table[key][1] += 1
    assert len(sums) > 10
    check_shares(computed["training_completion"], sums)
    for category, (part, whole) in categories.items():
        assert by_department(computed["training_completion"], category)[None] == (
            calculators.share(part, whole))

    # 3: implemented controls with evidence that has not expired.
    sums = defaultdict(lambda: [0, 0])
    for made in Control.objects.prefetch_related("evidence"):
        if made.status == Control.Status.IMPLEMENTED:
            sums[made.department_id][1] += 1
            sums[made.department_id][0] += any(e.is_current for e in made.evidence.all())
    check_shares(computed["controls_evidenced"], sums)

    # 4: open risks above the appetite, neither treated nor accepted.
    appetite = RiskMethodology.current().appetite
    untreated = Counter()
    for risk in Risk.objects.prefetch_related("controls", "acceptances"):
        treated = (risk.treatment == "reduce" and risk.controls.all()) or (
            risk.treatment in ("transfer", "avoid"))
        accepted = any(a.in_force for a in risk.acceptances.all())
        if risk.status != "closed" and risk.current_score > appetite and not (
                treated or accepted):
            untreated[risk.department_id] += 1
    check_counts(computed["risks_above_appetite_untreated"], untreated)

    # 5: incidents noticed in the current period, per department and per severity.
    period = period_start(today, frequency["incidents_reported"])
    reported, severities = Counter(), Counter()
    for incident in Incident.objects.all():
        noticed = timezone.localtime(incident.noticed_at).date()
        if period_start(noticed, frequency["incidents_reported"]) == period:
            reported[incident.department_id] += 1
            severities[incident.severity] += 1
    check_counts(computed["incidents_reported"], reported)
    for severity in Severity.values:
        assert by_department(computed["incidents_reported"], severity)[None] == (
            severities[severity])

    # 10: audit findings not closed or done; 11: corrective actions past their due date.
    findings = Counter(nc.department_id for nc in Nonconformity.objects.all()
                       if nc.source == Source.AUDIT and nc.status != "closed")
    findings.update(a.department_id for a in ImprovementAction.objects.all()
                    if a.source == Source.AUDIT and a.status == "open")
    assert sum(findings.values()) > 0
    check_counts(computed["audit_findings_open"], findings)
    overdue = Counter(a.nonconformity.department_id
                      for a in CorrectiveAction.objects.select_related("nonconformity")
                      if a.done_on is None and a.due_on < today)
    check_counts(computed["corrective_actions_overdue"], overdue)

    # Recording them stores exactly these values for the period (the review demo recorded
    # today's already: nothing is left to change).
    calculators.record(today)
    for measure in Measure.objects.exclude(builtin="").filter(active=True):
        rows = {(m.department_id, m.category): m.value for m in Measurement.objects.filter(
            measure=measure, period=period_start(today, measure.frequency))}
        wanted = {(v.department_id, v.category): v.value for v in calculators.BUILTINS[
            measure.builtin].compute(today, measure.frequency)
            if measure.by_department or v.department_id is None}
        assert {k: rows.get(k) for k in wanted} == wanted, measure.builtin
