"""Choosers (core.choosers): related records are chosen by searching, from exactly the
choices the form itself offers the user; a long list is not written into the page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mamori.core import choosers
from mamori.org.models import Person
from mamori.risks.forms import RiskForm

pytestmark = pytest.mark.django_db

NEW_RISK = "/risks/register/new/"


def choices_url(field, **query):
    params = "&".join(f"{k}={v}" for k, v in {"form": choosers.form_key(RiskForm),
                                                 "field": field, **query}.items())
    return f"/choices/?{params}"


def owner_select(html: str) -> str:
    return re.search(r'<select name="owner".*?</select>', html, re.S).group(0)


def add_people(org, count, department=None, prefix="S"):
    Person.objects.bulk_create(
        Person(employee_no=f"{prefix}{i:04d}", name=f"営業 {prefix}{i}",
               name_kana=f"えいぎょう {count - i:04d}", department=department or org.sales)
        for i in range(count))


def test_a_short_list_is_in_the_page_with_its_search(org):
    html = org.client("manager").get(NEW_RISK).content.decode()
    select = owner_select(html)
    assert "data-chooser=" in select and "data-chooser-partial" not in select
    # The manager's department and below: themselves and their staff, not IT's people.
    assert org.people["staff"].name in select and org.people["manager"].name in select
    assert org.people["it_staff"].name not in select
    assert '<script src="/static/mamori/chooser.js"' in html or "chooser.js" in html


def test_a_long_list_holds_only_what_is_chosen(org, monkeypatch):
    monkeypatch.setattr(choosers, "INLINE_LIMIT", 3)
    add_people(org, 5)
    client = org.client("manager")
    select = owner_select(client.get(NEW_RISK).content.decode())
    assert 'data-chooser-partial="1"' in select
    assert "<option" in select and "営業 S" not in select
    # A form sent back with an error keeps the person chosen, and only them.
    chosen = Person.objects.get(employee_no="S0002")
    response = client.post(NEW_RISK, {"owner": chosen.pk})
    select = owner_select(response.content.decode())
    assert select.count("<option") == 2  # "---------" and the chosen person
    assert f'value="{chosen.pk}" selected' in select


def test_the_search_answers_with_the_forms_own_choices(org):
    add_people(org, 30)
    add_people(org, 3, department=org.it, prefix="IT")
    client = org.client("manager")
    answer = client.get(choices_url("owner", q="営業")).json()
    assert len(answer["results"]) == choosers.PAGE_SIZE and answer["more"] is True
    form = RiskForm(user=org.users["manager"])
    offered = {str(pk) for pk in form.fields["owner"].queryset.values_list("pk", flat=True)}
    assert {r["id"] for r in answer["results"]} <= offered
    # Outside the manager's view: not found, even by its exact number.
    assert client.get(choices_url("owner", q="IT0001")).json()["results"] == []
    # People come in the order of the reading of their names (kana).
    texts = [r["text"] for r in answer["results"]]
    people = {p.name: p.name_kana for p in Person.objects.all()}
    assert [people[t] for t in texts] == sorted(people[t] for t in texts)
    second = client.get(choices_url("owner", q="営業", page=2)).json()
    assert not {r["id"] for r in second["results"]} & {r["id"] for r in answer["results"]}
    # Every word typed must match (number and name alike).
    found = client.get(choices_url("owner", q="営業%20S0007")).json()["results"]
    assert [r["text"] for r in found] == ["営業 S7"]


def test_the_search_costs_the_same_queries_for_any_number_of_people(org):
    client = org.client("manager")
    add_people(org, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(choices_url("owner", q="営業"))
    add_people(org, 60, prefix="T")
    with CaptureQueriesContext(connection) as many:
        client.get(choices_url("owner", q="営業"))
    assert len(many) == len(few)


def test_only_a_known_form_and_field_and_a_signed_in_user(org, client):
    assert client.get(choices_url("owner")).status_code == 401
    manager = org.client("manager")
    assert manager.get("/choices/?form=os.system&field=x").status_code == 404
    assert manager.get(choices_url("title_ja")).status_code == 404
    assert manager.get(choices_url("nothing")).status_code == 404
    assert manager.post(choices_url("owner")).status_code == 405


def test_an_edited_record_the_user_may_not_see_is_refused(org):
    from mamori.risks.models import Risk, Threat

    threat = Threat.objects.create(code="T-X", name_ja="脅威", harms="C")
    hidden = Risk.objects.create(code="R-IT", title_ja="IT のリスク", threat=threat,
                                 department=org.it, likelihood=1, impact=1)
    manager = org.client("manager")
    assert manager.get(choices_url("owner", instance=hidden.pk)).status_code == 404
    assert org.client("ciso").get(choices_url("owner", instance=hidden.pk)).status_code == 200
