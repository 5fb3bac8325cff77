"""An asset recovery carries its asset's department (its scope, one index instead of a join
to every asset): derived when it is saved, and moved with the asset in the same transaction
by every way an asset is written (core.copies): a save (page or API), a queryset update, an
import's bulk write. The move is in the change log, and a failed import moves nothing."""

import datetime

import pytest
import tablib
from django.db import transaction

from mamori.assets.forms import AssetImportForm
from mamori.assets.models import Asset
from mamori.assets.tables import AssetResource
from mamori.assets.tests.test_asset_import import HEADERS, assets_file
from mamori.continuity.models import AssetRecovery
from mamori.core import io
from mamori.core.changelog import verify
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import concurrent_writes_possible, run_at_once

pytestmark = pytest.mark.usefixtures("english")

TODAY = datetime.date(2026, 12, 1)


def asset_in(department, code):
    return Asset.objects.create(code=code, name_ja=f"資産 {code}", asset_type="system",
                                department=department)


def recovery_of(asset):
    return AssetRecovery.objects.create(asset=asset, recovery_hours=4,
                                        backup_interval_hours=1, demonstrated_on=TODAY)


def in_step() -> bool:
    return all(department == asset_department for department, asset_department in
               AssetRecovery.objects.values_list("department", "asset__department"))


def visible_to(org, username) -> set[str]:
    return set(AssetRecovery.objects.restrict(org.users[username])
               .values_list("asset__code", flat=True))


@pytest.mark.django_db
def test_a_recovery_takes_its_assets_department_and_a_new_asset_retakes_it(org):
    recovery = recovery_of(asset_in(org.sales, "A-1"))
    assert recovery.department == org.sales
    recovery.asset = asset_in(org.it, "A-2")
    recovery.save()
    recovery.refresh_from_db()
    assert recovery.department == org.it


@pytest.mark.django_db
def test_an_asset_moved_on_its_page_moves_its_recovery_in_the_log(org):
    asset = asset_in(org.sales, "A-1")
    recovery_of(asset)
    assert visible_to(org, "manager") == {"A-1"}
    with transaction.atomic():
        asset.department = org.it
        asset.save()
    recovery = AssetRecovery.objects.get()
    assert recovery.department == org.it
    assert visible_to(org, "manager") == set()
    entry = ChangeLogEntry.objects.filter(model="continuity.assetrecovery",
                                          action="update").get()
    assert entry.changes() == [("department_id", org.sales.pk, org.it.pk)]
    assert verify().ok


@pytest.mark.django_db
def test_a_save_of_other_fields_leaves_the_recovery_alone(org):
    asset = asset_in(org.sales, "A-1")
    recovery_of(asset)
    before = ChangeLogEntry.objects.count()
    asset.name_ja = "改名"
    asset.save()
    assert ChangeLogEntry.objects.count() == before + 1  # the asset's entry only


@pytest.mark.django_db
def test_an_asset_moved_through_the_api_moves_its_recovery(org):
    asset = asset_in(org.sales, "A-1")
    recovery_of(asset)
    response = org.client("manager").patch(
        f"/api/assets/assets/{asset.pk}/", {"department": org.sales_east.pk},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert AssetRecovery.objects.get().department == org.sales_east


@pytest.mark.django_db
def test_a_queryset_update_moves_the_recoveries(org):
    for n in range(3):
        recovery_of(asset_in(org.sales, f"A-{n}"))
    Asset.objects.filter(code__in=["A-0", "A-2"]).update(department=org.it)
    assert dict(AssetRecovery.objects.values_list("asset__code", "department")) == {
        "A-0": org.it.pk, "A-1": org.sales.pk, "A-2": org.it.pk}


def run(org, data):
    return io.import_dataset(AssetResource(), AssetImportForm, data, org.users["admin"])


@pytest.mark.django_db
def test_an_import_that_moves_assets_moves_their_recoveries(org):
    assert Asset.bulk_writable  # the import writes in bulk: this is that path
    assert run(org, assets_file(org, 300)).ok
    for asset in Asset.objects.filter(code__startswith="IMP-")[::3]:
        recovery_of(asset)
    assert run(org, assets_file(org, 300, shift=1)).ok  # every asset changes department
    assert AssetRecovery.objects.count() == 100 and in_step()
    moves = ChangeLogEntry.objects.filter(model="continuity.assetrecovery",
                                          action="update")
    assert moves.count() == 100
    assert verify().ok


@pytest.mark.django_db
def test_an_import_refused_moves_no_recovery(org):
    assert run(org, assets_file(org, 30)).ok
    for asset in Asset.objects.filter(code__startswith="IMP-"):
        recovery_of(asset)
    before = dict(AssetRecovery.objects.values_list("pk", "department"))
    rows = [list(row) for row in assets_file(org, 30, shift=1)]
    rows[-1][HEADERS.index("integrity")] = "とても高い"  # the last row is refused
    assert not run(org, tablib.Dataset(*rows, headers=HEADERS)).ok
    assert dict(AssetRecovery.objects.values_list("pk", "department")) == before
    assert in_step()


WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_recoveries_recorded_while_their_assets_move_stay_in_step(org):
    """Half the threads record recoveries while the other half move the same assets: each
    recovery ends with its asset's department, whichever wrote first."""
    concurrent_writes_possible()
    assets = [asset_in(org.sales, f"C-{n}") for n in range(WRITERS // 2)]

    def work(n):
        asset = assets[n // 2]
        if n % 2:
            with transaction.atomic():
                recovery_of(asset)
        else:
            with transaction.atomic():
                moving = Asset.objects.select_for_update().get(pk=asset.pk)
                moving.department = org.it
                moving.save()

    assert not run_at_once(work, WRITERS)
    assert AssetRecovery.objects.count() == WRITERS // 2
    assert set(AssetRecovery.objects.values_list("department", flat=True)) == {org.it.pk}
