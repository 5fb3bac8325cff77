"""Writing a risk's links through the API keeps the links the writer cannot see, and does not
show them (the same rule as the form: core.forms.keep_unseen_links)."""

import pytest

from mamori.assets.models import Asset
from mamori.core.testing import api_client
from mamori.risks.models import Risk, Threat


@pytest.mark.django_db
def test_api_shows_and_keeps_only_what_the_writer_cannot_see(org):
    sales_asset = Asset.objects.create(code="A-S", name_ja="営業資料", asset_type="information",
                                       department=org.sales)
    other_sales = Asset.objects.create(code="A-S2", name_ja="顧客名簿", asset_type="information",
                                       department=org.sales)
    it_asset = Asset.objects.create(code="A-IT", name_ja="基幹サーバ", asset_type="system",
                                    department=org.it)
    risk = Risk.objects.create(code="R-1", title_ja="漏洩", department=org.sales,
                               threat=Threat.objects.get(code="leakage"), likelihood=2, impact=2)
    risk.assets.set([sales_asset, it_asset])  # linked by the CISO, who sees both

    client = api_client(org.users["manager"])
    shown = client.get(f"/api/risks/risks/{risk.pk}/").json()
    assert shown["assets"] == [sales_asset.pk]  # the IT asset is not shown to Sales

    response = client.patch(f"/api/risks/risks/{risk.pk}/", {"assets": [other_sales.pk]},
                            format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["assets"] == [other_sales.pk]
    assert set(risk.assets.values_list("code", flat=True)) == {"A-S2", "A-IT"}

    ciso = api_client(org.users["ciso"])
    assert sorted(ciso.get(f"/api/risks/risks/{risk.pk}/").json()["assets"]) == sorted(
        [other_sales.pk, it_asset.pk])


@pytest.mark.django_db
def test_the_list_shows_links_in_a_constant_number_of_queries(org):
    from mamori.core.testing import query_count

    client = api_client(org.users["manager"])
    threat = Threat.objects.get(code="leakage")

    def make(n):
        for _ in range(n):
            risk = Risk.objects.create(code=f"R-{Risk.objects.count()}", title_ja="漏洩",
                                       department=org.sales, threat=threat, likelihood=1,
                                       impact=1)
            risk.assets.add(Asset.objects.create(
                code=f"A-{risk.pk}", name_ja="資料", asset_type="paper",
                department=org.it if risk.pk % 2 else org.sales))

    make(3)
    client.get("/api/risks/risks/")  # first use of the token records it
    few = query_count(lambda: client.get("/api/risks/risks/"))
    make(20)
    response = client.get("/api/risks/risks/")
    assert query_count(lambda: client.get("/api/risks/risks/")) == few
    shown = {a for row in response.json()["results"] for a in row["assets"]}
    assert shown == set(Asset.objects.filter(department=org.sales).values_list("pk", flat=True))
