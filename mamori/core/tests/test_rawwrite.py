"""core.rawwrite stores what save() stores, in order, a statement per batch; and core.audit's
snapshot reads what each field's value_from_object gives."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F

from mamori.assets.models import Asset
from mamori.controls.models import Control, Evidence
from mamori.core import rawwrite
from mamori.core.audit import json_value, snapshot
from mamori.core.testing import query_count

pytestmark = pytest.mark.django_db


def asset(org, code, **values):
    obj = Asset(code=code, name_ja=f"資産 {code}", asset_type="system", department=org.sales,
                confidentiality=2, integrity=1, availability=3, **values)
    obj.derive_fields()
    return obj


def stored(pk):
    row = Asset.objects.filter(pk=pk).values().get()
    row.pop("id")
    row.pop("code")
    row.pop("name_ja")
    return row


def test_insert_rows_stores_what_save_stores(org):
    values = {"custodian": org.people["staff"], "has_personal_info": True,
              "data_subjects": 1200, "name_en": "", "location": "棚 3"}
    with transaction.atomic():
        saved = asset(org, "RW-SAVE", **values)
        saved.save()
        raw = asset(org, "RW-RAW", **values)
        rawwrite.insert_rows(Asset, [raw], connection)
        assert raw.pk is not None and not raw._state.adding
        assert stored(raw.pk) == stored(saved.pk)


def test_insert_rows_keeps_the_order_across_statements(org, monkeypatch):
    # SQLite: ten rows a statement, so 35 rows take four statements whose keys come back in
    # order. PostgreSQL: the keys are taken from the sequence (one query), then one COPY
    # (which Django's query log does not see).
    monkeypatch.setattr(rawwrite, "max_parameters",
                        lambda conn: 10 * (len(Asset._meta.local_concrete_fields) - 1))
    objs = [asset(org, f"RW-{i:03d}") for i in range(35)]
    with transaction.atomic():
        queries = query_count(lambda: rawwrite.insert_rows(Asset, objs, connection))
        assert queries == (4 if connection.vendor == "sqlite" else 1)
        codes = dict(Asset.objects.filter(code__startswith="RW-").values_list("pk", "code"))
    assert [codes[obj.pk] for obj in objs] == [obj.code for obj in objs]


def test_a_row_the_database_refuses_is_an_integrity_error(org):
    # Django's error on both paths (a COPY's error is psycopg's own unless translated), so
    # that an import names the row instead of failing with a server error.
    with transaction.atomic():
        asset(org, "RW-TAKEN").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        rawwrite.insert_rows(Asset, [asset(org, "RW-NEW"), asset(org, "RW-TAKEN")], connection)
    assert not Asset.objects.filter(code="RW-NEW").exists()


def test_the_parameter_limit_is_the_databases_own():
    # More than the 999 Django's bulk_create assumes for SQLite, and a statement carrying
    # that many parameters runs.
    limit = rawwrite.max_parameters(connection)
    assert limit > 999
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 WHERE %s IN ({})".format(", ".join(["%s"] * (limit - 1))),
                       [limit - 2, *range(limit - 1)])
        assert cursor.fetchone() == (1,)


def test_update_rows_writes_every_column_and_refuses_a_missing_row(org):
    with transaction.atomic():
        obj = asset(org, "RW-UPD")
        obj.save()
        obj.name_ja = "変更後"
        obj.confidentiality = 3
        obj.derive_fields()
        rawwrite.update_rows(Asset, [obj], connection)
        assert Asset.objects.get(pk=obj.pk).name_ja == "変更後"
        assert stored(obj.pk)["confidentiality"] == 3
        gone = asset(org, "RW-GONE")
        gone.pk = obj.pk + 1000
        with (pytest.raises(DatabaseError, match="1 of 1 rows were not updated"),
              transaction.atomic()):
            rawwrite.update_rows(Asset, [gone], connection)


def test_a_value_that_is_an_expression_is_refused(org):
    obj = asset(org, "RW-EXPR")
    obj.data_subjects = F("integrity")
    with pytest.raises(ValueError, match="values, not expressions"):
        rawwrite.insert_rows(Asset, [obj], connection)


def test_values_of_another_type_are_prepared_by_their_field(org):
    # A text in an integer column is converted as save() converts it; dates, an empty file
    # and a NULL go through their fields as well.
    obj = asset(org, "RW-CONV", data_subjects="42", has_personal_info=True)
    control = Control.objects.create(code="RW-C", title_ja="管理策", department=org.it)
    evidence = Evidence(control=control, kind="note", title="記録", note="メモ",
                        collected_on=datetime.date(2026, 4, 1))
    with transaction.atomic():
        rawwrite.insert_rows(Asset, [obj], connection)
        rawwrite.insert_rows(Evidence, [evidence], connection)
        assert Asset.objects.get(pk=obj.pk).data_subjects == 42
        row = Evidence.objects.get(pk=evidence.pk)
    assert (row.collected_on, row.expires_on, row.file.name) == (
        datetime.date(2026, 4, 1), None, "")


def generic_snapshot(obj):
    redacted = getattr(obj, "changelog_redact", ())
    return {f.attname: ("[redacted]" if f.value_from_object(obj) else None)
            if f.name in redacted else json_value(f, f.value_from_object(obj))
            for f in obj._meta.concrete_fields}


def test_snapshot_reads_what_value_from_object_gives(org, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    control = Control.objects.create(code="RW-C", title_ja="管理策", department=org.it)
    evidence = Evidence.objects.create(control=control, kind="link", title="記録",
                                       url="https://example.com/x")
    for obj in (evidence, Evidence.objects.only("title").get(pk=evidence.pk),
                org.users["admin"], org.people["staff"]):
        assert snapshot(obj) == generic_snapshot(obj)
    assert snapshot(org.users["admin"])["password"] == "[redacted]"


def test_two_batches_of_updates_in_one_transaction(org):
    # PostgreSQL stages each batch in one temporary table for the transaction: the second
    # batch writes only its own rows, and a later transaction starts afresh.
    for round_ in range(2):
        with transaction.atomic():
            objs = [asset(org, f"RW-B{round_}-{i}") for i in range(4)]
            rawwrite.insert_rows(Asset, objs, connection)
            for number, batch in enumerate((objs[:2], objs[2:])):
                for obj in batch:
                    obj.name_ja = f"第{number}批"
                rawwrite.update_rows(Asset, batch, connection)
            names = dict(Asset.objects.filter(pk__in=[o.pk for o in objs])
                         .values_list("pk", "name_ja"))
        assert [names[o.pk] for o in objs] == ["第0批", "第0批", "第1批", "第1批"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL updates from a COPY")
def test_an_update_from_stored_rows_writes_only_the_columns_that_changed(org):
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        objs = [asset(org, f"RW-CH{i}") for i in range(4)]
        rawwrite.insert_rows(Asset, objs, connection)
        stored_rows = {o.pk: o for o in Asset.objects.filter(pk__in=[o.pk for o in objs])}
        objs[0].name_ja = "名前だけ"
        objs[1].name_ja = "名前と機密性"
        objs[1].confidentiality = 3
        objs[1].derive_fields()  # the label follows the rating
        objs[2].location = "棚 9"
        with CaptureQueriesContext(connection) as captured:
            rawwrite.update_rows(Asset, objs, connection, stored_rows)
        sets = sorted(q["sql"].split(" SET ")[1].split(" WHERE ")[0] for q in captured)
        assert sets == ['"location" = %s', '"name_ja" = %s',
                        '"name_ja" = %s, "confidentiality" = %s, "classification_id" = %s, '
                        '"classification_rank" = %s']
        for obj in objs:  # the fourth, unchanged, is not written and stays as it was
            row = Asset.objects.filter(pk=obj.pk).values("name_ja", "confidentiality",
                                                          "location", "classification")[0]
            assert row == {"name_ja": obj.name_ja, "confidentiality": obj.confidentiality,
                           "location": obj.location, "classification": obj.classification_id}
