"""Asset rules: classification derived from the ratings, the rating scale, personal
information, dependencies, and who sees and changes an asset."""

import pytest
from django.urls import reverse

from mamori.assets.models import Asset, AssetSettings
from mamori.assets.tests.test_asset_models import make_asset
from mamori.core.testing import api_client, log_entries

pytestmark = pytest.mark.django_db
API = "/api/assets/assets/"


def form(org, **changes):
    data = {"code": "A-NEW", "name_ja": "新しい資産", "name_en": "", "asset_type": "system",
            "description": "", "department": org.sales.pk, "custodian": "", "location": "",
            "status": "in_use", "confidentiality": 1, "integrity": 1, "availability": 1,
            "data_subjects": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}  # unchecked boxes are absent


def api_data(org, **changes):
    data = {"code": "A-NEW", "name_ja": "新しい資産", "asset_type": "system",
            "department": org.sales.pk, "confidentiality": 1, "integrity": 1,
            "availability": 1}
    data.update(changes)
    return data


def classify(org, c, i=1, a=1):
    asset = make_asset(org.sales, f"A-{c}{i}{a}", confidentiality=c, integrity=i,
                       availability=a)
    return asset.classification.code if asset.classification else None


def test_classification_follows_confidentiality_by_default(org):
    assert [classify(org, c, 3, 3) for c in (1, 2, 3)] == ["public", "internal",
                                                           "confidential"]


def test_highest_basis_takes_the_highest_of_the_three_ratings(org):
    row = AssetSettings.objects.get()
    row.classification_basis = AssetSettings.Basis.HIGHEST
    row.save()
    assert classify(org, 1, 1, 1) == "public"
    assert classify(org, 1, 2, 1) == "internal"
    assert classify(org, 1, 1, 3) == "confidential"
    assert classify(org, 2, 3, 1) == "confidential"


def test_changing_the_ratings_relabels_the_asset(org):
    asset = make_asset(org.sales, "A-1", confidentiality=1)
    response = org.client("manager").post(
        reverse("assets:asset_update", args=[asset.pk]),
        form(org, code="A-1", name_ja="x", confidentiality=3))
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.classification.code == "confidential"
    changed = {name for name, _b, _a in log_entries(asset, "update").get().changes()}
    assert {"confidentiality", "classification_id"} <= changed


def test_classification_cannot_be_set_by_hand(org):
    public = make_asset(org.sales, "A-0", confidentiality=1).classification
    response = api_client(org.users["manager"]).post(
        API, api_data(org, classification=public.pk + 2, confidentiality=2), format="json")
    assert response.status_code == 201
    assert response.json()["classification"] == Asset.objects.get(code="A-NEW").classification_id
    assert Asset.objects.get(code="A-NEW").classification.code == "internal"


