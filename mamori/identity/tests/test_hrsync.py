"""HR file sync: the HR master against the people register, previewed then applied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mamori.core.models import ChangeLogEntry
from mamori.identity import hrsync
from mamori.identity.models import HrSync
from mamori.org.models import Appointment, Person

pytestmark = pytest.mark.django_db
HEAD = "employee_no,name,email,category,department\n"
START = reverse("identity:hrsync")


def csv_file(text: str, name="hr.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def master(org, *extra, drop=("P003",)):
    """The org's people as HR lists them, less `drop`, plus `extra` lines."""
    lines = [f"{p.employee_no},{p.name},,{p.category},{p.department.code if p.department else ''}"
             for p in Person.objects.select_related("department").order_by("employee_no")
             if p.employee_no not in drop]
    return HEAD + "\n".join([*lines, *extra]) + "\n"


def upload(client, text, **headers):
    return client.post(START, {"file": csv_file(text)}, **headers)


def test_the_preview_lists_joiners_movers_and_leavers_and_writes_nothing_to_people(org):
    text = master(org, "P900,新人 一郎,ichiro@example.jp,employee,D100").replace(
        "P004,テスト it_staff,,dispatched,D200", "P004,テスト it_staff,,dispatched,D100")
    people_log = ChangeLogEntry.objects.filter(model="org.person").count()
    response = upload(org.client("admin"), text)
    sync = HrSync.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{sync.pk}/")
    assert (sync.joiners, sync.movers, sync.leavers) == (1, 1, 1)
    page = org.client("admin").get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "P900" in html and "D200 → D100" in html
    assert [c.employee_no for c in page.context["plan"].leavers] == ["P003"]
    assert ChangeLogEntry.objects.filter(model="org.person").count() == people_log
    assert not Person.objects.filter(employee_no="P900").exists()


def test_applying_writes_it_all_and_records_leavers_as_leavers(org):
    Appointment.objects.create(person=org.people["staff"], department=org.sales_east,
                               role=Appointment.Role.INFORMATION_MANAGER,
                               start_date="2024-04-01")
    client = org.client("admin")
    location = upload(client, master(org, "P900,新人 一郎,,employee,D100"))["Location"]
    assert client.post(location).status_code == 302
    assert HrSync.objects.get().status == HrSync.Status.APPLIED
    joiner = Person.objects.get(employee_no="P900")
    assert (joiner.status, joiner.department) == (Person.Status.ACTIVE, org.sales)
    leaver = Person.objects.get(employee_no="P003")
    assert leaver.status == Person.Status.LEFT and leaver.left_on is not None
    assert not leaver.user.is_active
    assert [a.end_date for a in leaver.appointments.all()] == [leaver.left_on]
    # Applying twice is refused.
    client.post(location)
    assert Person.objects.filter(employee_no="P900").count() == 1


def test_contractor_staff_and_people_already_gone_are_not_leavers(org):
    Person.objects.create(employee_no="C001", name="委託 花子", category="contractor")
    Person.objects.create(employee_no="X001", name="退職 次郎", category="employee",
                          status=Person.Status.LEFT, left_on="2025-03-31")
    plan = hrsync.plan(hrsync.read("hr.csv", master(org, drop=("C001", "X001")).encode()))
    assert plan.leavers == [] and plan.movers == [] and plan.joiners == []


def test_someone_who_left_and_is_in_the_file_again_returns(org):
    Person.objects.create(employee_no="X001", name="退職 次郎", category="employee",
                          department=org.sales, status=Person.Status.LEFT,
                          left_on="2025-03-31")
    plan = hrsync.plan(hrsync.read("hr.csv", master(
        org, "X001,退職 次郎,,employee,D100", drop=()).encode()))
    [mover] = plan.movers
    assert mover.changes == {"status": ("left", "active"), "left_on": ("2025-03-31", "")}


@pytest.mark.parametrize(("line", "column", "message"), [
    ("P900,,,employee,D100", "Name", "required"),
    ("P900,新人,,employee,NOWHERE", "Department", "NOWHERE"),
    ("P900,新人,,wizard,D100", "Category", "wizard"),
    ("P900,新人,not-mail,employee,D100", "E-mail", "not-mail"),
    ("P001,二重,,employee,D100", "Staff number", "P001"),
])
def test_a_bad_row_is_named_and_nothing_is_kept(org, line, column, message):
    response = upload(org.client("admin"), master(org, line, drop=()),
                      HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    [error] = response.context["errors"]
    assert str(error).startswith(f"Row {len(Person.objects.all()) + 1}, {column}:")
    assert message in str(error)
    assert not HrSync.objects.exists()


def test_a_register_changed_after_the_preview_is_not_applied(org):
    client = org.client("admin")
    location = upload(client, master(org, "P900,新人 一郎,,employee,D100"))["Location"]
    Person.objects.create(employee_no="P901", name="割込 三郎", category="employee")
    client.post(location)
    assert HrSync.objects.get().status == HrSync.Status.PREVIEWED
    assert not Person.objects.filter(employee_no="P900").exists()
    assert Person.objects.get(employee_no="P003").status == Person.Status.ACTIVE


def test_a_row_the_person_form_refuses_at_apply_leaves_everything_as_it_was(org):
    client = org.client("admin")
    # A name longer than the register keeps passes the preview's light checks; the person
    # form refuses it when applied, naming the file's row.
    text = master(org, "P900,新人 一郎,,employee,D100", "P901," + "長" * 101 + ",,employee,D100")
    location = upload(client, text)["Location"]
    response = client.post(location, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    [error] = response.context["plan"].errors
    assert str(error).startswith(f"Row {Person.objects.count() + 1}, Name:")
    assert not Person.objects.filter(employee_no="P900").exists()
    assert Person.objects.get(employee_no="P003").status == Person.Status.ACTIVE
    assert HrSync.objects.get().status == HrSync.Status.PREVIEWED


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_administrators_and_the_ciso_sync(org, role):
    client = org.client(role)
    assert client.get(START).status_code == 403
    assert upload(client, master(org)).status_code == 403
    assert not HrSync.objects.exists()


def test_the_ciso_syncs_in_japanese(org):
    client = org.client("ciso")
    response = upload(client, master(org, "P900,新人 一郎,,employee,D100"))
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "入社" in page and "退職" in page and "変更を適用" in page


def test_the_command_applies_a_file_for_a_scheduler(org, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "hr.csv"
    path.write_text(master(org, "P900,新人 一郎,,employee,D100"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("hrsync", str(path), "--as", "staff", "--apply")
    call_command("hrsync", str(path), "--as", "admin", "--apply")
    assert Person.objects.get(employee_no="P003").status == Person.Status.LEFT
    assert ChangeLogEntry.objects.filter(model="org.person", actor_name="admin",
                                         source="command").exists()
