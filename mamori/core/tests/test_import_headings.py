"""Files in the user's language: exports head their columns as the forms name the fields (in
Japanese or English), keep dates, numbers and booleans as such in XLSX on a sheet named after
the register; imports read those headings in either language (or the field names), name the
column of each error the same way, and every import offers an empty template."""

import csv
import io as stdio

import openpyxl
import pytest
import tablib
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from mamori.assets.forms import AssetImportForm
from mamori.assets.models import Asset
from mamori.assets.tables import AssetResource
from mamori.core import io
from mamori.core.tables import Resource
from mamori.core.views.generic import ScopedImportView

pytestmark = pytest.mark.django_db


def make_asset(org, code="HD-1", **values):
    return Asset.objects.create(code=code, name_ja="顧客台帳", asset_type="information",
                                department=org.sales, confidentiality=3, integrity=2,
                                availability=1, has_personal_info=True, data_subjects=1200,
                                **values)


def exported(client, fmt, language):
    from django.urls import reverse

    return client.get(reverse("assets:asset_list"), {"export": fmt},
                      HTTP_ACCEPT_LANGUAGE=language)


def test_exports_head_columns_in_the_users_language(org):
    make_asset(org)
    client = org.client("admin")
    for language, first in (("ja", "コード"), ("en", "Code")):
        body = exported(client, "csv", language).content.decode("utf-8-sig")
        header = next(csv.reader(stdio.StringIO(body)))
        with translation.override(language):
            assert header == AssetResource().headers()
        assert header[0] == first
    ja = next(csv.reader(stdio.StringIO(
        exported(client, "csv", "ja").content.decode("utf-8-sig"))))
    assert "機密性" in ja and "confidentiality" not in ja


def test_xlsx_keeps_types_and_names_the_sheet(org):
    make_asset(org)
    response = exported(org.client("admin"), "xlsx", "ja")
    sheet = openpyxl.load_workbook(stdio.BytesIO(response.content)).active
    assert sheet.title == "情報資産"
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    with translation.override("ja"):
        resource = AssetResource()
        assert row[resource.header("has_personal_info")] is True
        assert row[resource.header("has_card_data")] is False
        assert row[resource.header("confidentiality")] == 3
        assert row[resource.header("data_subjects")] == 1200
        assert row[resource.header("department")] == org.sales.code


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_export_imports_back_in_either_language(org, language):
    make_asset(org)
    response = exported(org.client("admin"), "xlsx", language)
    data = tablib.Dataset().load(stdio.BytesIO(response.content), format="xlsx")
    data[0] = tuple("改名" if h in ("名称（日本語）", "Name (Japanese)") else v
                    for h, v in zip(data.headers, data[0], strict=True))
    for reader in ("ja", "en"):  # the importer's language need not be the exporter's
        with translation.override(reader):
            result = io.import_dataset(AssetResource(), AssetImportForm, data,
                                       org.users["admin"])
        assert result.ok, [str(e) for e in result.errors]
        assert result.updated == 1
    assert Asset.objects.get(code="HD-1").name_ja == "改名"


def test_field_names_and_mixed_headings_are_read_too(org):
    data = tablib.Dataset(headers=["code", "名称（日本語）", "Type", "department", "status",
                                   "機密性", "Integrity", "availability"])
    data.append(["HD-2", "新規", "system", org.sales.code, "in_use", 1, 1, 1])
    result = io.import_dataset(AssetResource(), AssetImportForm, data, org.users["admin"])
    assert result.ok, [str(e) for e in result.errors]
    assert Asset.objects.get(code="HD-2").asset_type == "system"


def test_unknown_and_repeated_columns_are_named(org, english):
    data = tablib.Dataset(headers=["Code", "code", "Colour"])
    data.append(["HD-3", "HD-3", "red"])
    result = io.import_dataset(AssetResource(), AssetImportForm, data, org.users["admin"])
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("Row 0, Colour: unknown column; expected: Code, ")
    assert messages[1] == "Row 0, Code: column given more than once"


def test_an_error_names_the_column_as_the_file_heads_it(org):
    data = tablib.Dataset(headers=["コード", "名称（日本語）", "種別", "所管部門"])
    data.append(["HD-4", "資産", "spaceship", org.sales.code])
    with translation.override("ja"):
        result = io.import_dataset(AssetResource(), AssetImportForm, data,
                                   org.users["admin"])
        message = str(result.errors[0])
    assert result.errors[0].field == "asset_type"
    assert message.startswith("1行目、種別：")


def import_views():
    """(url name, view class) of every import page."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, ScopedImportView):
                    found.append((f"{namespace}:{pattern.name}", view))

    walk(get_resolver().url_patterns)
    return found


def test_every_import_offers_a_template_in_the_users_language(org):
    from django.urls import reverse

    views = import_views()
    assert len(views) >= 10
    clients = [org.client("admin"), org.client("ciso")]
    for name, view in views:
        url = reverse(name)
        # Whoever may import there (the CISO accepts risks, say).
        client = next(c for c in clients if c.get(url).status_code == 200)
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        assert page.status_code == 200, name
        assert b"?template=xlsx" in page.content, name
        response = client.get(url + "?template=xlsx", HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, name
        sheet = openpyxl.load_workbook(stdio.BytesIO(response.content)).active
        with translation.override("ja"):
            assert [c.value for c in sheet[1]] == view.resource_class().headers(
                with_names=False), name
        assert sheet.max_row == 1, name
        text = client.get(url + "?template=csv", HTTP_ACCEPT_LANGUAGE="en").content
        assert text.startswith("\ufeff".encode()), name


def resources():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return [r for r in subclasses(Resource) if getattr(r, "model", None) is not None]


@pytest.mark.parametrize("resource_class", resources(), ids=lambda r: r.__name__)
def test_every_column_has_a_heading_of_its_own_in_each_language(resource_class):
    """A heading two columns share would be ambiguous; the column would then be headed by
    its field name. None of Mamori's files has one."""
    resource = resource_class()
    model_fields = {f.name for f in resource.model._meta.get_fields()}
    for language in Resource.LANGUAGES:
        with translation.override(language):
            for name in resource.fields:
                if name in model_fields:
                    assert resource.column(resource.header(name)) == name
                    assert resource.header(name) != name or language == "en", (language, name)
            for name in resource.natural_keys:
                assert resource.column(resource.name_header(name)) == Resource.SHOWN_NAME


def test_related_records_are_named_beside_their_codes(org):
    make_asset(org, custodian=org.people["staff"])
    client = org.client("admin")
    for language, heading, name in (("ja", "所管部門（名称）", "営業部"),
                                    ("en", "Owning department (name)", "Sales")):
        body = exported(client, "csv", language).content.decode("utf-8-sig")
        header, row = list(csv.reader(stdio.StringIO(body)))[:2]
        with translation.override(language):
            code_column = header.index(AssetResource().header("department"))
        assert header[code_column + 1] == heading
        assert row[code_column] == org.sales.code and row[code_column + 1] == name
        assert str(org.people["staff"]) in row


def test_an_import_passes_over_the_names_it_is_given(org):
    """The code decides; a name column, edited or not, is read by nothing."""
    make_asset(org)
    data = tablib.Dataset(headers=["コード", "名称（日本語）", "種別", "所管部門",
                                   "所管部門（名称）", "Department (name)"])
    data.append(["HD-1", "台帳", "information", org.it.code, "営業部", "whatever"])
    result = io.import_dataset(AssetResource(), AssetImportForm, data, org.users["admin"])
    assert result.ok, [str(e) for e in result.errors]
    assert Asset.objects.get(code="HD-1").department == org.it
