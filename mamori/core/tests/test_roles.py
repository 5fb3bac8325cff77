"""Role tests for the core models without list pages of their own: the change log, conformance
snapshots, scheduled runs and user accounts."""

import pytest

from mamori.core import roles as r
from mamori.core.models import ChangeLogEntry, ConformanceSnapshot, ScheduledRun, User
from mamori.core.tasks import snapshot_conformance
from mamori.core.testing import api_client

READERS_OF_LOG = {"admin", "ciso", "auditor"}
EVERYONE = ("admin", "ciso", "auditor", "manager", "staff")


@pytest.mark.django_db
@pytest.mark.parametrize("username", EVERYONE)
def test_change_log_is_for_admin_ciso_and_auditor(org, username):
    client = org.client(username)
    response = client.get("/changelog/?model=org.person")
    api = api_client(org.users[username]).get("/api/changelog/")
    if username in READERS_OF_LOG:
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 5
        assert api.status_code == 200 and api.json()["count"] >= 5
        assert client.get("/changelog/verify/").status_code == 200
    else:
        assert response.status_code == 403
        assert api.json()["count"] == 0
        assert client.post("/changelog/verify/").status_code == 403


@pytest.mark.django_db
def test_change_log_filters(org):
    client = org.client("auditor")
    def shown(query):
        return len(client.get(f"/changelog/?{query}").context["page"].object_list)

    assert shown("model=org.department") == 4
    assert shown("action=delete") == 0
    assert shown("actor=nobody") == 0
    assert client.get("/changelog/?since=2000-01-01&until=2999-12-31").status_code == 200


@pytest.mark.django_db
def test_entries_are_visible_per_object_to_those_who_see_the_object(org):
    person = org.people["staff"]
    assert org.client("staff").get(f"/org/people/{person.pk}/history/").status_code == 200
    assert org.client("auditor").get(f"/org/people/{person.pk}/history/").status_code == 200
    it_person = org.people["it_staff"]
    assert org.client("manager").get(f"/org/people/{it_person.pk}/history/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("username,sees", [("admin", True), ("ciso", True), ("auditor", True),
                                           ("manager", True), ("staff", False)])
def test_snapshots_are_read_only_for_readers(org, username, sees):
    snapshot_conformance.call()
    user = org.users[username]
    assert ConformanceSnapshot.objects.restrict(user).exists() == sees
    assert not ConformanceSnapshot.objects.restrict(user, "change").exists()
    assert not ConformanceSnapshot.objects.restrict(user, "delete").exists()
    assert not ScheduledRun.objects.restrict(user, "change").exists()


@pytest.mark.django_db
def test_user_accounts_are_managed_by_administrators_only(org):
    assert User.objects.restrict(org.users["admin"], "change").count() == User.objects.count()
    for name in ("ciso", "manager", "auditor", "staff"):
        assert not User.objects.restrict(org.users[name], "change").exists()
    assert list(User.objects.restrict(org.users["staff"])) == [org.users["staff"]]


@pytest.mark.django_db
def test_roles_come_from_current_appointments(org):
    assert r.roles_for(org.users["ciso"]).has(r.CISO)
    manager = r.roles_for(org.users["manager"])
    assert manager.has(r.INFORMATION_MANAGER)
    assert manager.managed_department_ids == {org.sales.pk, org.sales_east.pk}
    assert r.roles_for(org.users["auditor"]).names == {r.AUDITOR, r.STAFF}
    # Ending the appointment ends the role (on the next request).
    from mamori.org.models import Appointment

    Appointment.objects.filter(person=org.people["manager"]).update(end_date="2024-12-31")
    fresh = User.objects.get(pk=org.users["manager"].pk)
    assert not r.roles_for(fresh).has(r.INFORMATION_MANAGER)
    assert not ChangeLogEntry.objects.restrict(fresh).exists()


def test_an_empty_q_from_any_role_means_every_row():
    """A scope function may return Q() rather than the ALL constant; it must still mean all
    rows, not shrink to the other roles' rows when OR-ed with them."""
    from django.db.models import Q

    from mamori.core.scope import ALL, Scope

    class Generous(Scope):
        own_field = "user"

        def auditor(self, roles, action):
            return Q()

    roles = r.Roles(user_id=1, names=frozenset({r.AUDITOR, r.STAFF}))
    assert Generous().q_for(roles, "view") is ALL


def test_number_series_are_shown_to_no_role():
    """Counters (core.counters) are bookkeeping: no admin page, API route or list shows them,
    so no role can read or change a series except by saving the numbered record."""
    from django.contrib import admin
    from django.urls import get_resolver

    from mamori.core.models import Counter

    assert not admin.site.is_registered(Counter)
    url_names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    assert not any("counter" in name for name in url_names)
