"""Text with invisible control characters is refused where it comes in (form, API, import),
and a list export never fails on a row stored before that (found by `make security`: a
framework named "bad\\x01name" through the API made its XLSX export a server error)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mamori.core.plaintext import validate_no_control_characters
from mamori.core.testing import api_client
from mamori.org.models import Department

pytestmark = pytest.mark.django_db


def test_form_refuses_a_control_character_naming_the_field(org):
    response = org.client("admin").post(reverse("org:department_create"), {
        "code": "D900", "name_ja": "悪い\x01名前", "name_en": "Bad", "is_active": "on"})
    assert response.status_code == 400
    assert "U+0001" in " ".join(response.context["form"].errors["name_ja"])
    assert not Department.objects.filter(code="D900").exists()


def test_api_refuses_a_control_character_naming_the_field(org):
    response = api_client(org.users["admin"]).post("/api/controls/frameworks/", {
        "code": "ctl-char", "name_ja": "bad\x01name", "name_en": "", "version": "",
        "publisher": ""}, format="json")
    assert response.status_code == 400
    assert "name_ja" in response.json()


def test_import_refuses_it_with_the_row_and_field(org):
    upload = SimpleUploadedFile(
        "d.csv", b"code,name_ja,name_en,parent,is_active\nD901,x\x02y,X,,1\n",
        "text/csv")
    response = org.client("admin").post(reverse("org:department_import"), {"file": upload})
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.field) for e in errors] == [(1, "name_ja")]


def test_tabs_and_line_breaks_are_ordinary_text():
    validate_no_control_characters("line one\r\nline two\tand a tab")


def test_a_row_stored_before_still_exports(org):
    Department.objects.filter(pk=org.it.pk).update(name_ja="古い\x01名前")
    response = org.client("admin").get(reverse("org:department_list") + "?export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "古い\ufffd名前" in names
