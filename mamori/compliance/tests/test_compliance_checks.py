"""The Art 11 checks (compliance.conformance): each passes on a register that meets it, fails
for each of its reasons, is not applicable on an empty register, and runs the same number of
queries for 5 obligations as for 50."""

import datetime

import pytest

from mamori.compliance.models import ComplianceException, ImpactAssessment, Obligation
from mamori.compliance.tests.helpers import (
    days,
    evaluate,
    make_exception,
    make_obligation,
    make_source,
    make_version,
    today,
)
from mamori.controls.tests.test_control_models import make_control
from mamori.core import conformance
from mamori.core.conformance import FAIL, NOT_APPLICABLE, PASS, SYSTEM
from mamori.core.dates import add_months
from mamori.core.testing import query_count
from mamori.improvement.models import Nonconformity

pytestmark = pytest.mark.django_db

KEPT = "compliance.art11.obligations_kept"
HANDLED = "compliance.art11.non_compliance_handled"
ASSESSED = "compliance.art11.amendments_assessed"


def run(code):
    check = conformance.check_named(code)
    assert check is not None and check.article == "11"
    return check.function()


def status(code) -> str:
    return run(code).status


def failing(code, reader=SYSTEM) -> set[str]:
    """The labels of the failing objects `reader` is shown."""
    return {obj.label for obj in run(code).failing_for(reader).objects}


@pytest.fixture
def appi(org):
    source = make_source("appi")
    make_version(source, "2020", datetime.date(2020, 6, 12))
    return source


def kept_obligation(org, source, code, department=None, evaluated_days_ago=30, **fields):
    """An obligation that meets check (a): owned, mapped to a control, evaluated lately."""
    department = department or org.sales
    obligation = make_obligation(source, code, department, **fields)
    obligation.controls.add(make_control(department, f"C-{code}"))
    if evaluated_days_ago is not None:
        evaluate(obligation, org.people["manager"], evaluated_on=days(-evaluated_days_ago))
    return obligation


def test_the_three_checks_are_registered_for_article_11():
    codes = {check.code for check in conformance.checks() if check.article == "11"}
    assert {KEPT, HANDLED, ASSESSED} <= codes


# -- (a) every obligation that applies is owned, mapped and evaluated -----------------------


def test_obligations_kept_is_not_applicable_when_none_applies(org, appi):
    assert status(KEPT) == NOT_APPLICABLE
    make_obligation(appi, "APPI-U", None, applicability="undecided")
    make_obligation(appi, "APPI-N", org.it, applicability="not_applicable")
    result = run(KEPT)
    assert result.status == NOT_APPLICABLE and result.detail


def test_obligations_kept_passes_when_owned_mapped_and_evaluated(org, appi):
    kept_obligation(org, appi, "APPI-1")
    kept_obligation(org, appi, "APPI-2", department=org.it)
    make_obligation(appi, "APPI-N", None, applicability="not_applicable")  # not counted
    result = run(KEPT)
    assert (result.status, result.value, result.failing_count) == (PASS, 100.0, 0)


def test_an_obligation_without_an_owner_fails(org, appi):
    obligation = kept_obligation(org, appi, "APPI-1")
    Obligation.objects.filter(pk=obligation.pk).update(department=None)
    assert status(KEPT) == FAIL
    assert failing(KEPT) == {str(obligation)}


def test_an_obligation_without_a_control_fails(org, appi):
    obligation = kept_obligation(org, appi, "APPI-1")
    kept_obligation(org, appi, "APPI-2")
    obligation.controls.clear()
    result = run(KEPT)
    assert (result.status, result.value, result.failing_count) == (FAIL, 50.0, 1)
    assert failing(KEPT) == {str(obligation)}


def test_an_obligation_never_evaluated_fails(org, appi):
    obligation = kept_obligation(org, appi, "APPI-1", evaluated_days_ago=None)
    assert status(KEPT) == FAIL
    assert failing(KEPT) == {str(obligation)}
    evaluate(obligation, org.people["manager"])
    assert status(KEPT) == PASS


def test_each_obligation_is_held_to_its_own_interval(org, appi):
    """Evaluated eight months ago: late for an obligation evaluated every six months, in
    time for one evaluated every two years."""
    eight_months_ago = add_months(today(), -8)
    half_yearly = kept_obligation(org, appi, "APPI-6", evaluated_days_ago=None,
                                  interval_months=6)
    biennial = kept_obligation(org, appi, "APPI-24", evaluated_days_ago=None,
                               interval_months=24)
    for obligation in (half_yearly, biennial):
        evaluate(obligation, org.people["manager"], evaluated_on=eight_months_ago)
    assert status(KEPT) == FAIL
    assert failing(KEPT) == {str(half_yearly)}
    # The latest evaluation counts, not an older one.
    evaluate(half_yearly, org.people["manager"], evaluated_on=days(-2))
    assert status(KEPT) == PASS
    # Due on the day the interval ends, late the day after.
    Obligation.objects.filter(pk=biennial.pk).update(interval_months=8)
    assert status(KEPT) == PASS
    biennial.evaluations.update(evaluated_on=eight_months_ago - datetime.timedelta(days=1))
    assert failing(KEPT) == {str(biennial)}


