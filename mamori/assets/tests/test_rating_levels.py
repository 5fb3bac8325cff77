"""Confidentiality, integrity and availability are chosen from the scale's named levels, each
read with its criterion; the organisation may write its own words for its scale."""

import pytest
from django.urls import reverse

from mamori.assets.models import Asset, AssetSettings
from mamori.assets.tests.test_asset_models import make_asset
from mamori.assets.tests.test_assets import form
from mamori.core.testing import log_entries
from mamori.risks.tests.test_named_levels import options

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_levels_of_the_default_scale(org):
    html = org.client("manager").get(reverse("assets:asset_create"),
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("confidentiality", "integrity", "availability"):
        choices = options(html, name)
        assert [value for value, _text in choices] == ["", "1", "2", "3", "4"]
        assert choices[4] == ("4", "4 — Very high: Harm to it would do extremely serious "
                                   "damage to customers or the Company")
    ja = org.client("manager").get(reverse("assets:asset_create")).content.decode()
    assert ("3", "3 — 高: 損なわれるとお客様又は当社に重大な損害が生じる") in options(
        ja, "confidentiality")


def test_the_organisation_s_own_levels_follow_its_scale(org):
    row = AssetSettings.objects.get()
    client = org.client("ciso")
    url = reverse("assets:assetsettings_update", args=[row.pk])
    data = {"rating_max": 3, "classification_basis": "confidentiality",
            "rating_levels": "小 | Small | 軽微 | Minor\n中 | Middle\n大 | Large | 重大 | Serious"}
    assert client.post(url, data).status_code == 302
    assert "rating_levels" in {name for name, _b, _a in log_entries(row, "update").get()
                               .changes()}
    html = org.client("manager").get(reverse("assets:asset_create"),
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert options(html, "integrity")[1:] == [("1", "1 — Small: Minor"), ("2", "2 — Middle"),
                                              ("3", "3 — Large: Serious")]
    wrong = client.post(url, {**data, "rating_max": 4}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["rating_levels"] == [
        "Give one line for each of the 4 levels."]


def test_a_rating_off_the_scale_is_still_refused_naming_the_field(org):
    response = org.client("manager").post(reverse("assets:asset_create"),
                                          form(org, availability=9), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors["availability"] == ["The scale goes up to 4."]
    assert not Asset.objects.exists()


def test_the_detail_reads_each_rating_as_its_level(org):
    asset = make_asset(org.sales, "A-1", confidentiality=4, integrity=2, availability=1)
    html = org.client("manager").get(asset.get_absolute_url()).content.decode()
    assert "4 — 極めて高い: 損なわれるとお客様又は当社に極めて重大な損害が生じる" in html
    assert "2 — 中: 損なわれると社内の業務に支障が出る" in html
    assert "1 — 低: 損なわれても影響はほとんどない" in html


def test_the_settings_page_shows_the_levels_in_effect(org):
    page = org.client("staff").get(reverse(
        "assets:assetsettings_detail", args=[AssetSettings.objects.get().pk])).content.decode()
    assert "<li>4 — 極めて高い: 損なわれるとお客様又は当社に極めて重大な損害が生じる</li>" in page
