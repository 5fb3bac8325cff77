"""Incidents reported at the same moment are all saved, each with its own number.

The number used to be "the year's highest + 1" read before the INSERT, so on PostgreSQL two
simultaneous reports got the same number and one of them failed with HTTP 500 (issue 12). These
tests send the reports from real threads, each with its own database connection, through the
same view staff use."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mamori.core.models import Counter
from mamori.core.testing import concurrent_writes_possible, run_at_once, signed_in_client
from mamori.incidents.models import Incident

REPORTERS = 12


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_are_all_saved_with_distinct_numbers(org):
    concurrent_writes_possible()
    year = timezone.localdate().year
    # A number typed by hand earlier: the series continues after it, it is not given twice.
    Incident.objects.create(code=f"INC-{year}-0007", title="earlier",
                            reported_by=org.people["staff"], department=org.sales_east)
    clients = [signed_in_client(org.users["staff"]) for _ in range(REPORTERS)]
    statuses: list[int] = []

    def report(n: int):
        response = clients[n].post(reverse("incidents:incident_create"), {
            "title": f"同時報告 {n}", "description": "", "occurred_at": "",
            "noticed_at": "2026-04-01T09:15", "department": org.sales_east.pk,
            "data_affected": ""})
        statuses.append(response.status_code)

    errors = run_at_once(report, REPORTERS)
    assert not errors
    assert statuses == [302] * REPORTERS
    codes = sorted(Incident.objects.filter(title__startswith="同時報告")
                   .values_list("code", flat=True))
    assert codes == [f"INC-{year}-{n:04d}" for n in range(8, 8 + REPORTERS)]
    assert Counter.objects.get(name=f"incidents.incident:{year}").value == 7 + REPORTERS


@pytest.mark.django_db(transaction=True)
def test_a_report_that_fails_gives_its_number_back(org):
    year = timezone.localdate().year
    staff = org.people["staff"]
    with pytest.raises(ValueError), transaction.atomic():
        Incident.objects.create(title="rolled back", reported_by=staff,
                                department=org.sales_east)
        raise ValueError("the request failed after the incident was saved")
    kept = Incident.objects.create(title="kept", reported_by=staff, department=org.sales_east)
    assert kept.code == f"INC-{year}-0001"
