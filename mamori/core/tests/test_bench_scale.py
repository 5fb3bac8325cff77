"""The ten-times-the-company benchmark (bench/scale.py) on a small data set: every page it
enumerates answers 200, and it enumerates every list page and every list route of the API, so
a new list the benchmark would miss fails here. Times are printed by the benchmark, never
asserted."""

import sys
from pathlib import Path

import pytest
from django.core.management import call_command

BENCH = Path(__file__).resolve().parents[3] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def scale_pages(tmp_path, settings):
    import scale_data
    import scale_pages

    settings.DATA_DIR = tmp_path
    call_command("demo", verbosity=0)
    scale_data.Builder(0.01, say=lambda message: None).run()
    return scale_pages


def test_every_enumerated_page_answers_and_every_list_is_enumerated(scale_pages):
    from scale_data import ensure_admin

    from mamori.core.testing import signed_in_client

    admin = ensure_admin()
    client = signed_in_client(admin)
    pages = scale_pages.enumerate_pages(admin)
    for page in pages:
        scale_pages.run(page, client, repeat=0, budget_s=60)
    failed = [(page.status, page.name, page.url) for page in pages if page.status != 200]
    assert not failed

    measured = {(page.kind, page.name.split(" ")[0]) for page in pages}
    lists = set(scale_pages.list_views())
    api = set(scale_pages.api_lists())
    assert lists and api
    assert {("list", name) for name in lists} <= measured
    assert {("api", name) for name in api} <= measured
    assert {("detail", name) for name in scale_pages.detail_views()} <= measured
    # Each filter and sortable column of each list page, not only its default order.
    for name, view in scale_pages.list_views().items():
        variants = {page.name for page in pages if page.name.split(" ")[0] == name}
        for filter_name in (view.filterset_class.base_filters if view.filterset_class else {}):
            assert any(f" filter {filter_name}=" in v for v in variants), (name, filter_name)
        for column in view.table_class.columns:
            if column.sortable:
                assert f"{name} sort {column.field}" in variants
    assert {"core:dashboard", "api:conformance", "conformance.evaluate(SYSTEM)"} <= {
        page.name for page in pages if page.kind == "report"}
    assert any(page.kind == "changelog" for page in pages)
