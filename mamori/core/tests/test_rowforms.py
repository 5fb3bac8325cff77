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
