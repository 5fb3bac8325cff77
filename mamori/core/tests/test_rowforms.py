"""One form per file, copied for every row (core.rowforms), does what a form per row does,
including what a form's limit_choices sets up for a new record."""

import pytest
import tablib

from mamori.assets.forms import AssetImportForm
from mamori.assets.models import Asset
from mamori.assets.tables import AssetResource
from mamori.core import io

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def assets(count, status=True):
    headers = ["code", "name_ja", "asset_type", "department", "status", "confidentiality",
               "integrity", "availability"]
    data = tablib.Dataset(headers=headers)
    for i in range(count):
        data.append([f"RF-{i}", f"資産 {i}", "system", "D100", "in_use", "1", "1", "1"])
    if not status:
        del data["status"]
    return data


class LocatingForm(AssetImportForm):
    """Building the form sets a field of a new record that the form does not offer."""

    class Meta(AssetImportForm.Meta):
        fields = [f for f in AssetImportForm.Meta.fields if f != "location"]

    def limit_choices(self, user):
        super().limit_choices(user)
        if not self.instance.pk:
            self.instance.location = "set when the form was built"


class PlanningForm(AssetImportForm):
    """Building the form proposes a value of a field the file may not set."""

    def limit_choices(self, user):
        super().limit_choices(user)
        self.fields["status"].disabled = True
        if not self.instance.pk:
            self.initial.setdefault("status", Asset.Status.PLANNED)


def test_a_form_that_sets_its_new_record_is_built_for_every_row(org):
    result = io.import_dataset(AssetResource(), LocatingForm, assets(5), org.users["admin"])
    assert result.ok and result.created == 5
    assert set(Asset.objects.values_list("location", flat=True)) == {
        "set when the form was built"}


def test_what_a_form_proposes_for_a_new_record_holds_for_every_row(org):
    result = io.import_dataset(AssetResource(), PlanningForm, assets(5, status=False),
                               org.users["admin"])
    assert result.ok and result.created == 5
    assert set(Asset.objects.values_list("status", flat=True)) == {"planned"}


def test_a_row_forms_bound_fields_show_what_djangos_show(org):
    """A row's bound fields (rowforms.RowBoundField) leave the label, help text and ids
    until asked for; asked for, they are what a form's own bound fields give."""
    from mamori.core.filelookups import FileLookups
    from mamori.core.rowforms import RowBoundField, RowForms

    user = org.users["admin"]
    data = assets(1)
    rows = [(1, dict(zip(data.headers, data[0], strict=True)))]
    forms = RowForms(AssetResource(), AssetImportForm, user,
                     FileLookups(AssetResource(), AssetImportForm, user, rows))
    row_form = forms.form(dict(rows[0][1]), None)
    own_form = AssetImportForm(data=dict(rows[0][1]), user=user)
    assert row_form.is_valid(), row_form.errors
    for name in own_form.fields:
        row_field, own_field = row_form[name], own_form[name]
        assert isinstance(row_field, RowBoundField)
        for attribute in ("label", "help_text", "html_name", "html_initial_name",
                          "html_initial_id", "auto_id", "data"):
            assert getattr(row_field, attribute) == getattr(own_field, attribute), attribute


def test_a_repeated_value_is_cleaned_once_and_a_refused_one_each_time(org):
    from django import forms

    from mamori.core.rowforms import REMEMBERED_VALUES, remember_cleaning

    field = forms.TypedChoiceField(choices=[("1", "one"), ("2", "two")], coerce=int)
    calls = []
    clean = field.clean
    field.clean = lambda value: calls.append(value) or clean(value)
    remember_cleaning(field)
    assert [field.clean("1") for _ in range(3)] == [1, 1, 1]
    assert calls == ["1"]
    for _ in range(2):
        with pytest.raises(forms.ValidationError):
            field.clean("9")
    assert calls == ["1", "9", "9"]
    # Only so many values are kept; the others are cleaned each time.
    text = forms.CharField(max_length=20)
    remember_cleaning(text)
    for i in range(REMEMBERED_VALUES + 5):
        assert text.clean(f" v{i} ") == f"v{i}"
    assert text.clean(f" v{REMEMBERED_VALUES + 1} ") == f"v{REMEMBERED_VALUES + 1}"


def test_a_field_of_another_class_cleans_every_time():
    from django import forms

    from mamori.core.rowforms import remember_cleaning

    class Counting(forms.CharField):
        pass

    field = Counting()
    remember_cleaning(field)
    assert "clean" not in field.__dict__  # not wrapped: a subclass may read more than the value


def test_rows_with_the_same_bad_value_each_get_the_error(org):
    data = tablib.Dataset(headers=["code", "name_ja", "asset_type", "department"])
    for i in range(3):
        data.append([f"BAD-{i}", "資産", "spaceship", "D100"])
    result = io.import_dataset(AssetResource(), AssetImportForm, data, org.users["admin"])
    assert [e.row for e in result.errors if e.field == "asset_type"] == [1, 2, 3]


