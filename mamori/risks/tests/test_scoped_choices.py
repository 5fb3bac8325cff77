"""The risk register's filters and forms offer, accept and show only the people, risks and
assets the user may see; a filter by an object outside their view answers as for one that
does not exist; and a risk already owned by someone the editor may not see keeps its owner."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from mamori.assets.tests.test_asset_models import make_asset
from mamori.core.forms import NOT_VISIBLE
from mamori.core.testing import api_client
from mamori.risks.api.serializers import RiskSerializer
from mamori.risks.models import Risk
from mamori.risks.tests.test_risk_models import make_acceptance, make_risk
from mamori.risks.tests.test_risks import form

pytestmark = pytest.mark.django_db
API = "/api/risks/risks/"
UNKNOWN_ID = 987654


@pytest.fixture
def register(org):
    """A Sales risk (the manager's, owned by staff) linked to a Sales asset and an IT asset,
    and an IT risk with a telling title that neither the manager nor staff may see."""
    sales_risk = make_risk(org.sales, "R-S", owner=org.people["staff"])
    it_asset = make_asset(org.it, "A-IT", name_ja="秘密の基幹システム",
                          name_en="Secret core system")
    sales_risk.assets.add(make_asset(org.sales, "A-S"), it_asset)
    it_risk = make_risk(org.it, "R-IT", title_ja="秘密の買収計画の漏えい",
                        title_en="Leak of the secret takeover plan",
                        owner=org.people["it_staff"])
    for risk in (sales_risk, it_risk):
        make_acceptance(risk, org.people["ciso"])
    return {"sales_risk": sales_risk, "it_risk": it_risk, "it_asset": it_asset}


HIDDEN_FROM_STAFF = ("テスト it_staff", "Test it_staff", "テスト ciso", "Test ciso",
                     "テスト manager", "Test manager", "秘密の買収計画", "secret takeover")


def rows_shown(response):
    return [obj for obj, _cells in response.context["rows"]]


def test_staff_list_page_filter_by_owner_names_no_one_and_matches_only_visible_owners(
        org, register):
    # The owner is named by id (a list of every person would be thousands long): the page
    # names nobody the staff member may not see, and an owner outside their view matches
    # nothing, as an id that does not exist.
    client = org.client("staff")
    response = client.get(reverse("risks:risk_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert not [name for name in HIDDEN_FROM_STAFF if name in page]
    hidden = client.get(reverse("risks:risk_list"), {"owner": org.people["it_staff"].pk})
    assert rows_shown(hidden) == []
    own = client.get(reverse("risks:risk_list"), {"owner": org.people["staff"].pk})
    assert rows_shown(own) == [register["sales_risk"]]


def test_manager_acceptance_filter_by_another_departments_risk_matches_nothing(org, register):
    client = org.client("manager")
    response = client.get(reverse("risks:riskacceptance_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "秘密の買収計画" not in page and "secret takeover" not in page
    hidden = client.get(reverse("risks:riskacceptance_list"), {"risk": register["it_risk"].pk})
    assert rows_shown(hidden) == []
    own = client.get(reverse("risks:riskacceptance_list"), {"risk": register["sales_risk"].pk})
    assert [a.risk for a in rows_shown(own)] == [register["sales_risk"]]


def test_heat_map_filters_are_scoped_too(org, register):
    client = org.client("staff")
    hidden = client.get(reverse("risks:risk_heatmap"), {"owner": org.people["it_staff"].pk})
    unknown = client.get(reverse("risks:risk_heatmap"), {"owner": UNKNOWN_ID})
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.context["filterset"].qs.count() == unknown.context["filterset"].qs.count() == 0


def test_api_filter_by_a_person_outside_scope_answers_as_for_an_unknown_id(org, register):
    client = api_client(org.users["manager"])
    hidden = client.get(API, {"owner": org.people["it_staff"].pk})
    unknown = client.get(API, {"owner": UNKNOWN_ID})
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.json()["results"] == unknown.json()["results"] == []
    seen = client.get(API, {"owner": org.people["staff"].pk})
    assert [row["code"] for row in seen.json()["results"]] == ["R-S"]


def test_api_filter_by_an_asset_outside_scope_does_not_reveal_hidden_links(org, register):
    # The Sales risk is linked to the IT asset, a link the manager is not shown
    # (ScopedManyRelatedField): filtering by that asset must not show it either.
    client = api_client(org.users["manager"])
    hidden = client.get(API, {"asset": register["it_asset"].pk})
    unknown = client.get(API, {"asset": UNKNOWN_ID})
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.json()["results"] == unknown.json()["results"] == []
    admin = api_client(org.users["admin"]).get(API, {"asset": register["it_asset"].pk})
    assert [row["code"] for row in admin.json()["results"]] == ["R-S"]


@pytest.fixture
def risk_owned_out_of_view(org):
    """A Sales risk the manager changes, owned by a person of IT the manager may not see."""
    return make_risk(org.sales, "R-OWNED", owner=org.people["it_staff"])


def test_form_keeps_an_owner_the_editor_may_not_see_without_naming_them(
        org, risk_owned_out_of_view):
    risk, client = risk_owned_out_of_view, org.client("manager")
    url = reverse("risks:risk_update", args=[risk.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        assert escape(str(NOT_VISIBLE)) in page
    assert "it_staff" not in page
    response = client.post(url, form(org, code="R-OWNED", title_ja="更新",
                                     owner=org.people["it_staff"].pk))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.title_ja, risk.owner) == ("更新", org.people["it_staff"])


def test_form_does_not_let_the_editor_pick_another_hidden_person(org, risk_owned_out_of_view):
    url = reverse("risks:risk_update", args=[risk_owned_out_of_view.pk])
    response = org.client("manager").post(url, form(org, code="R-OWNED",
                                                    owner=org.people["ciso"].pk))
    assert response.status_code == 400 and "owner" in response.context["form"].errors


def test_api_put_keeps_an_owner_the_editor_may_not_see(org, risk_owned_out_of_view):
    risk, client = risk_owned_out_of_view, api_client(org.users["manager"])
    body = client.get(f"{API}{risk.pk}/").json()
    body["title_ja"] = "更新"
    response = client.put(f"{API}{risk.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert Risk.objects.get(pk=risk.pk).owner == org.people["it_staff"]
    body["owner"] = org.people["ciso"].pk
    refused = client.put(f"{API}{risk.pk}/", body, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()


def test_api_choices_do_not_name_an_owner_the_editor_may_not_see(org, risk_owned_out_of_view):
    # What an HTML form of the API (the browsable API's, were form input enabled) would list.
    request = RequestFactory().get("/")
    request.user = org.users["manager"]
    serializer = RiskSerializer(risk_owned_out_of_view, context={"request": request})
    options = [str(option.display_text) for option in serializer.fields["owner"].iter_options()]
    assert str(NOT_VISIBLE) in options
    assert not [text for text in options if "it_staff" in text]