@pytest.mark.parametrize("field", ["confidentiality", "integrity", "availability"])
def test_a_rating_above_the_scale_is_refused(org, field):
    response = org.client("manager").post(reverse("assets:asset_create"),
                                          form(org, **{field: 5}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and "4" in errors[field][0]
    api = api_client(org.users["manager"]).post(API, api_data(org, **{field: 5}),
                                                format="json")
    assert api.status_code == 400 and list(api.json()) == [field]
    assert not Asset.objects.exists()


def test_a_rating_below_one_is_refused(org):
    response = org.client("manager").post(reverse("assets:asset_create"),
                                          form(org, integrity=0))
    assert response.status_code == 400 and "integrity" in response.context["form"].errors


@pytest.mark.parametrize(("change", "field"), [
    ({"data_subjects": 500}, "has_personal_info"),
    ({"has_sensitive_personal_info": True}, "has_personal_info"),
])
def test_personal_information_details_need_the_personal_information_flag(org, change, field):
    response = org.client("manager").post(reverse("assets:asset_create"), form(org, **change))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    api = api_client(org.users["manager"]).post(API, api_data(org, **change), format="json")
    assert api.status_code == 400 and field in api.json()
    assert not Asset.objects.exists()
    ok = form(org, has_personal_info=True, **change)
    assert org.client("manager").post(reverse("assets:asset_create"), ok).status_code == 302


def test_dependencies_are_shown_both_ways_on_the_detail_page(org):
    server = make_asset(org.sales, "A-SRV", asset_type="system")
    app = make_asset(org.sales_east, "A-APP", asset_type="application")
    data = make_asset(org.sales_east, "A-DATA")
    hidden = make_asset(org.it, "A-IT")
    app.depends_on.set([server, hidden])
    data.depends_on.set([app])
    client = org.client("manager")

    def related(asset):
        response = client.get(reverse("assets:asset_detail", args=[asset.pk]))
        assert response.status_code == 200
        return [[a.code for a in rows] for _label, rows in response.context["related_lists"]]

    depends_on, dependents, risks = related(app)
    assert depends_on == ["A-SRV"]  # the IT asset is outside the manager's view
    assert dependents == ["A-DATA"] and risks == []
    assert related(server)[1] == ["A-APP"]
    response = client.get(reverse("assets:asset_detail", args=[app.pk]))
    assert b"A-SRV" in response.content and b"A-DATA" in response.content


def test_dependency_changes_are_logged_as_updates_of_the_asset(org):
    server = make_asset(org.sales, "A-SRV")
    app = make_asset(org.sales, "A-APP")
    data = form(org, code="A-APP", name_ja="アプリ", depends_on=[server.pk])
    response = org.client("manager").post(reverse("assets:asset_update", args=[app.pk]), data)
    assert response.status_code == 302
    assert list(app.depends_on.all()) == [server]
    # one edit, one entry: the fields changed and the dependency added
    assert ("depends_on", [], [server.pk]) in log_entries(app, "update").get().changes()
    # and through the API
    response = api_client(org.users["manager"]).patch(f"{API}{app.pk}/", {"depends_on": []},
                                                      format="json")
    assert response.status_code == 200
    assert log_entries(app, "update").order_by("-seq").first().changes() == [
        ("depends_on", [server.pk], [])]


def test_editing_keeps_dependencies_the_editor_cannot_see(org):
    """The manager is not offered IT's assets, so saving the form must not unlink the
    dependency on one that the CISO recorded."""
    app = make_asset(org.sales, "A-APP")
    it_server, sales_server = make_asset(org.it, "A-IT"), make_asset(org.sales, "A-SRV")
    app.depends_on.add(it_server)
    data = form(org, code="A-APP", name_ja="アプリ", depends_on=[sales_server.pk])
    response = org.client("manager").post(reverse("assets:asset_update", args=[app.pk]), data)
    assert response.status_code == 302
    assert set(app.depends_on.all()) == {it_server, sales_server}
    data = form(org, code="A-APP", name_ja="アプリ", depends_on=[])
    assert org.client("manager").post(reverse("assets:asset_update", args=[app.pk]),
                                      data).status_code == 302
    assert list(app.depends_on.all()) == [it_server]  # what they could see, they removed


def test_an_asset_cannot_depend_on_itself_through_the_form(org):
    app = make_asset(org.sales, "A-APP")
    data = form(org, code="A-APP", name_ja="x", depends_on=[app.pk])
    response = org.client("manager").post(reverse("assets:asset_update", args=[app.pk]), data)
    assert response.status_code == 400 and "depends_on" in response.context["form"].errors


def test_the_custodian_sees_the_asset_but_cannot_change_it(org):
    asset = make_asset(org.sales, "A-CARE", custodian=org.people["staff"])
    other = make_asset(org.sales, "A-OTHER")
    client = org.client("staff")
    response = client.get(reverse("assets:asset_list"))
    assert [obj.pk for obj, _cells in response.context["rows"]] == [asset.pk]
    detail = client.get(reverse("assets:asset_detail", args=[asset.pk]))
    assert detail.status_code == 200 and detail.context["can_change"] is False
    assert client.get(reverse("assets:asset_detail", args=[other.pk])).status_code == 404
    data = form(org, code="A-CARE", name_ja="changed")
    assert client.post(reverse("assets:asset_update", args=[asset.pk]), data).status_code == 404
    assert client.post(reverse("assets:asset_delete", args=[asset.pk])).status_code == 404
    api = api_client(org.users["staff"])
    assert [r["id"] for r in api.get(API).json()["results"]] == [asset.pk]
    assert api.patch(f"{API}{asset.pk}/", {"name_ja": "x"}, format="json").status_code == 404
    asset.refresh_from_db()
    assert asset.name_ja == "資産 A-CARE"


def test_it_staff_do_not_see_sales_assets(org):
    asset = make_asset(org.sales_east, "A-EAST")
    client = org.client("it_staff")
    assert list(client.get(reverse("assets:asset_list")).context["rows"]) == []
    assert client.get(reverse("assets:asset_detail", args=[asset.pk])).status_code == 404
    assert client.get(reverse("assets:asset_history", args=[asset.pk])).status_code == 404
    assert api_client(org.users["it_staff"]).get(API).json()["results"] == []
    export = client.get(reverse("assets:asset_list") + "?export=csv")
    assert "A-EAST" not in export.content.decode("utf-8-sig")


def test_filters_on_the_list(org):
    make_asset(org.sales, "A-PI", has_personal_info=True, confidentiality=3)
    make_asset(org.sales, "A-PLAIN")
    client = org.client("manager")
    response = client.get(reverse("assets:asset_list") + "?has_personal_info=true")
    assert [obj.code for obj, _c in response.context["rows"]] == ["A-PI"]
    response = client.get(reverse("assets:asset_list") + "?min_confidentiality=3")
    assert [obj.code for obj, _c in response.context["rows"]] == ["A-PI"]
    response = api_client(org.users["manager"]).get(API + "?q=plain")
    assert [r["code"] for r in response.json()["results"]] == ["A-PLAIN"]


def test_an_asset_cannot_depend_on_itself_through_the_api(org):
    app = make_asset(org.sales, "A-APP")
    response = api_client(org.users["manager"]).patch(f"{API}{app.pk}/",
                                                      {"depends_on": [app.pk]}, format="json")
    assert response.status_code == 400 and "depends_on" in response.json()
    assert not app.depends_on.exists()


def test_the_asset_page_offers_to_assess_a_risk(org):
    from django.urls import reverse

    from mamori.assets.models import Asset

    asset = Asset.objects.create(code="A-NEW", name_ja="新資産", asset_type="paper",
                                 department=org.sales)
    page = org.client("manager").get(reverse("assets:asset_detail", args=[asset.pk]))
    link = f'{reverse("risks:risk_create")}?asset={asset.pk}'
    assert link in page.content.decode()
    form = org.client("manager").get(link).context["form"]
    assert form.initial["assets"] == [asset.pk]
    staff_page = org.client("auditor").get(reverse("assets:asset_detail", args=[asset.pk]))
    assert link not in staff_page.content.decode()  # auditors read, they do not assess