# What core.rowforms does in Django's place for an import row (clean_row_fields,
# post_clean_row, fill_row_instance, clean_model_fields) was written against these, in
# Django 5.2. A release that changes one fails here: compare, bring rowforms in step, then
# record the new fingerprint.
DJANGO_INTERNALS = {
    "BaseForm._clean_fields": "7e311fac131f0335",
    "BaseModelForm._post_clean": "7ac9e513c344a332",
    "construct_instance": "c6fb0536eaa87dda",
    "Model.clean_fields": "7117a0e7796f9f45",
}


def test_the_django_code_rowforms_stands_in_for_is_the_code_it_was_written_against():
    import hashlib
    import inspect

    from django.db.models.base import Model
    from django.forms.forms import BaseForm
    from django.forms.models import BaseModelForm, construct_instance

    functions = [BaseForm._clean_fields, BaseModelForm._post_clean, construct_instance,
                 Model.clean_fields]
    assert {f.__qualname__: hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:16]
            for f in functions} == DJANGO_INTERNALS


ROWS = [  # good rows, and each kind of trouble a file brings, twice where values repeat
    ["OK-1", "資産 1", "system", "D100", "in_use", "1", "2", "3"],
    ["OK-2", "資産 2", "system", "D100", "in_use", "1", "2", "3"],
    ["OK-3", "資産 3", "information", "D100", "", "2", "高", "1"],
    ["", "名前だけ", "system", "D100", "in_use", "1", "1", "1"],
    ["BAD-TYPE", "資産", "spaceship", "D100", "in_use", "1", "1", "1"],
    ["BAD-DEPT", "資産", "system", "NOPE", "in_use", "1", "1", "1"],
    ["BAD-RATING", "資産", "system", "D100", "in_use", "9", "1", "1"],
    ["BAD-RATING2", "資産", "system", "D100", "in_use", "9", "x", "1"],
    ["X" * 80, "資産", "system", "D100", "retired?", "1", "1", "1"],
    ["NO-NAME", "", "system", "D100", "in_use", "1", "1", "1"],
    ["CTRL", "資産\x07", "system", "D100", "in_use", "1", "1", "1"],
]


@pytest.mark.parametrize("update", [False, True], ids=["new records", "updates"])
def test_a_row_form_cleans_as_a_form_of_its_own_does(org, update):
    """Row by row, the copied form with rowforms' cleaning gives the errors, cleaned data and
    record values that a form built for the row alone (Django's own cleaning) gives."""
    from mamori.assets.tests.test_asset_models import make_asset
    from mamori.core.audit import snapshot
    from mamori.core.filelookups import FileLookups
    from mamori.core.rowforms import RowForms, build_form

    user = org.users["admin"]
    headers = ["code", "name_ja", "asset_type", "department", "status", "confidentiality",
               "integrity", "availability"]
    rows = [(i, dict(zip(headers, row, strict=True))) for i, row in enumerate(ROWS, 1)]
    resource = AssetResource()
    forms = RowForms(resource, AssetImportForm, user,
                     FileLookups(resource, AssetImportForm, user, rows))
    outcomes = []
    for index, row in rows:
        instance = make_asset(org.sales, f"UPD-{index}") if update else None
        data = io._form_data(resource, row, instance)
        row_form = forms.form(dict(data), instance)
        own_form = build_form(resource, AssetImportForm, user, dict(data),
                              Asset.objects.get(pk=instance.pk) if update else None)
        assert row_form.is_valid() == own_form.is_valid(), row
        assert forms.fast_cleaning[not update]  # rowforms' cleaning, not Django's
        outcomes.append(own_form.is_valid())
        assert row_form.errors.get_json_data() == own_form.errors.get_json_data(), row
        if own_form.is_valid():
            assert row_form.cleaned_data == own_form.cleaned_data
            row_form.instance.derive_fields()
            own_form.instance.derive_fields()
            assert snapshot(row_form.instance) == snapshot(own_form.instance)
    assert outcomes.count(True) >= 2 and outcomes.count(False) >= 6, outcomes


def test_a_model_value_is_cleaned_once_and_a_refused_one_each_time():
    from django.core.exceptions import ValidationError

    from mamori.core.rowforms import clean_model_fields

    asset = Asset(code="M-1", name_ja="資産", asset_type="system", status="in_use",
                  confidentiality=2, integrity=1, availability=1)
    remembered = {}
    exclude = {"department", "custodian", "classification"}
    clean_model_fields(asset, remembered, exclude)
    status = Asset._meta.get_field("status")
    assert remembered[status] == {(str, "in_use"): "in_use"}
    asset.status = "exploded"  # not a choice: refused, and refused again
    for _ in range(2):
        with pytest.raises(ValidationError) as refused:
            clean_model_fields(asset, remembered, exclude)
        assert "status" in refused.value.error_dict
    assert (str, "exploded") not in remembered[status]
