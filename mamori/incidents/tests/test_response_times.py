"""Response times per severity against the targets (incidents.metrics), on the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.core.testing import query_count
from mamori.incidents.models import Incident
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db


def test_times_and_late_counts_per_severity(org):
    aware = timezone.now() - datetime.timedelta(days=10)
    # high: contain within 24 h, recover within 72 h
    make_incident(org.sales, "漏えい1", severity="high", aware_at=aware,
                  contained_at=aware + datetime.timedelta(hours=2),
                  recovered_at=aware + datetime.timedelta(hours=50))
    make_incident(org.sales, "漏えい2", severity="high", aware_at=aware,
                  contained_at=aware + datetime.timedelta(hours=30),
                  recovered_at=aware + datetime.timedelta(hours=100))
    make_incident(org.it, "停止", severity="critical", aware_at=aware)
    page = org.client("ciso").get(reverse("incidents:incident_response_times"))
    assert page.status_code == 200
    rows = {row.severity: row for row in page.context["rows"]}
    high = rows["high"]
    assert (high.incidents, high.contained, high.recovered) == (2, 2, 2)
    assert high.contain_avg == datetime.timedelta(hours=16)
    assert high.recover_max == datetime.timedelta(hours=100)
    assert (high.contained_late, high.recovered_late) == (1, 1)
    assert rows["critical"].incidents == 1 and rows["critical"].contain_avg is None
    assert rows["low"].incidents == 0
    assert "16時間 0分" in page.content.decode() or "16 h 0 min" in page.content.decode()


def test_scope_and_constant_queries(org):
    aware = timezone.now() - datetime.timedelta(days=3)
    make_incident(org.sales, "営業", severity="low", aware_at=aware)
    make_incident(org.it, "IT", severity="low", aware_at=aware)
    client = org.client("manager")
    rows = {r.severity: r for r in client.get(
        reverse("incidents:incident_response_times")).context["rows"]}
    assert rows["low"].incidents == 1  # the IT department's incident is out of scope
    url = reverse("incidents:incident_response_times")
    before = query_count(lambda: client.get(url))
    for i in range(5):
        make_incident(org.sales, f"追加{i}", severity="medium", aware_at=aware)
    assert query_count(lambda: client.get(url)) == before
    assert Incident.objects.count() == 7
