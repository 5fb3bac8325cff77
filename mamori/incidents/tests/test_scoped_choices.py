"""The owner of a recovery action changes it without seeing its incident: the form keeps the
incident without naming it, and the filters neither list incidents nor people outside the
user's view."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from mamori.core.forms import NOT_VISIBLE
from mamori.core.testing import api_client
from mamori.incidents.models import RecoveryAction
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def action_of_hidden_incident(org):
    incident = make_incident(org.it, "基幹サーバへの不正アクセス", assignee=org.people["it_staff"])
    return RecoveryAction.objects.create(incident=incident, title="パスワードの変更",
                                         owner=org.people["staff"],
                                         due_on=datetime.date(2025, 5, 1))


def test_owner_edits_the_action_without_being_shown_its_incident(org, action_of_hidden_incident):
    action, client = action_of_hidden_incident, org.client("staff")
    url = reverse("incidents:recoveryaction_update", args=[action.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # (The action's own name carries its incident's number; the title is the incident's.)
    assert "不正アクセス" not in page
    with translation.override("en"):
        assert escape(str(NOT_VISIBLE)) in page
    response = client.post(url, {"incident": action.incident_id, "title": "パスワードの変更",
                                 "owner": org.people["staff"].pk, "due_on": "2025-05-01",
                                 "done_on": "2025-04-20", "notes": ""})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == datetime.date(2025, 4, 20)


def test_incident_list_filter_by_an_assignee_outside_view_matches_nothing(org):
    # The assignee is named by id (a list of every person would be thousands long); one the
    # manager may not see matches nothing, as an id that does not exist.
    make_incident(org.sales, "売上報告の誤送信", assignee=org.people["staff"])
    client = org.client("manager")
    url = reverse("incidents:incident_list")
    hidden = client.get(url, {"assignee": org.people["it_staff"].pk})
    assert hidden.status_code == 200 and hidden.context["rows"] == []
    seen = client.get(url, {"assignee": org.people["staff"].pk})
    assert [obj.title for obj, _cells in seen.context["rows"]] == ["売上報告の誤送信"]


def test_api_filter_by_an_incident_outside_scope_answers_as_for_an_unknown_id(
        org, action_of_hidden_incident):
    client = api_client(org.users["staff"])
    path = "/api/incidents/recovery-actions/"
    hidden = client.get(path, {"incident": action_of_hidden_incident.incident_id})
    unknown = client.get(path, {"incident": 987654})
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.json()["results"] == unknown.json()["results"] == []
