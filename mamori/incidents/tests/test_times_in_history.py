"""Times in an incident's change log are shown in the site's time zone (Japan), as on the
incident's own page: a timeline entry at 09:49 UTC is 18:49, not 09:49 (issue 16 item 7).
The change log stores them as ISO text in UTC; the pages read them as times."""

import datetime

import pytest
from django.urls import reverse

from mamori.incidents import workflow
from mamori.incidents.models import IncidentEntry
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db

AT_UTC = datetime.datetime(2026, 4, 1, 9, 49, tzinfo=datetime.UTC)  # 18:49 in Japan


def test_the_incidents_history_shows_its_times_in_japan(org):
    incident = make_incident(org.sales, "誤送信", noticed_at=AT_UTC)
    page = org.client("manager").get(reverse("incidents:incident_history", args=[incident.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "2026-04-01 18:49" in text
    assert "09:49" not in text


def test_a_timeline_entry_in_the_change_log_shows_its_time_in_japan(org):
    incident = make_incident(org.sales, "誤送信", noticed_at=AT_UTC - datetime.timedelta(hours=1))
    entry = workflow.add_entry(incident, org.users["manager"], IncidentEntry.Kind.NOTE,
                               "宛先を確認した", at=AT_UTC)
    page = org.client("ciso").get(reverse("core:changelog") + "?model=incidents.incidententry")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2026-04-01 18:49" in text
    assert "09:49" not in text
    assert entry.pk


def test_text_that_looks_like_a_time_is_left_as_written(org):
    """Only date-time fields are read as times: a title is shown as typed."""
    incident = make_incident(org.sales, "2026-04-01T09:49:00+00:00", noticed_at=AT_UTC)
    page = org.client("manager").get(reverse("incidents:incident_history", args=[incident.pk]))
    assert "2026-04-01T09:49:00+00:00" in page.content.decode()
