"""Opening and closing a person's login account (administrators only)."""

import pytest
from django.contrib.auth import authenticate

from mamori.core.models import ChangeLogEntry
from mamori.org.models import Person


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
