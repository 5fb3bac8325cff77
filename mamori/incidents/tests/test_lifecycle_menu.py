"""The lifecycle menu on an incident's page offers exactly the statuses the move would accept
for this incident and this user (issue 16 item 6): forward only, closing once the root cause
and lessons learned are recorded; no menu when there is nowhere to go or the user does not
handle the incident."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.incidents import workflow
from mamori.incidents.models import Incident
from mamori.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db
Status = Incident.Status
EVERY = [Status.REPORTED, Status.TRIAGED, Status.CONTAINED, Status.RECOVERED, Status.CLOSED]


def page(org, user, incident):
    response = org.client(user).get(reverse("incidents:incident_detail", args=[incident.pk]))
    assert response.status_code == 200
    return response


def offered(response) -> list[str]:
    form = response.context["transition_form"]
    return [] if form is None else [value for value, _label in form.fields["status"].choices]


def incident_at(org, status, **fields):
    incident = make_incident(org.sales, "誤送信",
                             noticed_at=timezone.now() - datetime.timedelta(hours=5), **fields)
    if status != Status.REPORTED:
        workflow.move_to(incident, status, org.users["ciso"])
    return incident


@pytest.mark.parametrize("status", [Status.REPORTED, Status.TRIAGED, Status.CONTAINED])
def test_only_later_statuses_and_no_closing_before_the_root_cause(org, status):
    incident = incident_at(org, status)
    response = page(org, "manager", incident)
    later = EVERY[EVERY.index(status) + 1:]
    assert offered(response) == [s for s in later if s != Status.CLOSED]
    assert response.context["transition_form"].initial["status"] == later[0]
    html = response.content.decode()
    assert 'value="closed"' not in html and f'value="{status}"' not in html
    assert 'data-testid="to-close"' in html  # why closing is not offered


def test_closing_is_offered_once_recorded(org):
    incident = incident_at(org, Status.CONTAINED, root_cause="宛先確認の省略",
                           lessons_learned="送信前の二重確認")
    response = page(org, "manager", incident)
    assert offered(response) == [Status.RECOVERED, Status.CLOSED]
    assert 'data-testid="to-close"' not in response.content.decode()


def test_every_status_offered_is_accepted_and_every_other_refused(org):
    for status in EVERY[:-1]:
        incident = incident_at(org, status)
        menu = offered(page(org, "manager", incident))
        for target in EVERY:
            refused = workflow.move_refused(incident, target, timezone.now())
            assert (refused is None) == (target in menu), (status, target, refused)


def test_a_refused_status_posted_anyway_is_refused(org):
    incident = incident_at(org, Status.CONTAINED)
    client = org.client("manager")
    client.post(reverse("incidents:incident_move", args=[incident.pk]), {"status": "closed"})
    incident.refresh_from_db()
    assert incident.status == Status.CONTAINED


def test_no_menu_for_a_closed_incident(org):
    incident = incident_at(org, Status.RECOVERED, root_cause="原因", lessons_learned="教訓")
    workflow.move_to(incident, Status.CLOSED, org.users["ciso"])
    response = page(org, "manager", incident)
    assert response.context["transition_form"] is None
    html = response.content.decode()
    assert 'data-testid="move"' not in html and 'data-testid="to-close"' not in html


def test_no_menu_before_the_company_became_aware(org):
    """Every move would be refused (no stage before the awareness): nothing is offered."""
    incident = make_incident(org.sales, "予定", noticed_at=timezone.now() + datetime.timedelta(
        hours=2))
    response = page(org, "manager", incident)
    assert response.context["transition_form"] is None
    assert 'data-testid="move"' not in response.content.decode()


def test_no_menu_for_a_reporter_who_does_not_handle_it(org):
    incident = incident_at(org, Status.REPORTED, reported_by=org.people["staff"])
    response = page(org, "staff", incident)
    assert offered(response) == []
    assert 'data-testid="move"' not in response.content.decode()
    assert workflow.next_statuses(incident, org.users["staff"]) == []
    assert workflow.next_statuses(incident, org.users["manager"])
