"""Many-to-many links in the API are read as ids from their link tables (core.links)."""

import pytest
from django.db import connection
from django.db.models import ManyToManyField
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver

from mamori.assets.models import Asset
from mamori.assets.tests.test_asset_models import make_asset
from mamori.core.api.viewsets import ScopedManyRelatedField, ScopedModelViewSet
from mamori.core.testing import api_client


def api_viewsets(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from api_viewsets(pattern.url_patterns)
        elif isinstance(cls := getattr(pattern.callback, "cls", None), type) and issubclass(
                cls, ScopedModelViewSet):
            yield cls


def test_every_listed_many_to_many_field_is_read_from_its_link_table():
    """A viewset whose serializer lists a model's many-to-many field names it in
    linked_fields; otherwise each row's links would be read one query at a time."""
    missing = set()
    for viewset in set(api_viewsets()):
        serializer = viewset.serializer_class()
        for name, field in serializer.fields.items():
            model_field = viewset.model._meta.get_field(field.source) if isinstance(
                field, ScopedManyRelatedField) else None
            if isinstance(model_field, ManyToManyField) and name not in viewset.linked_fields:
                missing.add((viewset.__name__, name))
    assert missing == set()


@pytest.fixture
def linked_assets(org):
    """An asset in Sales East depending on three others, one of them in IT (which the
    information manager of Sales may not see), created in an order unlike their ids."""
    asset = make_asset(org.sales_east, "A-1")
    later = make_asset(org.sales_east, "A-3")
    earlier = make_asset(org.sales_east, "A-2")
    hidden = make_asset(org.it, "A-IT")
    asset.depends_on.add(later, hidden, earlier)
    return asset, sorted([later.pk, earlier.pk]), hidden


@pytest.mark.django_db
def test_links_are_listed_in_id_order_and_only_those_the_reader_sees(org, linked_assets):
    asset, visible, hidden = linked_assets
    ciso = api_client(org.users["ciso"])
    manager = api_client(org.users["manager"])

    listed = {row["id"]: row for row in ciso.get("/api/assets/assets/").json()["results"]}
    assert listed[asset.pk]["depends_on"] == sorted([*visible, hidden.pk])
    detail = ciso.get(f"/api/assets/assets/{asset.pk}/").json()
    assert detail["depends_on"] == sorted([*visible, hidden.pk])

    listed = {row["id"]: row for row in manager.get("/api/assets/assets/").json()["results"]}
    assert listed[asset.pk]["depends_on"] == visible
    assert manager.get(f"/api/assets/assets/{asset.pk}/").json()["depends_on"] == visible


@pytest.mark.django_db
def test_a_changed_list_of_links_is_answered_as_it_now_is(org, linked_assets):
    asset, visible, hidden = linked_assets
    manager = api_client(org.users["manager"])
    response = manager.patch(f"/api/assets/assets/{asset.pk}/", {"depends_on": visible[:1]},
                             format="json")
    assert response.status_code == 200, response.content
    assert response.json()["depends_on"] == visible[:1]
    # The link the manager could not see is kept, in id order with the rest.
    assert sorted(asset.depends_on.values_list("pk", flat=True)) == sorted(
        [visible[0], hidden.pk])


@pytest.mark.django_db
def test_links_are_read_without_joining_the_linked_table(org, linked_assets):
    """One query per relation on the link table alone: no join to the linked model's
    table (which PostgreSQL hashes whole when it has no statistics) and no linked rows."""
    link_table = Asset.depends_on.through._meta.db_table
    client = api_client(org.users["ciso"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/assets/assets/").status_code == 200
    reading_links = [q["sql"] for q in queries.captured_queries if link_table in q["sql"]]
    assert len(reading_links) == 1
    assert "JOIN" not in reading_links[0].upper()
