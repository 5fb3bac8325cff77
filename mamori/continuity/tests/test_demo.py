"""The demo's business continuity (mamori.continuity.demo) on top of the whole demo: the Art 10
checks fail where the demo means them to (card authorisation missed its RTO in the failover
exercise, and its dependencies have open gaps) and pass elsewhere."""

import io

import pytest

from mamori.continuity import conformance, gaps
from mamori.continuity.demo import load_continuity_demo
from mamori.continuity.models import (
    BusinessProcess,
    ExerciseResult,
    ImpactAnalysis,
    PlanInvocation,
)
from mamori.core.conformance import FAIL, PASS
from mamori.core.demo import demo_steps
from mamori.incidents.models import IncidentEntry
from mamori.org.demo import DEFAULT_SEED, load_demo


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_continuity(tmp_path):
    load_demo(tmp_path, io.StringIO())
    for step in demo_steps():
        step(DEFAULT_SEED)
    assert BusinessProcess.objects.count() == 5
    assert not ImpactAnalysis.objects.exclude(status="approved").exists()
    auth = BusinessProcess.objects.get(code="BP-AUTH")
    assert auth.current_bia().rto_hours == 2
    missed = ExerciseResult.objects.get(process=auth)
    assert missed.met_rto(auth.current_bia().rto_hours) is False
    outcome = {name: check().status for name, check in (
        ("bia", conformance.current_bia), ("plan", conformance.covered_by_plan),
        ("exercised", conformance.exercised), ("gaps", conformance.dependency_gaps))}
    assert outcome == {"bia": PASS, "plan": PASS, "exercised": FAIL, "gaps": FAIL}
    exercised = conformance.exercised()
    assert exercised.failing_count == 1
    assert list(exercised.failing_objects.values_list("code", flat=True)) == ["BP-AUTH"]
    failing = {gap.process for gap in gaps.open_gaps(
        gaps.load(), BusinessProcess.objects.values_list("pk", flat=True))}
    assert failing == {auth.pk}
    invocation = PlanInvocation.objects.get()
    assert IncidentEntry.objects.filter(incident=invocation.incident,
                                        text__contains="bcp-card-business").exists()
    assert load_continuity_demo(DEFAULT_SEED) == 0