def test_the_manager_is_named_only_their_failing_obligations(org, appi):
    theirs = kept_obligation(org, appi, "APPI-S", evaluated_days_ago=None)
    kept_obligation(org, appi, "APPI-I", department=org.it, evaluated_days_ago=None)
    seen = run(KEPT).failing_for(org.users["manager"])
    assert [obj.label for obj in seen.objects] == [str(theirs)]
    assert (seen.in_scope, seen.outside_scope) == (1, 1)


# -- (b) every non-compliance has an open action or an accepted exception -------------------


@pytest.fixture
def not_compliant(org, appi):
    """An obligation whose latest evaluation found it not compliant: its nonconformity was
    raised with it."""
    obligation = kept_obligation(org, appi, "APPI-1", evaluated_days_ago=None)
    evaluation = evaluate(obligation, org.people["manager"], result="not_compliant",
                          evaluated_on=days(-3), evidence="監査記録がない")
    return obligation, evaluation


def test_non_compliance_handled_is_not_applicable_without_a_non_compliance(org, appi):
    assert status(HANDLED) == NOT_APPLICABLE
    obligation = kept_obligation(org, appi, "APPI-1", evaluated_days_ago=None)
    evaluate(obligation, org.people["manager"], result="partial", evidence="一部")
    assert status(HANDLED) == NOT_APPLICABLE
    # Not compliant once, partially compliant since: nothing the check handles.
    evaluate(obligation, org.people["manager"], result="not_compliant", evidence="x",
             evaluated_on=days(-10))
    assert status(HANDLED) == NOT_APPLICABLE


def test_the_nonconformity_raised_with_the_evaluation_handles_it(org, not_compliant):
    _obligation, evaluation = not_compliant
    assert evaluation.nonconformities().get().status == Nonconformity.Status.OPEN
    assert status(HANDLED) == PASS
    evaluation.nonconformities().update(status=Nonconformity.Status.PLANNED)
    assert status(HANDLED) == PASS


def test_a_closed_nonconformity_and_no_exception_fails(org, not_compliant):
    obligation, evaluation = not_compliant
    evaluation.nonconformities().update(status=Nonconformity.Status.CLOSED,
                                        closed_on=today())
    assert status(HANDLED) == FAIL
    assert failing(HANDLED) == {str(obligation)}


def test_a_deleted_nonconformity_and_no_exception_fails(org, not_compliant):
    obligation, evaluation = not_compliant
    evaluation.nonconformities().get().delete()
    assert status(HANDLED) == FAIL
    assert failing(HANDLED) == {str(obligation)}


def test_the_nonconformity_of_an_older_evaluation_does_not_handle_the_latest(org, appi):
    obligation = kept_obligation(org, appi, "APPI-1", evaluated_days_ago=None)
    evaluate(obligation, org.people["manager"], result="not_compliant", evidence="x",
             evaluated_on=days(-40))
    latest = evaluate(obligation, org.people["manager"], result="not_compliant",
                      evidence="まだ", evaluated_on=days(-1))
    latest.nonconformities().update(status=Nonconformity.Status.CLOSED, closed_on=today())
    assert Nonconformity.objects.filter(status=Nonconformity.Status.OPEN).count() == 1
    assert status(HANDLED) == FAIL


def test_a_current_exception_handles_it_until_it_expires(org, not_compliant):
    obligation, evaluation = not_compliant
    evaluation.nonconformities().update(status=Nonconformity.Status.CLOSED,
                                        closed_on=today())
    exception = make_exception(obligation, accepted_on=days(-10), expires_on=days(30))
    assert status(HANDLED) == PASS
    ComplianceException.objects.filter(pk=exception.pk).update(expires_on=today())
    assert status(HANDLED) == FAIL  # accepted until today: over
    ComplianceException.objects.filter(pk=exception.pk).update(expires_on=days(-1))
    assert status(HANDLED) == FAIL
    assert failing(HANDLED) == {str(obligation)}


def test_an_exception_not_yet_begun_does_not_handle_it(org, not_compliant):
    obligation, evaluation = not_compliant
    evaluation.nonconformities().get().delete()
    make_exception(obligation, accepted_on=days(5), expires_on=days(60))
    assert status(HANDLED) == FAIL


