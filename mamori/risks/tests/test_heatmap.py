"""Heat maps of inherent and residual risk: counts per cell, scope and filters, colours from
the bands, and a constant number of queries."""

import pytest
from django.urls import reverse

from mamori.core.testing import query_count
from mamori.risks import heatmap
from mamori.risks.models import Risk, RiskBand, RiskMethodology, Threat
from mamori.risks.tests.test_risk_models import make_risk

pytestmark = pytest.mark.django_db
URL = reverse("risks:risk_heatmap")


def counts(hmap) -> dict:
    """{(likelihood, impact): count} of the non-empty cells."""
    return {(c.likelihood, c.impact): c.count for _l, _n, cells in hmap.rows for c in cells
            if c.count}


def cell(hmap, likelihood, impact):
    return next(c for _l, _n, cells in hmap.rows for c in cells
                if (c.likelihood, c.impact) == (likelihood, impact))


@pytest.fixture
def risks(org):
    make_risk(org.sales_east, "R-1", 3, 3, residual_likelihood=1, residual_impact=2)
    make_risk(org.sales_east, "R-2", 3, 3, residual_likelihood=1, residual_impact=2)
    make_risk(org.sales, "R-3", 1, 2, threat=Threat.objects.get(code="tampering"))
    make_risk(org.it, "R-4", 2, 3, residual_likelihood=2, residual_impact=1)
    make_risk(org.it, "R-5", 3, 3, status=Risk.Status.CLOSED)


def test_build_counts_each_cell(risks):
    inherent = heatmap.build(Risk.objects.all(), "inherent")
    assert counts(inherent) == {(3, 3): 3, (1, 2): 1, (2, 3): 1}
    assert (inherent.total, inherent.unassessed) == (5, 0)
    residual = heatmap.build(Risk.objects.all(), "residual")
    assert counts(residual) == {(1, 2): 2, (2, 1): 1}
    assert (residual.total, residual.unassessed) == (3, 2)


def test_layout_scores_and_band_colours(risks):
    hmap = heatmap.build(Risk.objects.all(), "inherent")
    assert [likelihood for likelihood, _name, _cells in hmap.rows] == [3, 2, 1]  # high first
    assert all([c.impact for c in cells] == [1, 2, 3] for _l, _n, cells in hmap.rows)
    assert len(hmap.impact_names) == 3
    colours = {band.min_score: band.colour for band in RiskBand.objects.all()}
    assert (cell(hmap, 1, 2).score, cell(hmap, 1, 2).colour) == (2, colours[1])
    assert (cell(hmap, 1, 3).score, cell(hmap, 1, 3).colour) == (3, colours[3])
    assert (cell(hmap, 3, 2).score, cell(hmap, 3, 2).colour) == (6, colours[6])
    assert (cell(hmap, 3, 3).score, cell(hmap, 3, 3).colour) == (9, colours[6])


def test_a_five_by_five_matrix(org):
    row = RiskMethodology.objects.get()
    row.size = 5
    row.save()
    make_risk(org.sales, "R-1", 5, 4)
    hmap = heatmap.build(Risk.objects.all(), "inherent")
    assert len(hmap.rows) == 5 and all(len(cells) == 5 for _l, _n, cells in hmap.rows)
    assert cell(hmap, 5, 4).count == 1 and cell(hmap, 5, 4).score == 20


def test_a_score_below_every_band_is_grey(org):
    RiskBand.objects.get(min_score=1).delete()
    make_risk(org.sales, "R-1", 1, 1)
    hmap = heatmap.build(Risk.objects.all(), "inherent")
    assert (cell(hmap, 1, 1).colour, cell(hmap, 1, 1).band) == ("#cccccc", "")


def page_counts(response, kind):
    hmap = next(m for m in response.context["maps"] if m.kind == kind)
    return counts(hmap)


def test_the_page_counts_only_the_managers_risks(org, risks):
    response = org.client("manager").get(URL)
    assert response.status_code == 200
    assert page_counts(response, "inherent") == {(3, 3): 2, (1, 2): 1}
    assert page_counts(response, "residual") == {(1, 2): 2}
    assert b'data-testid="heatmap-inherent"' in response.content
    assert b'data-count="2"' in response.content


def test_the_page_for_other_users(org, risks):
    # the page leaves out closed risks unless a status is chosen
    assert page_counts(org.client("ciso").get(URL), "inherent") == {
        (3, 3): 2, (1, 2): 1, (2, 3): 1}
    assert page_counts(org.client("auditor").get(URL), "residual") == {(1, 2): 2, (2, 1): 1}
    assert page_counts(org.client("it_staff").get(URL), "inherent") == {}  # owns none
    make_risk(org.it, "R-OWN", 2, 2, owner=org.people["it_staff"])
    assert page_counts(org.client("it_staff").get(URL), "inherent") == {(2, 2): 1}


def test_filters_apply_to_the_page(org, risks):
    client = org.client("ciso")
    response = client.get(URL + f"?department={org.it.pk}")
    assert page_counts(response, "inherent") == {(2, 3): 1}  # R-5 is closed
    response = client.get(URL + "?status=closed")
    assert page_counts(response, "inherent") == {(3, 3): 1}
    tampering = Threat.objects.get(code="tampering")
    response = client.get(URL + f"?threat={tampering.pk}")
    assert page_counts(response, "inherent") == {(1, 2): 1}
    response = client.get(URL + "?above_appetite=true&status=closed")
    # the current score counts: only R-5 (9, no residual) is above the appetite of 3
    assert page_counts(response, "inherent") == {(3, 3): 1}
    assert page_counts(client.get(URL + "?above_appetite=true"), "inherent") == {}
    # the manager's filter cannot reach beyond their scope
    response = org.client("manager").get(URL + f"?department={org.it.pk}")
    assert page_counts(response, "inherent") == {}


def test_cells_link_to_the_filtered_list(org, risks):
    response = org.client("manager").get(URL + "?status=assessed")
    list_url = reverse("risks:risk_list")
    assert f"{list_url}?status=assessed&amp;likelihood=3&amp;impact=3".encode() in (
        response.content)
    assert f"{list_url}?status=assessed&amp;residual_likelihood=1&amp;residual_impact=2".encode(
    ) in response.content
    listed = org.client("manager").get(list_url + "?likelihood=3&impact=3")
    assert sorted(obj.code for obj, _c in listed.context["rows"]) == ["R-1", "R-2"]


def test_the_query_count_is_constant_as_risks_grow(org):
    client = org.client("manager")
    client.get(URL)  # warm caches (content types, sessions)

    def add(n):
        start = Risk.objects.count()
        threat = Threat.objects.get(code="loss")
        Risk.objects.bulk_create(
            Risk(code=f"ROW-{start + i:05d}", title_ja="r", threat=threat,
                 department=org.sales_east if i % 2 else org.it, likelihood=1 + i % 3,
                 impact=1 + (i // 3) % 3, residual_likelihood=1 if i % 4 else None,
                 residual_impact=1 if i % 4 else None) for i in range(n))

    add(3)
    small = query_count(lambda: client.get(URL))
    add(40)
    assert query_count(lambda: client.get(URL)) == small
    assert query_count(lambda: client.get(URL + "?status=assessed")) == small
