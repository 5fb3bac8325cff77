"""Ratings chosen by name: likelihood and impact are picked from the methodology's levels,
each read with its criterion, and scores show the band they fall in as a coloured badge."""

import re

import pytest
from django.urls import reverse

from mamori.risks.models import Risk, RiskMethodology
from mamori.risks.tests.test_risk_models import make_risk
from mamori.risks.tests.test_risks import form

pytestmark = pytest.mark.django_db


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select for {name}"
    return [(value, " ".join(text.split())) for value, text in
            re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select[1], re.S)]


def test_the_form_offers_the_standard_levels_with_their_criteria(org):
    html = org.client("manager").get(reverse("risks:risk_create"),
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    likelihood = options(html, "likelihood")
    assert likelihood[1:] == [("1", "1 — Low: About once in several years or less"),
                              ("2", "2 — Medium: About once a year"),
                              ("3", "3 — High: Several times a year or more")]
    assert options(html, "impact")[3] == (
        "3", "3 — High: Key operations stop, or many customers&#x27; information leaks")
    assert options(html, "residual_likelihood")[0][0] == ""  # a residual rating is optional
    ja = org.client("manager").get(reverse("risks:risk_create")).content.decode()
    assert ("3", "3 — 高: 年に数回以上") in options(ja, "likelihood")


def test_the_methodology_s_own_words_are_offered_for_its_matrix(org):
    methodology = RiskMethodology.objects.get()
    methodology.size = 5
    methodology.likelihood_levels = "\n".join(
        f"水準{n} | Level {n} | 基準{n} | Criterion {n}" for n in range(1, 6))
    methodology.full_clean()
    methodology.save()
    html = org.client("manager").get(reverse("risks:risk_create"),
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert options(html, "likelihood")[1:] == [
        (str(n), f"{n} — Level {n}: Criterion {n}") for n in range(1, 6)]
    assert options(html, "impact")[5] == (
        "5", "5 — Very high: Serious harm to the business&#x27;s survival or to public trust")


def test_a_level_off_the_matrix_is_still_refused_naming_the_field(org):
    response = org.client("manager").post(reverse("risks:risk_create"),
                                          form(org, impact=7), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors["impact"] == ["The matrix goes up to 3."]
    assert not Risk.objects.exists()


def test_a_level_may_be_given_by_its_name_as_a_file_would(org):
    """The import shares this form: a rating given as the level's name in either language,
    or as the label the select shows, is its number; an unknown name is refused."""
    response = org.client("manager").post(reverse("risks:risk_create"), form(
        org, likelihood="高", impact="Medium", residual_likelihood="1 — Low",
        residual_impact="低"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["form"].errors
    risk = Risk.objects.get(code="R-NEW")
    assert (risk.likelihood, risk.impact, risk.residual_likelihood, risk.residual_impact) == (
        3, 2, 1, 1)
    response = org.client("manager").post(reverse("risks:risk_create"), form(
        org, code="R-BAD", impact="とても高い"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["form"].errors["impact"] == [
        "Give a level: a number from 1 to 3, or its name (Low, Medium, High)."]


def test_the_list_and_the_detail_show_the_band_as_a_coloured_badge(org):
    risk = make_risk(org.sales, "R-HOT", likelihood=3, impact=3,
                     residual_likelihood=1, residual_impact=2)
    client = org.client("manager")
    page = client.get(reverse("risks:risk_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    badges = re.findall(r'<span class="badge mamori-band" data-band="(\d+)">(\d+) '
                        r'<svg[^>]*><rect[^>]*fill="(#[0-9a-f]{6})"/></svg> (\w+)</span>', page)
    assert badges == [("6", "9", "#d63939", "High"), ("1", "2", "#2fb344", "Low")]
    detail = client.get(risk.get_absolute_url()).content.decode()
    assert "3 — 高: 年に数回以上" in detail
    assert "1 — 低: 数年に1回程度、又はそれより少ない" in detail
    assert re.search(r'data-band="6">9 <svg[^>]*><rect[^>]*fill="#d63939"/></svg> 高</span>',
                     detail)
    assert "style=" not in re.search(r'<dl class="row mb-0[^"]*">.*?</dl>', detail, re.S)[0]



def test_the_methodology_page_shows_the_levels_in_effect(org):
    methodology = RiskMethodology.objects.get()
    page = org.client("auditor").get(methodology.get_absolute_url()).content.decode()
    assert "<li>3 — 高: 年に数回以上</li>" in page  # the standard likelihood levels
    assert "<li>1 — 低: 業務への影響は軽微で、お客様には及ばない</li>" in page
    methodology.impact_levels = "小 | Minor | 軽微\n中 | Medium\n大 | Major | 重大"
    methodology.save()
    page = org.client("auditor").get(methodology.get_absolute_url()).content.decode()
    assert "<li>1 — 小: 軽微</li><li>2 — 中</li><li>3 — 大: 重大</li>" in page