def test_an_exception_for_another_obligation_does_not_handle_it(org, appi, not_compliant):
    _obligation, evaluation = not_compliant
    evaluation.nonconformities().get().delete()
    make_exception(kept_obligation(org, appi, "APPI-2"))
    assert status(HANDLED) == FAIL


# -- (c) no amendment in force without its impact assessments done --------------------------


def test_amendments_assessed_is_not_applicable_until_one_takes_effect(org, appi):
    assert status(ASSESSED) == NOT_APPLICABLE
    make_obligation(appi, "APPI-1", org.sales)
    make_version(appi, "2027", days(30))  # raises an open assessment, due later
    assert ImpactAssessment.objects.open().count() == 1
    assert status(ASSESSED) == NOT_APPLICABLE
    make_version(appi, "2026", today())  # takes effect today: due today, not late yet
    assert status(ASSESSED) == NOT_APPLICABLE


def test_an_assessment_open_after_the_effective_date_fails(org, appi):
    obligation = make_obligation(appi, "APPI-1", org.sales)
    amendment = make_version(appi, "2027", days(30))
    amendment.effective_on = days(-1)  # it took effect yesterday
    amendment.save()
    assessment = ImpactAssessment.objects.get()
    assert assessment.due_on == days(-1)
    assert status(ASSESSED) == FAIL
    assert failing(ASSESSED) == {str(assessment)}
    assert obligation.code in str(assessment)
    assessment.status = ImpactAssessment.Status.NO_CHANGE
    assessment.assessment = "様式の変更のみで影響なし"
    assessment.save()
    result = run(ASSESSED)
    assert (result.status, result.value) == (PASS, 100.0)


def test_the_manager_is_named_only_their_late_assessments(org, appi):
    make_obligation(appi, "APPI-S", org.sales_east)
    make_obligation(appi, "APPI-I", org.it)
    make_version(appi, "2026", days(-5))
    seen = run(ASSESSED).failing_for(org.users["manager"])
    assert [obj.label for obj in seen.objects] == [
        str(ImpactAssessment.objects.get(obligation__code="APPI-S"))]
    assert (seen.in_scope, seen.outside_scope) == (1, 1)


# -- the queries do not grow with the register ----------------------------------------------


def grow_register(org, source, start, count):
    """`count` more obligations, each failing something: a mix of intervals, some never
    evaluated, some not compliant with their nonconformity closed, each with a late
    assessment of the amendment already in force."""
    manager = org.people["manager"]
    amendment = source.versions.get(version="2026")
    for n in range(start, start + count):
        department = (org.sales, org.sales_east, org.it)[n % 3]
        obligation = make_obligation(source, f"APPI-{n:03d}", department,
                                     interval_months=(1, 3, 6, 12, 24)[n % 5])
        if n % 4:
            obligation.controls.add(make_control(department, f"C-{n:03d}"))
        if n % 2:
            evaluation = evaluate(obligation, manager, result="not_compliant",
                                  evaluated_on=days(-(n % 90) - 1), evidence="x")
            if n % 3 == 0:
                evaluation.nonconformities().update(status=Nonconformity.Status.CLOSED,
                                                    closed_on=today())
            if n % 5 == 0:
                make_exception(obligation, accepted_on=days(-30), expires_on=days(-1 - n % 2))
        amendment.affected.add(obligation)


def check_queries(code, reader):
    def read():
        result = run(code)
        result.failing_for(reader)
        return result

    return query_count(read)


@pytest.mark.parametrize("code", [KEPT, HANDLED, ASSESSED])
@pytest.mark.parametrize("reader", ["system", "manager"])
def test_the_queries_of_a_check_do_not_grow_with_the_obligations(org, appi, code, reader):
    make_version(appi, "2026", days(-10), affects_all=False)
    who = SYSTEM if reader == "system" else org.users["manager"]
    grow_register(org, appi, 0, 5)
    assert status(code) == FAIL
    check_queries(code, who)  # the reader's roles are read once, then kept
    few = check_queries(code, who)
    grow_register(org, appi, 5, 45)
    assert Obligation.objects.count() == 50
    assert status(code) == FAIL
    assert check_queries(code, who) == few


def test_the_intervals_in_use_are_read_in_one_query(org, appi):
    """Check (a) compares each obligation with its own interval: the intervals in use are
    one query, the verdict another (two counts on PostgreSQL), whatever their number."""
    for n, months in enumerate((1, 2, 3, 6, 12, 18, 24, 36, 60)):
        kept_obligation(org, appi, f"APPI-{n}", interval_months=months)
    assert status(KEPT) == PASS
    assert check_queries(KEPT, SYSTEM) <= 3
