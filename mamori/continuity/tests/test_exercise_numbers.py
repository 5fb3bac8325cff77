"""Exercises recorded at the same moment each get their own number (EX-<year>-NNNN), from
real threads writing through the page; a number typed by hand is never given again."""

import pytest
from django.urls import reverse

from mamori.continuity.models import Exercise
from mamori.core.testing import concurrent_writes_possible, run_at_once, signed_in_client

WRITERS = 10


@pytest.mark.django_db(transaction=True)
def test_simultaneous_exercises_get_distinct_numbers(org):
    concurrent_writes_possible()
    Exercise.objects.create(code="EX-2026-0003", title="手入力", kind="tabletop",
                            department=org.sales, planned_on="2026-03-01", scenario="停電")
    clients = [signed_in_client(org.users["manager"]) for _ in range(WRITERS)]
    statuses = []

    def record_one(n):
        response = clients[n].post(reverse("continuity:exercise_create"), {
            "code": "", "title": f"同時 {n}", "kind": "tabletop", "department": org.sales.pk,
            "planned_on": "2026-04-01", "held_on": "", "scenario": "停電", "findings": ""})
        statuses.append(response.status_code)

    assert not run_at_once(record_one, WRITERS)
    assert statuses == [302] * WRITERS
    codes = sorted(Exercise.objects.filter(title__startswith="同時").values_list(
        "code", flat=True))
    assert codes == [f"EX-2026-{n:04d}" for n in range(4, 4 + WRITERS)]
