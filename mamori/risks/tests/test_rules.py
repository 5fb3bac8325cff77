"""Rules that keep the method consistent: levels and bands within the scale, acceptances tied
to one risk and revoked only after they were given, closed risks off the heat map."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from mamori.assets.models import ClassificationLevel
from mamori.risks import heatmap
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, Threat

pytestmark = pytest.mark.django_db


def make_risk(org, code, **fields):
    values = {"title_ja": "漏洩", "department": org.sales, "likelihood": 3, "impact": 3,
              "threat": Threat.objects.get(code="leakage"), **fields}
    return Risk.objects.create(code=code, **values)


def test_a_classification_level_beyond_the_scale_is_refused():
    with pytest.raises(ValidationError) as exc:
        ClassificationLevel(code="top", name_ja="極秘", min_rating=5).full_clean()
    assert "min_rating" in exc.value.message_dict


def test_a_band_beyond_the_matrix_is_refused():
    with pytest.raises(ValidationError) as exc:
        RiskBand(min_score=10, name_ja="極大", colour="#000000").full_clean()
    assert "min_score" in exc.value.message_dict


def test_an_acceptance_stays_with_its_risk_and_is_revoked_after_it_was_given(org):
    first, second = make_risk(org, "R-1"), make_risk(org, "R-2")
    today = datetime.date.today()
    acceptance = RiskAcceptance.objects.create(
        risk=first, accepted_by=org.people["ciso"], accepted_on=today,
        expires_on=today + datetime.timedelta(days=90), justification="費用対効果")
    acceptance.risk = second
    acceptance.revoked_on = today - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        acceptance.full_clean()
    assert set(exc.value.message_dict) == {"risk", "revoked_on"}


def test_the_heat_map_leaves_out_closed_risks_unless_asked(org):
    make_risk(org, "R-OPEN")
    make_risk(org, "R-CLOSED", status=Risk.Status.CLOSED)
    client = org.client("ciso")
    inherent = client.get(reverse("risks:risk_heatmap")).context["maps"][0]
    assert inherent.total == 1
    closed = client.get(reverse("risks:risk_heatmap") + "?status=closed").context["maps"][0]
    assert closed.total == 1 and closed.rows[0][2][2].count == 1


def test_level_names_are_configurable_per_axis(org):
    from mamori.risks.models import RiskMethodology

    methodology = RiskMethodology.objects.get()
    methodology.likelihood_levels = "まれ | Rare\n時々 | Sometimes\n頻繁 | Often"
    methodology.full_clean()
    methodology.save()
    with translation.override("en"):
        inherent = heatmap.build(Risk.objects.all(), "inherent")
    assert [name for _level, name, _cells in inherent.rows] == ["Often", "Sometimes", "Rare"]
    with translation.override("ja"):
        inherent = heatmap.build(Risk.objects.all(), "inherent")
    assert [name for _level, name, _cells in inherent.rows] == ["頻繁", "時々", "まれ"]
    assert len(inherent.impact_names) == 3  # impact keeps the standard names
    methodology.impact_levels = "小 | Minor\n大 | Major"
    with pytest.raises(ValidationError) as exc:
        methodology.full_clean()
    assert "impact_levels" in exc.value.message_dict
