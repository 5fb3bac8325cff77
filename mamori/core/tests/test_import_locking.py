"""A long import does not stop the company: the rows are checked without holding a write
transaction, and the writes take the change-log head once, at their end (core.io). Tested
with a second writer in a real thread (its own connection) while the import is checking."""

import threading

import pytest
import tablib
from django.db import connection, transaction

from mamori.core import io
from mamori.core.audit import one_log_append
from mamori.core.changelog import verify
from mamori.core.models import ChangeLogEntry
from mamori.org.forms import PersonForm
from mamori.org.models import Department, Person
from mamori.org.tables import PersonResource

pytestmark = pytest.mark.usefixtures("english")

ROWS = 30
PAUSE_AT = "IMP-0010"


def people(org, suffix=""):
    data = tablib.Dataset(headers=["employee_no", "name", "category", "department", "status"])
    for i in range(ROWS):
        data.append([f"IMP-{i:04d}", f"取込 {i}{suffix}", "employee", org.sales.code, "active"])
    return data


def import_pausing_at_a_row(org, data, other_write):
    """Import `data`; while its row PAUSE_AT is being checked, run `other_write` in another
    thread and wait (at most 15 s) for it. Returns (result, whether the other write finished
    during the check, the other write's exception if any)."""
    reached, finished = threading.Event(), threading.Event()
    failure = []

    class PausingForm(PersonForm):
        def clean(self):
            if self.data.get("employee_no") == PAUSE_AT and not reached.is_set():
                reached.set()
                finished.wait(timeout=15)
            return super().clean()

    def other():
        reached.wait(timeout=60)
        try:
            with transaction.atomic():
                other_write()
        except Exception as exc:  # reported by the test
            failure.append(exc)
        finally:
            finished.set()
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    result = io.import_dataset(PersonResource(), PausingForm, data, org.users["admin"])
    finished_during_check = finished.is_set()
    thread.join(timeout=60)
    return result, finished_during_check, failure


@pytest.mark.django_db(transaction=True)
def test_other_writes_go_on_while_an_import_is_checked(org):
    result, during, failure = import_pausing_at_a_row(
        org, people(org), lambda: Department.objects.create(code="NEW", name_ja="新設部"))
    assert failure == [] and during  # not blocked until the import finished
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == ROWS
    assert Department.objects.filter(code="NEW").exists()
    assert verify().ok
    # The import's entries are one run of the chain, after the other write's entry.
    entries = list(ChangeLogEntry.objects.filter(model="org.person", object_id__in=[
        str(pk) for pk in Person.objects.filter(employee_no__startswith="IMP-")
        .values_list("pk", flat=True)]).values_list("seq", flat=True).order_by("seq"))
    assert entries == list(range(entries[0], entries[0] + ROWS))
    department_entry = ChangeLogEntry.objects.get(model="org.department", action="create",
                                                  object_repr__contains="新設部")
    assert department_entry.seq < entries[0]


@pytest.mark.django_db(transaction=True)
def test_a_record_changed_while_the_file_is_checked_is_not_overwritten(org):
    assert io.import_dataset(PersonResource(), PersonForm, people(org),
                             org.users["admin"]).ok
    changed = "IMP-0020"

    def rename():
        person = Person.objects.get(employee_no=changed)
        person.name_latin = "Changed Meanwhile"
        person.save()

    result, during, failure = import_pausing_at_a_row(org, people(org, " 改"), rename)
    assert failure == [] and during
    assert not result.ok and result.created == result.updated == 0
    [error] = result.errors
    assert (error.row, error.field) == (21, "employee_no") and "changed by someone" in str(error)
    # Nothing of the import was written; the other user's change stands.
    assert not Person.objects.filter(name__endswith=" 改").exists()
    assert Person.objects.get(employee_no=changed).name_latin == "Changed Meanwhile"
    assert verify().ok


@pytest.mark.django_db
def test_rows_referring_to_rows_above_them_are_imported(org):
    """A department under a parent created three rows above it (the parent's check runs
    when that row is saved, in the write transaction)."""
    from mamori.org.forms import DepartmentForm
    from mamori.org.tables import DepartmentResource

    resource = DepartmentResource()
    data = tablib.Dataset(headers=["code", "name_ja", "parent"])
    data.append(["TOP", "本部", ""])
    data.append(["MID", "部", "TOP"])
    data.append(["LOW", "課", "MID"])
    data.append(["BAD", "誤り", "NOWHERE"])
    result = io.import_dataset(resource, DepartmentForm, data, org.users["admin"])
    assert [(e.row, e.field) for e in result.errors] == [(4, "parent")]
    assert not Department.objects.filter(code__in=["TOP", "MID", "LOW"]).exists()
    result = io.import_dataset(resource, DepartmentForm, data.subset(rows=[0, 1, 2]),
                               org.users["admin"])
    assert result.ok, [str(e) for e in result.errors]
    assert Department.objects.get(code="LOW").parent.parent.code == "TOP"


@pytest.mark.django_db
def test_rules_about_other_rows_of_the_file_still_hold(org):
    """Rows are checked before any is written, so a rule about other records of the model
    is checked again as each row is saved: two CISOs for one period in one file, or two
    departments made each other's parent, are refused naming the row."""
    from mamori.org.forms import AppointmentForm, DepartmentForm
    from mamori.org.models import Appointment
    from mamori.org.tables import AppointmentResource, DepartmentResource

    Appointment.objects.filter(role=Appointment.Role.CISO).delete()
    data = tablib.Dataset(headers=["person", "role", "department", "start_date"])
    data.append([org.people["manager"].employee_no, "ciso", "", "2026-04-01"])
    data.append([org.people["auditor"].employee_no, "ciso", "", "2026-05-01"])
    result = io.import_dataset(AppointmentResource(), AppointmentForm, data,
                               org.users["admin"])
    assert [(e.row, e.field) for e in result.errors] == [(2, "start_date")]
    assert not Appointment.objects.filter(role=Appointment.Role.CISO).exists()

    a = Department.objects.create(code="A", name_ja="甲")
    b = Department.objects.create(code="B", name_ja="乙")
    data = tablib.Dataset(headers=["code", "name_ja", "parent"])
    data.append(["A", "甲", "B"])
    data.append(["B", "乙", "A"])
    result = io.import_dataset(DepartmentResource(), DepartmentForm, data, org.users["admin"])
    assert [(e.row, e.field) for e in result.errors] == [(2, "parent")]
    a.refresh_from_db(), b.refresh_from_db()
    assert a.parent_id is None and b.parent_id is None


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_one_log_append_needs_a_transaction():
    with pytest.raises(RuntimeError), one_log_append():
        pass
