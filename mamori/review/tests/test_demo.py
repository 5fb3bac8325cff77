"""The demo's measures, objectives and management reviews (mamori.review.demo) on top of the
whole demo: two years of monthly values of every built-in measure and the manual measures'
own histories, four objectives none of them late, last year's review held on a frozen pack
with its three decisions (one action overdue), this year's in preparation; the Art 12
checks (a), (c) and (d) passing and (b) failing for the overdue action alone; a second run
writing nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from mamori.core.conformance import FAIL, PASS
from mamori.core.dates import add_months
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry
from mamori.improvement.models import ImprovementAction, Source
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.org.models import Person
from mamori.review import conformance, demo
from mamori.review.calculators import BUILTINS
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
)
from mamori.review.models.measures import MONTHS_OF, period_start

MODELS = (Measure, Measurement, Objective, ManagementReview, ReviewPack, ReviewDecision,
          ImprovementAction)


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_measures_objectives_and_reviews(tmp_path):
    load_demo(tmp_path, io.StringIO())
    assert demo_steps()[-1] is demo.load_review_demo  # after every record it reads
    for step in demo_steps():
        step(DEFAULT_SEED)
    today = timezone.localdate()
    this_month = today.replace(day=1)

    # Every active built-in measure over two years: the current period computed now and the
    # periods before at their ends; a stock measure with a value of every period for each
    # department and category it has now, a flow one with what its calculation gives for
    # each period from the demo's records. The incidents' response times are read quarterly.
    builtins = Measure.objects.exclude(builtin="").filter(active=True)
    assert builtins.exists() and not builtins.filter(owner=None).exists()
    assert set(builtins.filter(frequency="quarterly").values_list("builtin", flat=True)) == (
        set(demo.QUARTERLY))
    computed = Measurement.objects.filter(measure__in=builtins)
    assert not computed.filter(computed=False).exists()
    assert set(computed.values_list("measure", flat=True)) == set(
        builtins.values_list("pk", flat=True))
    for measure in builtins:
        definition, step = BUILTINS[measure.builtin], MONTHS_OF[measure.frequency]
        current = period_start(today, measure.frequency)
        periods = [add_months(current, -back * step)
                   for back in range(demo.HISTORY_MONTHS // step)]
        rows = computed.filter(measure=measure)
        assert rows.filter(department=None).exists(), measure.builtin
        assert rows.exclude(department=None).exists() == measure.by_department, measure.builtin
        assert not rows.filter(value__lt=0).exists()
        if measure.unit == "percent":
            assert not rows.filter(value__gt=100).exists()
        if definition.flow:
            for period in periods[1:]:
                last_day = add_months(period, step) - datetime.timedelta(days=1)
                assert {(r.department_id, r.category): r.value
                        for r in rows.filter(period=period)} == {
                    (v.department_id, v.category): v.value
                    for v in definition.compute(last_day, measure.frequency)
                    if measure.by_department or v.department_id is None}
            continue
        series = rows.values("department", "category").annotate(
            n=Count("pk"), first=Min("period"), last=Max("period"))
        assert {(s["n"], s["first"], s["last"]) for s in series} == {
            (len(periods), periods[-1], current)}, measure.builtin
        past = rows.exclude(period=current).first()
        end = timezone.localtime(past.measured_at) + datetime.timedelta(hours=1)
        assert end.date() == add_months(past.period, step)  # the period's last hour
        assert not rows.filter(period=current).exclude(
            measured_at__gte=timezone.now() - datetime.timedelta(hours=1)).exists()
    incidents = computed.filter(measure__builtin="incidents_reported", department=None,
                                category="")
    assert incidents.count() == demo.HISTORY_MONTHS  # a count of none is a measured 0
    assert incidents.filter(value__gt=0).exists() and incidents.filter(value=0).exists()

    # The three measures entered by hand, owned, each up to its last complete period.
    manual = {m.code: m for m in Measure.objects.filter(builtin="")}
    assert set(manual) == set(demo.MANUAL)
    for code, spec in demo.MANUAL.items():
        measure, values = manual[code], spec[-1]
        assert measure.owner is not None and measure.target is not None
        history = list(measure.measurements.order_by("period").values_list("value", flat=True))
        assert history == [Decimal(v) for v in values]
        assert not measure.measurements.filter(computed=True).exists()
    patching = manual[demo.PATCHING].measurements
    assert patching.aggregate(Max("period"))["period__max"] == add_months(this_month, -1)
    assert manual[demo.SURVEY].owner.department.code == demo.HR

    # Four objectives: achieved, re-planned once with its reason, two on their way.
    assert Objective.objects.count() == 4
    assert dict(Objective.objects.values_list("status").annotate(Count("pk"))) == {
        "achieved": 1, "in_progress": 2, "planned": 1}
    replanned = Objective.objects.get(replanned_count=1)
    assert replanned.replan_reason and replanned.first_target_on < today < replanned.target_on
    assert replanned.replanned_on < replanned.first_target_on
    assert not Objective.objects.filter(replanned_count__gt=1).exists()
    assert not Objective.objects.filter(Objective.objects.late_q()).exists()
    assert replanned.measures.get().code == demo.PHISHING
    assert Objective.objects.filter(measures__builtin__gt="").exists()

    # Last year's review: eleven months ago, chaired by an officer, held on its frozen pack.
    held = ManagementReview.objects.get(status="held")
    assert held.held_on == add_months(today, -11)
    assert held.chair.category == Person.Category.OFFICER
    attending = set(held.attendees.values_list("user__username", flat=True))
    assert {"ciso", "manager"} <= attending  # the CISO and the Card Business's head
    assert held.attendees.count() == 1 + len(demo.ATTENDING)
    assert held.pack.intact and held.pack.frozen_at.date() < held.held_on
    assert held.frozen_at == held.pack.frozen_at and held.frozen_by.user.username == "ciso"
    assert held.period_start == add_months(held.held_on, -12)
    # The pack covers the year up to the day it was frozen, as measured until then.
    inputs = held.pack.data
    frozen_on = timezone.localdate(held.frozen_at)
    assert inputs["review"]["period"] == {"start": held.period_start.isoformat(),
                                          "end": frozen_on.isoformat()}
    measured = inputs["performance"]["measures"]
    assert measured["total"] == Measure.objects.filter(active=True).count()
    assert all(day <= frozen_on.isoformat() for row in measured["rows"]
               for day, _value in row["series"])
    assert inputs["performance"]["objectives"]["total"] == 0  # set since
    assert held.minutes and held.feedback and held.opportunities
    assert held.held_on < held.closed_on < today
    # Three decisions, each with its improvement action: two done, the last one overdue.
    decisions = list(held.decisions.order_by("number"))
    assert [d.number for d in decisions] == [1, 2, 3]
    actions = [d.action for d in decisions]
    assert all(a.source == Source.MANAGEMENT_REVIEW and a.source_object() == held
               for a in actions)
    assert [a.status for a in actions] == ["done", "done", "open"]
    assert [a.overdue for a in actions] == [False, False, True]
    assert all(a.raised_on == held.held_on and a.owner == d.owner
               for a, d in zip(actions, decisions, strict=True))

    # This year's: three weeks from now, in preparation, with what the pack will read.
    coming = ManagementReview.objects.get(status="preparing")
    assert coming.held_on == today + datetime.timedelta(days=21)
    assert coming.chair == held.chair and coming.feedback and coming.opportunities
    assert coming.effective_period_start() == held.held_on
    assert ManagementReview.objects.count() == 2
    # (A decision is valid only while its review is frozen: not checked once it is held.)
    for record in (held, coming, *actions, *Objective.objects.all(), *Measure.objects.all()):
        record.full_clean()

    # Art 12: (a) held within its interval, (b) fails for the overdue action alone, (c) every
    # measure is current, (d) no objective is late.
    assert conformance.review_held().status == PASS
    actioned = conformance.decisions_actioned()
    assert actioned.status == FAIL and actioned.failing_count == 1
    assert list(actioned.failing_objects) == [decisions[2]]
    assert conformance.measures_current().status == PASS
    assert conformance.objectives_on_track().status == PASS

    # Idempotent: a second run writes nothing.
    logged = ChangeLogEntry.objects.count()
    counts = [model.objects.count() for model in MODELS]
    assert demo.load_review_demo(DEFAULT_SEED) == 0
    assert ChangeLogEntry.objects.count() == logged
    assert [model.objects.count() for model in MODELS] == counts
