"""The asset import writes a batch at a time (core.audit.save_in_bulk): the same records,
labels and change-log entries as saving row by row, a number of queries that grows with the
batches rather than the rows, and still all or nothing."""

import pytest
import tablib
from django.db import transaction

from mamori.assets.forms import AssetImportForm
from mamori.assets.models import Asset, AssetSettings
from mamori.assets.tables import AssetResource
from mamori.core import io
from mamori.core.audit import one_log_append
from mamori.core.changelog import verify
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import query_count

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADERS = ["code", "name_ja", "name_en", "asset_type", "department", "custodian", "status",
           "confidentiality", "integrity", "availability", "has_personal_info",
           "data_subjects"]


def assets_file(org, count, prefix="IMP", shift=0, start=0):
    departments = [org.sales.code, org.sales_east.code, org.it.code]
    data = tablib.Dataset(headers=HEADERS)
    for i in range(start, start + count):
        personal = (i + shift) % 4 == 0
        data.append([f"{prefix}-{i:05d}", f"資産 {i} {shift}", f"Asset {i}",
                     "system" if i % 2 else "information", departments[(i + shift) % 3],
                     "P003" if (i + shift) % 3 == 0 else "", "in_use", (i + shift) % 3 + 1,
                     i % 3 + 1, (i // 3 + shift) % 3 + 1, "true" if personal else "false",
                     str(i + 1) if personal else ""])
    return data


def run(org, data, user="admin"):
    return io.import_dataset(AssetResource(), AssetImportForm, data, org.users[user])


def test_queries_grow_with_the_batches_not_the_rows(org):
    """Before: six queries a row (the settings three times, the levels, a foreign key's
    existence, the INSERT). Now the file's lookups are read in chunks of 500 and every
    write is a batch: on SQLite an INSERT holds at most 999 parameters, so a batch of 1,000
    assets is about 20 statements, still at least 25 rows a statement."""
    small = query_count(lambda: run(org, assets_file(org, 2000, "S")))
    large = query_count(lambda: run(org, assets_file(org, 4000, "L")))
    assert Asset.objects.count() == 6000
    assert small < 2000 / 20
    assert large - small <= 2000 / 25, (small, large)
    # An update of every row reads them locked in chunks and writes them in batches too.
    updated = query_count(lambda: run(org, assets_file(org, 4000, "L", shift=1)))
    assert updated - small <= 2000 / 25 + 2000 / 25, (small, updated)


def state(prefix, since):
    """The imported assets (by code) and the change-log entries after `since`, without
    what differs between two runs of the same import (ids, times, hashes)."""
    assets = {}
    for asset in Asset.objects.filter(code__startswith=prefix).select_related(
            "department", "custodian", "classification"):
        assets[asset.code] = (
            asset.name_ja, asset.name_en, asset.asset_type, asset.department.code,
            asset.custodian and asset.custodian.employee_no, asset.confidentiality,
            asset.integrity, asset.availability,
            asset.classification and asset.classification.code, asset.has_personal_info,
            asset.data_subjects)

    def plain(values):
        return None if values is None else {k: v for k, v in values.items() if k != "id"}

    entries = [(e.action, e.model, e.object_repr, plain(e.before), plain(e.after),
                e.actor_id, e.actor_name, e.source)
               for e in ChangeLogEntry.objects.filter(seq__gt=since).order_by("seq")]
    return assets, entries


class RolledBack(Exception):
    pass


def import_and_undo(org, data):
    """Import `data`, note the state, and roll it all back."""
    since = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    noted = {}
    try:
        with transaction.atomic():
            result = run(org, data)
            assert result.ok, [str(e) for e in result.errors]
            noted["result"] = (result.created, result.updated)
            noted["state"] = state("EQ-", since)
            raise RolledBack
    except RolledBack:
        pass
    return noted


def test_a_bulk_import_writes_what_saving_row_by_row_writes(org, monkeypatch):
    """Half the file updates existing assets (new ratings, department and custodian), half
    creates; the labels follow the highest of the three ratings and a level of its own."""
    settings = AssetSettings.objects.get()
    settings.classification_basis = AssetSettings.Basis.HIGHEST
    settings.save()
    assert run(org, assets_file(org, 40, "EQ")).ok
    data = assets_file(org, 40, "EQ", shift=1)
    for row in assets_file(org, 40, "EQ", shift=2, start=40):
        data.append(row)
    data.append(["EQ-99999", "最高", "", "system", org.it.code, "", "in_use", 1, 4, 1, "false",
                 ""])

    bulk = import_and_undo(org, data)
    monkeypatch.setattr(Asset, "bulk_writable", False)
    row_by_row = import_and_undo(org, data)

    assert bulk["result"] == row_by_row["result"] == (41, 40)
    assert bulk["state"] == row_by_row["state"]
    assets, entries = bulk["state"]
    assert assets["EQ-99999"][8] == "top-secret"
    assert len(entries) == 81 and {e[0] for e in entries} == {"create", "update"}


def test_a_bad_row_near_the_end_writes_nothing(org):
    """As a bad row at row 90,000 of 100,000: every error is named, nothing is saved."""
    before = ChangeLogEntry.objects.count()
    data = assets_file(org, 2500)
    bad = list(data[2249])
    bad[HEADERS.index("confidentiality")] = "9"
    data[2249] = bad

    result = run(org, data)

    assert [str(e) for e in result.errors] == [
        "Row 2250, Confidentiality: The scale goes up to 4."]
    assert result.created == 0
    assert not Asset.objects.filter(code__startswith="IMP-").exists()
    assert ChangeLogEntry.objects.count() == before


def test_a_row_the_database_refuses_is_named_and_everything_rolls_back(org):
    """A value taken between the check and the write (here: by a row written just before)
    fails its batch; the rows are then written one at a time to name the row."""
    data = assets_file(org, 1500)
    rows = [(i, dict(zip(HEADERS, map(str, row), strict=True)))
            for i, row in enumerate(data, start=1)]
    checked = io._check_rows(AssetResource(), AssetImportForm, org.users["admin"], rows,
                             io.ImportResult())
    Asset.objects.create(code="IMP-01200", name_ja="先に", asset_type="system",
                         department=org.sales)
    result = io.ImportResult()
    with transaction.atomic():
        with pytest.raises(io._RolledBack), one_log_append():
            io._write_rows(AssetResource(), AssetImportForm, org.users["admin"], checked,
                           result)
        transaction.set_rollback(True)
    assert Asset.objects.filter(code__startswith="IMP-").count() == 1
    assert [str(e) for e in result.errors] == [
        "Row 1201, (row): The row could not be saved: it conflicts with a record that "
        "already exists."]


def test_an_import_out_of_the_importers_scope_is_refused_whole(org):
    """The information manager of sales may not file assets under IT: the row says so and
    the rows of their own department are not saved either."""
    data = assets_file(org, 30)
    result = run(org, data, user="manager")
    assert not result.ok and result.created == 0
    assert {e.field for e in result.errors} == {"department"}
    assert not Asset.objects.filter(code__startswith="IMP-").exists()


def test_ratings_may_be_given_by_the_levels_name_in_either_language(org):
    """People read C/I/A as named levels on the page (issue 16 #16); a file may use those
    names, or the label a select shows, as well as the number."""
    data = assets_file(org, 3, "LVL")
    rows = [list(row) for row in data]
    named = [("高", "Very high", "2 — 中"), ("low", " 極めて高い ", "3"), ("中", "4", "HIGH")]
    for row, (c, i, a) in zip(rows, named, strict=True):
        row[HEADERS.index("confidentiality"):HEADERS.index("availability") + 1] = [c, i, a]
    rows.append(list(assets_file(org, 1, "BAD")[0]))
    rows[-1][HEADERS.index("integrity")] = "とても高い"

    result = run(org, tablib.Dataset(*rows, headers=HEADERS))
    assert [str(e) for e in result.errors] == [
        "Row 4, Integrity: Give a level: a number from 1 to 4, or its name "
        "(Low, Medium, High, Very high)."]
    del rows[-1]
    assert run(org, tablib.Dataset(*rows, headers=HEADERS)).ok
    ratings = {a.code: (a.confidentiality, a.integrity, a.availability)
               for a in Asset.objects.filter(code__startswith="LVL-")}
    assert ratings == {"LVL-00000": (3, 4, 2), "LVL-00001": (1, 4, 3),
                       "LVL-00002": (2, 4, 3)}


def test_the_chain_verifies_after_a_bulk_import(org):
    assert run(org, assets_file(org, 1200)).ok
    assert run(org, assets_file(org, 1200, shift=1)).ok
    assert verify().ok


def bad_rows(org):
    """Rows wrong in every way the form and the model know of, new and existing records."""
    assert run(org, assets_file(org, 6, "OLD")).ok
    data = assets_file(org, 14, "BAD")
    rows = [list(row) for row in data]

    def put(i, **values):
        for name, value in values.items():
            rows[i][HEADERS.index(name)] = value

    put(0, asset_type="spaceship")
    put(1, department="NOWHERE")
    put(2, department=org.it.code)  # outside the manager's departments
    put(3, custodian="P999")
    put(4, confidentiality="4", availability="0")
    put(5, has_personal_info="false", data_subjects="12")
    put(6, name_ja="")
    put(7, name_ja="x" * 201)
    put(8, name_en="改行\x07")
    put(9, integrity="many")
    put(10, code="OLD-00001")  # updates an existing asset: fine for an update...
    put(11, code="OLD-00002", department="NOWHERE", custodian="P998")  # ...but not these
    put(12, code="OLD-00003", confidentiality="7")
    put(13, code="")
    data = tablib.Dataset(*rows, headers=HEADERS)
    return data


@pytest.mark.parametrize("user", ["admin", "manager"])
def test_a_form_copied_for_every_row_says_what_a_form_per_row_says(org, monkeypatch, user):
    from mamori.core import rowforms

    data = bad_rows(org)
    copied = [str(e) for e in run(org, data, user).errors]
    monkeypatch.setattr(rowforms, "reusable", lambda form_class: False)
    per_row = [str(e) for e in run(org, data, user).errors]
    assert copied == per_row
    assert len({e.split(",")[0] for e in copied}) >= 12  # nearly every row has its error


def test_the_collector_runs_less_often_during_an_import_and_as_before_after(org):
    """core.io.fewer_collections: raised while an import runs, put back after it, also when
    imports in two threads overlap and end in the other order, or an import fails."""
    import gc
    from contextlib import ExitStack

    before = gc.get_threshold()
    during = []
    result = io.import_dataset(AssetResource(), AssetImportForm, assets_file(org, 3, "GC"),
                               org.users["admin"], on_written=lambda r: during.append(
                                   gc.get_threshold()))
    assert result.ok and during == [io.IMPORT_GC_THRESHOLDS]
    assert gc.get_threshold() == before

    first, second = ExitStack(), ExitStack()
    first.enter_context(io.fewer_collections())
    second.enter_context(io.fewer_collections())
    first.close()  # the first to start ends first: the second still runs
    assert gc.get_threshold() == io.IMPORT_GC_THRESHOLDS
    second.close()
    assert gc.get_threshold() == before

    with pytest.raises(ZeroDivisionError), io.fewer_collections():
        1 / 0  # noqa: B018
    assert gc.get_threshold() == before
