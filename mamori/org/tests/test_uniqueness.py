"""A staff number (or any unique value) already held by a record the user may not see is
refused with the same neutral sentence on the form, in the API and in an import, which names
neither the record nor says that it lies outside the user's scope. A value held by a record the
user may see gets the ordinary message. (See core/uniqueness.py for why.)"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from mamori.core.testing import api_client
from mamori.core.uniqueness import IN_USE
from mamori.org.models import Person

pytestmark = pytest.mark.django_db

# P004 is it_staff's (IT), which the manager (Sales and below) may not see; P003 is staff's
# (Sales East), which they may.
HIDDEN, VISIBLE = "P004", "P003"


def in_english(text) -> str:
    with translation.override("en"):
        return str(text)


def person_form(org, employee_no):
    return {"employee_no": employee_no, "name": "新人", "name_kana": "", "name_latin": "",
            "email": "", "category": "employee", "department": org.sales.pk,
            "status": "active", "joined_on": "", "left_on": ""}


def form_errors(org, employee_no):
    response = org.client("manager").post(reverse("org:person_create"),
                                          person_form(org, employee_no),
                                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    return [str(e) for e in response.context["form"].errors["employee_no"]]


def api_errors(org, employee_no):
    data = {"employee_no": employee_no, "name": "新人", "department": org.sales.pk}
    response = api_client(org.users["manager"]).post("/api/org/people/", data, format="json",
                                                     HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    return response.json()["employee_no"]


def import_errors(org, employee_no, url="org:person_import", header=None, row=None):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([
        header or ["employee_no", "name", "department", "status"],
        row or [employee_no, "新人", org.sales.code, "active"]])
    upload = SimpleUploadedFile("rows.csv", buffer.getvalue().encode(), "text/csv")
    response = org.client("manager").post(reverse(url), {"file": upload},
                                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    return [error.message for error in response.context["result"].errors]


def test_a_staff_number_held_out_of_view_is_refused_without_saying_so(org):
    neutral = in_english(IN_USE)
    assert form_errors(org, HIDDEN) == [neutral]
    assert api_errors(org, HIDDEN) == [neutral]
    assert import_errors(org, HIDDEN) == [neutral]
    assert Person.objects.filter(employee_no=HIDDEN).get() == org.people["it_staff"]


def test_a_staff_number_the_user_may_see_gets_the_ordinary_message(org):
    assert form_errors(org, VISIBLE) == ["Person with this Staff number already exists."]
    assert api_errors(org, VISIBLE) == ["Person with this Staff number already exists."]


def test_an_import_key_the_user_may_see_but_not_change_says_so(org):
    # The head office is on everyone's organisation chart; the manager changes only the
    # departments below Sales.
    errors = import_errors(org, None, url="org:department_import",
                           header=["code", "name_ja", "parent"], row=["D000", "本社", ""])
    assert errors == ["D000 exists but is outside your scope"]
