"""Risk rules: the stored scores, the residual pair, the matrix size, links to assets and
controls, and the CISO's acceptance of residual risk."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mamori.assets.tests.test_asset_models import make_asset
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import api_client, log_entries
from mamori.org.models import Appointment
from mamori.risks.models import Risk, RiskAcceptance, RiskMethodology, Threat
from mamori.risks.tests.test_risk_models import make_acceptance, make_risk

pytestmark = pytest.mark.django_db
API = "/api/risks/risks/"
ACCEPTANCES = "/api/risks/acceptances/"


def form(org, **changes):
    data = {"code": "R-NEW", "title_ja": "新しいリスク", "title_en": "",
            "threat": Threat.objects.get(code="loss").pk, "department": org.sales.pk,
            "owner": "", "vulnerability": "", "status": "assessed", "likelihood": 2,
            "impact": 2, "treatment": "", "treatment_plan": "", "residual_likelihood": "",
            "residual_impact": "", "assessed_on": "2025-04-01", "next_review_on": ""}
    data.update(changes)
    return data


def api_data(org, **changes):
    data = {"code": "R-NEW", "title_ja": "新しいリスク",
            "threat": Threat.objects.get(code="loss").pk, "department": org.sales.pk,
            "likelihood": 2, "impact": 2}
    data.update(changes)
    return data


# --- scores -----------------------------------------------------------------------------


def test_scores_are_computed_and_stored(org):
    risk = make_risk(org.sales, "R-1", likelihood=2, impact=3)
    assert (risk.inherent_score, risk.residual_score, risk.current_score) == (6, None, 6)
    risk.residual_likelihood, risk.residual_impact = 1, 2
    risk.save()
    stored = Risk.objects.get(pk=risk.pk)
    assert (stored.inherent_score, stored.residual_score, stored.current_score) == (6, 2, 2)
    stored.residual_likelihood = stored.residual_impact = None
    stored.save()
    stored.refresh_from_db()
    assert (stored.residual_score, stored.current_score) == (None, 6)


def test_scores_through_the_form_and_the_api(org):
    response = org.client("manager").post(
        reverse("risks:risk_create"),
        form(org, likelihood=3, impact=3, residual_likelihood=2, residual_impact=1))
    assert response.status_code == 302
    risk = Risk.objects.get(code="R-NEW")
    assert (risk.inherent_score, risk.residual_score, risk.current_score) == (9, 2, 2)
    response = api_client(org.users["manager"]).post(
        API, api_data(org, code="R-API", likelihood=1, impact=3, current_score=1,
                      inherent_score=1), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["inherent_score"], body["residual_score"], body["current_score"]) == (
        3, None, 3)  # the scores are read-only: computed, never taken from the request


@pytest.mark.parametrize("given", [{"residual_likelihood": 1}, {"residual_impact": 2}])
def test_a_half_given_residual_rating_is_refused(org, given):
    response = org.client("manager").post(reverse("risks:risk_create"), form(org, **given))
    assert response.status_code == 400
    assert "residual_impact" in response.context["form"].errors
    api = api_client(org.users["manager"]).post(API, api_data(org, **given), format="json")
    assert api.status_code == 400 and "residual_impact" in api.json()
    assert not Risk.objects.exists()


@pytest.mark.parametrize("field", ["likelihood", "impact", "residual_likelihood",
                                   "residual_impact"])
def test_a_rating_above_the_matrix_is_refused(org, field):
    pair = {"residual_likelihood": 1, "residual_impact": 1}
    response = org.client("manager").post(reverse("risks:risk_create"),
                                          form(org, **{**pair, field: 4}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and "3" in errors[field][0]
    api = api_client(org.users["manager"]).post(API, api_data(org, **{**pair, field: 4}),
                                                format="json")
    assert api.status_code == 400 and list(api.json()) == [field]
    assert not Risk.objects.exists()


def test_a_five_by_five_matrix_allows_ratings_up_to_five(org):
    row = RiskMethodology.objects.get()
    row.size = 5
    row.save()
    response = org.client("manager").post(reverse("risks:risk_create"),
                                          form(org, likelihood=5, impact=4))
    assert response.status_code == 302
    assert Risk.objects.get(code="R-NEW").inherent_score == 20
    response = org.client("manager").post(reverse("risks:risk_create"),
                                          form(org, code="R-6", likelihood=6))
    assert response.status_code == 400 and "likelihood" in response.context["form"].errors


def test_the_detail_page_says_whether_the_risk_is_above_the_appetite(org):
    high = make_risk(org.sales, "R-HIGH", likelihood=2, impact=2)  # 4 > appetite 3
    low = make_risk(org.sales, "R-LOW", likelihood=1, impact=3)
    client = org.client("manager")
    page = client.get(reverse("risks:risk_detail", args=[high.pk]))
    assert page.context["above_appetite"] is True and page.context["can_accept"] is False
    assert client.get(reverse("risks:risk_detail",
                              args=[low.pk])).context["above_appetite"] is False
    assert org.client("ciso").get(reverse("risks:risk_detail",
                                          args=[high.pk])).context["can_accept"] is True
    high.treatment = Risk.Treatment.TRANSFER  # treated: no warning any more
    high.save()
    assert client.get(reverse("risks:risk_detail",
                              args=[high.pk])).context["above_appetite"] is False


# --- links to assets and controls --------------------------------------------------------


def test_linking_assets_and_controls_is_logged_and_shown(org):
    asset = make_asset(org.sales, "A-1")
    hidden_asset = make_asset(org.it, "A-IT")
    control = make_control(org.it, "C-1")  # every control may be chosen: the catalogue is read
    risk = make_risk(org.sales, "R-1")
    risk.assets.add(hidden_asset)  # linked by the CISO, say
    logged = log_entries(risk).count()
    response = org.client("manager").post(
        reverse("risks:risk_update", args=[risk.pk]),
        form(org, code="R-1", assets=[asset.pk], controls=[control.pk]))
    assert response.status_code == 302, response.context["form"].errors
    # one edit, one entry: the fields and both links changed in it
    [edit] = log_entries(risk).order_by("seq")[logged:]
    changes = edit.changes()
    assert ("assets", [hidden_asset.pk], sorted([hidden_asset.pk, asset.pk])) in changes
    assert ("controls", [], [control.pk]) in changes
    # the IT asset was not offered to the manager, so their edit left its link alone
    assert set(risk.assets.all()) == {asset, hidden_asset}
    page = org.client("manager").get(reverse("risks:risk_detail", args=[risk.pk]))
    assets, controls = (rows for _label, rows in page.context["related_lists"])
    assert [a.code for a in assets] == ["A-1"] and [c.code for c in controls] == ["C-1"]
    asset_page = org.client("manager").get(reverse("assets:asset_detail", args=[asset.pk]))
    assert [r.code for r in asset_page.context["related_lists"][2][1]] == ["R-1"]


def test_linking_through_the_api_is_logged(org):
    asset = make_asset(org.sales, "A-1")
    risk = make_risk(org.sales, "R-1")
    client = api_client(org.users["manager"])
    response = client.patch(f"{API}{risk.pk}/", {"assets": [asset.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["assets"] == [asset.pk]
    history = client.get(f"{API}{risk.pk}/history/").json()
    assert history[-1]["after"] == {"assets": [asset.pk]}


def test_assets_outside_the_managers_view_cannot_be_linked(org):
    hidden = make_asset(org.it, "A-IT")
    response = org.client("manager").post(reverse("risks:risk_create"),
                                          form(org, assets=[hidden.pk]))
    assert response.status_code == 400 and "assets" in response.context["form"].errors
    api = api_client(org.users["manager"]).post(API, api_data(org, assets=[hidden.pk]),
                                                format="json")
    assert api.status_code == 400 and "assets" in api.json()
    assert not Risk.objects.exists()


# --- acceptance ---------------------------------------------------------------------------


def acceptance_form(risk, person, **changes):
    data = {"risk": risk.pk, "accepted_by": person.pk, "accepted_on": "2025-04-01",
            "expires_on": "2026-03-31", "justification": "費用対効果から受容する",
            "revoked_on": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("username", ["manager", "admin", "staff", "auditor"])
def test_only_the_ciso_accepts_a_risk(org, username):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3)
    data = acceptance_form(risk, org.people["ciso"])
    client = org.client(username)
    assert client.get(reverse("risks:riskacceptance_create")).status_code == 403
    assert client.post(reverse("risks:riskacceptance_create"), data).status_code in (403, 404)
    api = api_client(org.users[username]).post(ACCEPTANCES, data, format="json")
    assert api.status_code in (403, 404)
    assert not RiskAcceptance.objects.exists()


def test_the_ciso_accepts_and_the_score_is_copied(org):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3, residual_likelihood=2,
                     residual_impact=2)
    client = org.client("ciso")
    form_page = client.get(reverse("risks:riskacceptance_create") + f"?risk={risk.pk}")
    assert form_page.context["form"].initial["accepted_by"] == org.people["ciso"].pk
    assert form_page.context["form"].initial["risk"] == risk.pk
    response = client.post(reverse("risks:riskacceptance_create"),
                           acceptance_form(risk, org.people["ciso"]))
    assert response.status_code == 302, response.context["form"].errors
    acceptance = RiskAcceptance.objects.get()
    assert acceptance.score_accepted == 4  # the residual score at the time of acceptance
    entry = log_entries(acceptance, "create").get()
    assert entry.actor_name == "ciso" and entry.after["score_accepted"] == 4
    risk.likelihood = risk.impact = 1
    risk.residual_likelihood = risk.residual_impact = None
    risk.save()
    acceptance.refresh_from_db()
    assert acceptance.score_accepted == 4  # kept as accepted, not recomputed
    manager = org.client("manager").get(reverse("risks:risk_detail", args=[risk.pk]))
    assert [a.pk for a in manager.context["acceptances"]] == [acceptance.pk]


def test_the_score_accepted_cannot_be_given_in_the_api(org):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=2)
    response = api_client(org.users["ciso"]).post(
        ACCEPTANCES, {**acceptance_form(risk, org.people["ciso"]), "revoked_on": None,
                      "score_accepted": 1}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["score_accepted"] == 6


def test_acceptance_by_someone_not_the_ciso_is_refused(org):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3)
    data = acceptance_form(risk, org.people["manager"])
    response = org.client("ciso").post(reverse("risks:riskacceptance_create"), data)
    assert response.status_code == 400 and "accepted_by" in response.context["form"].errors
    api = api_client(org.users["ciso"]).post(ACCEPTANCES, {**data, "revoked_on": None},
                                             format="json")
    assert api.status_code == 400 and "accepted_by" in api.json()
    assert not RiskAcceptance.objects.exists()


def test_acceptance_by_a_former_ciso_is_refused(org):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3)
    Appointment.objects.filter(role="ciso").update(end_date=datetime.date(2025, 3, 31))
    # the role ends with the appointment: the former CISO may no longer accept at all
    assert org.client("ciso").get(reverse("risks:riskacceptance_create")).status_code == 403
    # and the record itself refuses an acceptance dated after the appointment ended
    acceptance = RiskAcceptance(risk=risk, accepted_by=org.people["ciso"],
                                accepted_on=datetime.date(2025, 4, 1),
                                expires_on=datetime.date(2025, 9, 1), justification="x")
    with pytest.raises(ValidationError) as raised:
        acceptance.full_clean()
    assert list(raised.value.message_dict) == ["accepted_by"]
    acceptance.accepted_on, acceptance.expires_on = (datetime.date(2025, 3, 1),
                                                     datetime.date(2025, 9, 1))
    acceptance.full_clean()  # while they were CISO


@pytest.mark.parametrize(("expires_on", "ok"), [
    ("2026-03-31", True), ("2026-04-10", False), ("2027-01-01", False), ("2025-04-01", False),
])
def test_an_acceptance_lasts_at_most_the_methodologys_months(org, expires_on, ok):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3)
    data = acceptance_form(risk, org.people["ciso"], expires_on=expires_on)
    response = org.client("ciso").post(reverse("risks:riskacceptance_create"), data)
    if ok:
        assert response.status_code == 302
        return
    assert response.status_code == 400 and "expires_on" in response.context["form"].errors
    api = api_client(org.users["ciso"]).post(ACCEPTANCES, {**data, "revoked_on": None},
                                             format="json")
    assert api.status_code == 400 and "expires_on" in api.json()
    assert not RiskAcceptance.objects.exists()


def test_a_shorter_acceptance_limit_applies(org):
    row = RiskMethodology.objects.get()
    row.acceptance_months = 3
    row.save()
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3)
    data = acceptance_form(risk, org.people["ciso"], expires_on="2025-08-01")
    response = org.client("ciso").post(reverse("risks:riskacceptance_create"), data)
    assert response.status_code == 400 and "expires_on" in response.context["form"].errors
    data["expires_on"] = "2025-06-30"
    assert org.client("ciso").post(reverse("risks:riskacceptance_create"),
                                   data).status_code == 302


def test_acceptances_in_force(org):
    risk = make_risk(org.sales, "R-1", likelihood=3, impact=3)
    ciso = org.people["ciso"]
    today = timezone.localdate()
    current = make_acceptance(risk, ciso, accepted_on=today - datetime.timedelta(days=10))
    make_acceptance(risk, ciso, accepted_on=today - datetime.timedelta(days=400))  # expired
    make_acceptance(risk, ciso, accepted_on=today - datetime.timedelta(days=5),
                    revoked_on=today)
    assert list(RiskAcceptance.objects.in_force()) == [current]
    assert current.in_force is True
    response = org.client("manager").get(reverse("risks:riskacceptance_list") + "?in_force=true")
    assert [obj.pk for obj, _c in response.context["rows"]] == [current.pk]
    response = org.client("manager").get(reverse("risks:risk_list") + "?accepted=true")
    assert [obj.pk for obj, _c in response.context["rows"]] == [risk.pk]
