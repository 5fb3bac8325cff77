"""The Art 7 coverage checks: closed internal audits within the cycle cover every active
department (with those below it) and every article; external audits, audits not closed and
audits closed before the cycle do not count. And the demo's audits, whose checks fail where
the demo means them to."""

import datetime
import io

import pytest
from django.utils import timezone

from mamori.audits.models import Audit, AuditSettings, ChecklistItem, PolicyArticle
from mamori.audits.tests.test_audit_models import make_audit
from mamori.core import conformance
from mamori.core.conformance import FAIL, PASS, SYSTEM
from mamori.org.models import Department

DEPARTMENTS = "audits.art7.departments_covered"
ARTICLES = "audits.art7.articles_covered"


def run(code):
    return next(c for c in conformance.checks() if c.code == code).function()


def closed_audit(departments, numbers, closed_on=None, kind=Audit.Kind.INTERNAL):
    audit = make_audit(departments=departments, kind=kind)
    audit.articles.set(PolicyArticle.objects.filter(number__in=numbers))
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.CLOSED,
                                             closed_on=closed_on or timezone.localdate())
    return audit


def failing(result):
    return sorted(f.label for f in result.failing_for(SYSTEM).objects)


@pytest.mark.django_db
def test_the_checks_are_registered_against_article_7():
    codes = {c.code: c.article for c in conformance.checks() if c.code.startswith("audits.")}
    assert codes == {DEPARTMENTS: "7", ARTICLES: "7"}


@pytest.mark.django_db
def test_departments_are_covered_with_those_below_them(org):
    assert run(DEPARTMENTS).status == FAIL  # nothing audited yet
    closed_audit([org.sales], ["5"])  # covers Sales East below it
    result = run(DEPARTMENTS)
    assert failing(result) == sorted(str(d) for d in (org.company, org.it))
    # An audit under way, an external audit and one closed before the cycle do not count.
    make_audit(departments=[org.company])
    closed_audit([org.company], ["5"], kind=Audit.Kind.ISO_SURVEILLANCE)
    cycle_start = AuditSettings.current().cycle_start()
    closed_audit([org.company], ["5"], closed_on=cycle_start - datetime.timedelta(days=1))
    assert run(DEPARTMENTS).status == FAIL
    closed_audit([org.company], ["1"], closed_on=cycle_start)
    assert run(DEPARTMENTS).status == PASS
    # An inactive department need not be audited; a new one must.
    Department.objects.create(code="D900", name_ja="新設部", is_active=False)
    assert run(DEPARTMENTS).status == PASS
    new = Department.objects.create(code="D901", name_ja="独立部署")
    assert failing(run(DEPARTMENTS)) == [str(new)]


@pytest.mark.django_db
def test_every_article_must_be_covered(org):
    closed_audit([org.company], [n for n, _t in conformance.ARTICLES if n != "9"])
    result = run(ARTICLES)
    assert result.status == FAIL and failing(result) == [str(PolicyArticle.objects.get(
        number="9"))]
    seen = result.failing_for(org.users["staff"])
    assert len(seen.objects) == 1  # the articles are everyone's to read
    closed_audit([org.it], ["9"])
    assert run(ARTICLES).status == PASS


@pytest.mark.django_db
def test_a_longer_cycle_counts_audits_of_earlier_years(org):
    settings = AuditSettings.objects.get()
    two_years_ago = timezone.localdate() - datetime.timedelta(days=400)
    closed_audit([org.company], [n for n, _t in conformance.ARTICLES], closed_on=two_years_ago)
    assert run(ARTICLES).status == FAIL
    settings.cycle_years = 3
    settings.save()
    assert run(ARTICLES).status == PASS and run(DEPARTMENTS).status == PASS


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_audits(tmp_path):
    from mamori.audits.demo import FIRST_TITLE, load_audit_demo
    from mamori.core.demo import demo_steps
    from mamori.improvement.models import ImprovementAction, Nonconformity
    from mamori.org.demo import DEFAULT_SEED, load_demo

    load_demo(tmp_path, io.StringIO())
    for step in demo_steps():
        step(DEFAULT_SEED)
    first = Audit.objects.get(title=FIRST_TITLE)
    assert first.status == "closed" and first.programme is not None
    assert not first.items.filter(result=ChecklistItem.Result.NOT_AUDITED).exists()
    # Independent: nobody on the team belongs to an audited department.
    audited = {d.pk for d in first.departments.all()}
    assert all(p.department_id not in audited for p in (first.lead_auditor,
                                                         *first.team.all()))
    closed = Nonconformity.objects.get(status="closed")
    assert closed.source_object().audit == first
    assert closed.effectiveness_checks.get().effective
    major = Nonconformity.objects.get(severity="major", source="audit")
    assert major.corrective_actions.get().overdue
    assert major.corrective_actions.get().owner.user.username == "staff"
    assert ImprovementAction.objects.get(source="audit").source_object().audit == first
    assert Audit.objects.filter(kind__in=("iso_surveillance", "pci_dss"),
                                status="closed").count() == 2
    outcome = {c.code: c.function().status for c in conformance.checks()
               if c.code.startswith(("improvement.art7", "audits."))}
    assert outcome == {"improvement.art7.corrective_actions_on_time": FAIL,
                       "improvement.art7.major_plan_on_time": PASS,
                       "improvement.art7.closed_verified": PASS,
                       DEPARTMENTS: FAIL, ARTICLES: FAIL}
    for record in (*Audit.objects.all(), *Nonconformity.objects.all(),
                   *ImprovementAction.objects.all()):
        record.full_clean()
    assert load_audit_demo(DEFAULT_SEED) == 0
