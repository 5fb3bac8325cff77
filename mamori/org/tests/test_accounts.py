"""Opening and closing a person's login account (administrators only)."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile

from mamori.core.models import ChangeLogEntry
from mamori.core.testing import api_client
from mamori.org import tables
from mamori.org.models import Appointment, Person


@pytest.mark.django_db
def test_admin_opens_an_account_with_a_generated_password(org):
    person = Person.objects.create(employee_no="E777", name="新人 花子", category="employee",
                                   department=org.sales, email="hanako@example.com")
    response = org.client("admin").post(f"/org/people/{person.pk}/account/open/")
    assert response.status_code == 200
    username, password = response.context["account"].username, response.context["password"]
    assert username == "e777" and len(password) >= 16
    person.refresh_from_db()
    assert person.user.username == "e777"
    assert authenticate(username="e777", password=password) == person.user
    assert ChangeLogEntry.objects.filter(model="core.user", action="create",
                                         object_id=str(person.user_id)).exists()
    # A second attempt is refused with a message, nothing new is created.
    again = org.client("admin").post(f"/org/people/{person.pk}/account/open/")
    assert again.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ciso", "manager", "auditor", "staff"])
def test_only_administrators_open_accounts(org, username):
    person = Person.objects.create(employee_no="E778", name="新人 次郎", category="employee",
                                   department=org.sales_east)
    response = org.client(username).post(f"/org/people/{person.pk}/account/open/")
    assert response.status_code in (403, 404)
    person.refresh_from_db()
    assert person.user_id is None


@pytest.mark.django_db
def test_closing_deactivates_and_keeps_the_account(org):
    person = org.people["staff"]
    response = org.client("admin").post(f"/org/people/{person.pk}/account/close/")
    assert response.status_code == 302
    person.user.refresh_from_db()
    assert person.user.is_active is False
    assert org.client("admin").get(f"/org/people/{person.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_leavers_account_is_deactivated(org):
    person = org.people["staff"]
    response = org.client("manager").post(f"/org/people/{person.pk}/edit/", {
        "employee_no": person.employee_no, "name": person.name, "category": person.category,
        "department": person.department_id, "status": "left", "left_on": "2026-03-31"})
    assert response.status_code == 302
    person.user.refresh_from_db()
    assert person.user.is_active is False
    assert ChangeLogEntry.objects.filter(model="core.user", object_id=str(person.user_id),
                                         action="update").exists()


@pytest.mark.django_db
def test_the_generated_password_must_be_changed_first(org):
    from django.test import Client

    person = Person.objects.create(employee_no="E779", name="新人 三郎", category="employee",
                                   department=org.sales)
    response = org.client("admin").post(f"/org/people/{person.pk}/account/open/")
    password = response.context["password"]
    client = Client()
    client.post("/accounts/login/", {"login": "e779", "password": password})
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
    response = client.post("/accounts/password/change/", {
        "oldpassword": password, "password1": "Mine-and-only-mine-42", "password2":
        "Mine-and-only-mine-42"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user.must_change_password is False
    assert client.get("/me/").status_code == 200


def east_manager(org):
    """A second information manager, of Sales East (below the manager's Sales)."""
    person = org.people["staff"]
    Appointment.objects.create(person=person, department=org.sales_east,
                               role=Appointment.Role.INFORMATION_MANAGER,
                               start_date=datetime.date(2024, 4, 1))
    return person


def leaving_form(person):
    return {"employee_no": person.employee_no, "name": person.name,
            "category": person.category, "department": person.department_id,
            "status": "left", "left_on": "2026-03-31"}


def still_in(person):
    person.refresh_from_db()
    person.user.refresh_from_db()
    return person.status != "left" and person.user.is_active


@pytest.mark.django_db
def test_a_manager_cannot_end_another_manager(org):
    """Found by a penetration test: the manager of Sales marked the manager of Sales East
    as having left, which closed their login. Ending someone who holds an appointment is
    the CISO's or an administrator's, through the form, the API and the import alike."""
    person = east_manager(org)
    response = org.client("manager").post(f"/org/people/{person.pk}/edit/",
                                          leaving_form(person))
    assert response.status_code == 400
    assert "status" in response.context["form"].errors
    assert still_in(person)

    response = api_client(org.users["manager"]).patch(
        f"/api/org/people/{person.pk}/", {"status": "left", "left_on": "2026-03-31"},
        format="json")
    assert response.status_code == 400 and set(response.json()) == {"status"}
    assert still_in(person)

    resource = tables.PersonResource()
    row = {**leaving_form(person), "department": org.sales_east.code}
    buffer = io.StringIO()
    csv.writer(buffer).writerows([resource.fields,
                                  [row.get(name, "") for name in resource.fields]])
    upload = SimpleUploadedFile("people.csv", buffer.getvalue().encode(), "text/csv")
    response = org.client("manager").post("/org/people/import/", {"file": upload})
    assert response.status_code == 400
    assert {e.field for e in response.context["result"].errors} == {"status"}
    assert still_in(person)

    # Other changes to the record stay the manager's.
    response = api_client(org.users["manager"]).patch(
        f"/api/org/people/{person.pk}/", {"name_kana": "テスト"}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_a_manager_cannot_lock_out_an_administrator_or_auditor(org):
    person = org.people["staff"]
    for role in ("auditor", "admin"):
        person.user.system_role = role
        person.user.save()
        response = api_client(org.users["manager"]).patch(
            f"/api/org/people/{person.pk}/", {"status": "left", "left_on": "2026-03-31"},
            format="json")
        assert response.status_code == 400, (role, response.content)
        assert still_in(person)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ciso", "admin"])
def test_the_ciso_or_an_administrator_ends_a_manager(org, username):
    person = east_manager(org)
    response = org.client(username).post(f"/org/people/{person.pk}/edit/",
                                         leaving_form(person))
    assert response.status_code == 302, response.context["form"].errors
    person.user.refresh_from_db()
    assert person.user.is_active is False
