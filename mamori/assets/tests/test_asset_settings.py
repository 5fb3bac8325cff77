"""The single row of asset settings (core.scope.SettingsScope): everyone reads it, the CISO
and administrators change it, nobody adds or deletes one; changes that would strand ratings
are refused, and changes of the basis or the levels re-label the assets."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.assets.tests.test_asset_models import make_asset
from mamori.core.testing import api_client, log_entries
from mamori.policies.model_policy import model_documents

pytestmark = pytest.mark.django_db
API = "/api/assets/settings/"


def settings_row():
    return AssetSettings.objects.get()


def label(asset):
    asset.refresh_from_db()
    return asset.classification.code if asset.classification else None


def test_one_row_exists_and_its_list_redirects_to_it(org):
    row = settings_row()
    response = org.client("staff").get(reverse("assets:assetsettings_list"))
    assert response.status_code == 302
    assert response["Location"] == row.get_absolute_url()


@pytest.mark.parametrize("username", ["staff", "it_staff", "manager", "auditor", "ciso"])
def test_everyone_reads_the_settings(org, username):
    row = settings_row()
    client = org.client(username)
    response = client.get(reverse("assets:assetsettings_detail", args=[row.pk]))
    assert response.status_code == 200
    assert response.context["can_change"] is (username == "ciso")
    assert response.context["can_delete"] is False
    api = api_client(org.users[username]).get(API)
    assert [r["id"] for r in api.json()["results"]] == [row.pk]


@pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
def test_others_cannot_change_the_settings(org, username):
    row = settings_row()
    client = org.client(username)
    url = reverse("assets:assetsettings_update", args=[row.pk])
    assert client.get(url).status_code == 404
    data = {"rating_max": 5, "classification_basis": "highest"}
    assert client.post(url, data).status_code == 404
    api = api_client(org.users[username])
    assert api.patch(f"{API}{row.pk}/", data, format="json").status_code in (403, 404)
    assert (settings_row().rating_max, settings_row().classification_basis) == (
        4, "confidentiality")
    assert not log_entries(row).exists()


def test_nobody_adds_or_deletes_a_settings_row(org):
    for action in ("create", "delete", "import", "bulk_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"assets:assetsettings_{action}", args=[1] if action == "delete" else [])
    row = settings_row()
    for username in ("ciso", "admin"):
        api = api_client(org.users[username])
        assert api.post(API, {"rating_max": 5}, format="json").status_code == 405
        assert api.delete(f"{API}{row.pk}/").status_code == 405
    assert AssetSettings.objects.count() == 1


def test_ciso_changes_the_settings_and_it_is_logged(org):
    row = settings_row()
    response = org.client("ciso").post(reverse("assets:assetsettings_update", args=[row.pk]),
                                       {"rating_max": 5, "classification_basis": "highest"})
    assert response.status_code == 302
    assert settings_row().rating_max == 5
    entry = log_entries(row, "update").get()
    assert (entry.actor_name, entry.source) == ("ciso", "ui")
    assert {name for name, _b, _a in entry.changes()} >= {"rating_max", "classification_basis"}


def test_admin_changes_the_settings_through_the_api(org):
    row = settings_row()
    response = api_client(org.users["admin"]).patch(f"{API}{row.pk}/", {"rating_max": 5},
                                                    format="json")
    assert response.status_code == 200, response.json()
    assert log_entries(row, "update").get().source == "api"


def test_lowering_the_scale_below_existing_ratings_is_refused(org):
    row = settings_row()
    make_asset(org.sales, "A-1", confidentiality=1, integrity=3, availability=1)
    make_asset(org.it, "A-2", confidentiality=3, availability=3)
    make_asset(org.it, "A-3", confidentiality=2)
    response = org.client("ciso").post(reverse("assets:assetsettings_update", args=[row.pk]),
                                       {"rating_max": 2,
                                        "classification_basis": "confidentiality"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "rating_max" in errors and "2" in errors["rating_max"][0]  # two assets in the way
    api = api_client(org.users["ciso"]).patch(f"{API}{row.pk}/", {"rating_max": 2},
                                              format="json")
    assert api.status_code == 400 and "rating_max" in api.json()
    assert settings_row().rating_max == 4
    assert not log_entries(row).exists()


def test_raising_the_scale_allows_higher_ratings(org):
    row = settings_row()
    data = {"code": "A-9", "name_ja": "x", "asset_type": "paper", "department": org.sales.pk,
            "status": "in_use", "confidentiality": 5, "integrity": 1, "availability": 1}
    client = org.client("manager")
    assert client.post(reverse("assets:asset_create"), data).status_code == 400
    row.rating_max = 5
    row.save()
    assert client.post(reverse("assets:asset_create"), data).status_code == 302
    assert label(Asset.objects.get(code="A-9")) == "top-secret"  # the highest level reached


def test_changing_the_basis_reclassifies_the_assets(org):
    row = settings_row()
    mixed = make_asset(org.sales, "A-1", confidentiality=1, integrity=3, availability=2)
    plain = make_asset(org.sales, "A-2", confidentiality=2, integrity=1, availability=1)
    assert (label(mixed), label(plain)) == ("public", "internal")
    response = org.client("ciso").post(reverse("assets:assetsettings_update", args=[row.pk]),
                                       {"rating_max": 3, "classification_basis": "highest"})
    assert response.status_code == 302
    assert (label(mixed), label(plain)) == ("confidential", "internal")
    entry = log_entries(mixed, "update").get()  # the re-labelling is logged, once
    assert entry.actor_name == "ciso"
    assert [name for name, _b, _a in entry.changes()] == ["classification_id",
                                                          "classification_rank"]
    assert not log_entries(plain, "update").exists()  # unchanged labels are not touched


def test_changing_a_level_reclassifies_the_assets(org):
    top = make_asset(org.sales, "A-1", confidentiality=3)
    middle = make_asset(org.sales, "A-2", confidentiality=2)
    confidential = ClassificationLevel.objects.get(code="confidential")
    AssetSettings.objects.update(rating_max=5)
    response = org.client("ciso").post(
        reverse("assets:classificationlevel_update", args=[confidential.pk]),
        {"code": "confidential", "name_ja": "秘", "name_en": "Secret", "min_rating": 5,
         "handling_ja": "", "handling_en": ""})
    assert response.status_code == 302
    assert (label(top), label(middle)) == ("internal", "internal")
    assert log_entries(top, "update").count() == 1
    assert not log_entries(middle, "update").exists()


def test_adding_and_deleting_levels_reclassifies_the_assets(org):
    low = make_asset(org.sales, "A-1", confidentiality=1)
    ClassificationLevel.objects.get(code="public").delete()
    assert label(low) is None  # below every remaining level: no label
    response = org.client("ciso").post(reverse("assets:classificationlevel_create"), {
        "code": "open", "name_ja": "公開情報", "name_en": "Open", "min_rating": 1,
        "handling_ja": "", "handling_en": ""})
    assert response.status_code == 302
    assert label(low) == "open"


def ranks_in_step() -> bool:
    """Every asset's rank is its label's minimum rating (None without a label)."""
    return all(rank == (minimum if label_id else None) for label_id, minimum, rank in
               Asset.objects.values_list("classification_id", "classification__min_rating",
                                         "classification_rank"))


def test_the_rank_kept_for_sorting_follows_every_change_of_label(org):
    """The list sorts by classification on a rank stored beside the label (one index, no
    join): it moves with the label on save, with the levels and with the settings."""
    assets = [make_asset(org.sales, f"A-{c}", confidentiality=c) for c in (1, 2, 3, 4)]
    assert ranks_in_step()
    top = ClassificationLevel.objects.get(code="top-secret")
    ClassificationLevel.objects.get(code="confidential").delete()
    assert ranks_in_step()
    AssetSettings.objects.update(rating_max=5)
    top.min_rating = 5
    top.save()  # its asset falls to "internal"
    assert ranks_in_step()
    top.min_rating = 3
    top.save()  # ...and is back at "top-secret", now ranked 3
    assert ranks_in_step()
    asset = assets[0]
    asset.confidentiality = 4
    asset.save()
    assert ranks_in_step()

    page = org.client("ciso").get(reverse("assets:asset_list") + "?sort=-classification")
    codes = [obj.code for obj, _cells in page.context["rows"]]
    assert sorted(codes[:3]) == ["A-1", "A-3", "A-4"] and codes[3] == "A-2"


def test_a_new_installation_has_the_four_classes_of_the_model_rules(org):
    """Art 2 of the shipped asset handling rules names four classes; the default scheme has
    the same four, lowest to highest, one per step of the default scale."""
    rules = next(m for m in model_documents() if m.code == "asset-handling-rules")
    article_2 = rules.body_ja.split("{#art-2}")[1].split("\n## ")[0]
    named_in_rules = re.findall(r"^\s+- \*\*(.+?)\*\*：", article_2, re.M)
    levels = list(ClassificationLevel.objects.order_by("-min_rating"))
    assert [level.name_ja for level in levels] == named_in_rules == ["極秘", "秘", "社外秘", "公開"]
    assert [level.min_rating for level in levels] == [4, 3, 2, 1]
    assert settings_row().rating_max == 4
    named_in_english = re.findall(r"^\s+- \*\*(.+?) \(", rules.body_en, re.M)[:4]
    assert [level.name_en for level in levels] == named_in_english
