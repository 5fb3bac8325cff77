"""The import's check reads related objects and taken values once for the file
(core.filelookups), and still says what the form says row by row."""

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mamori.core import io
from mamori.core.filelookups import FileLookups
from mamori.core.rowforms import build_form
from mamori.org.forms import PersonForm
from mamori.org.models import Person
from mamori.org.tables import PersonResource

pytestmark = pytest.mark.usefixtures("english")

HEADERS = ["employee_no", "name", "category", "department", "status"]


def people_file(rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data


def many_people(org, count):
    departments = [org.sales.code, org.sales_east.code, org.it.code]
    return people_file([[f"L-{i:04d}", f"読込 {i}", "employee", departments[i % 3], "active"]
                        for i in range(count)])


def check_queries(org, data, user="admin"):
    with CaptureQueriesContext(connection) as queries:
        result = io.import_dataset(PersonResource(), PersonForm, data, org.users[user])
    return result, [q["sql"] for q in queries.captured_queries]


def test_departments_and_staff_numbers_are_read_once_for_the_whole_file(org):
    result, queries = check_queries(org, many_people(org, 40))

    assert result.ok and result.created == 40
    by_code = [q for q in queries if '"org_department"."code" IN' in q
               or '"org_department"."code" =' in q]
    assert len(by_code) == 1 and " IN (" in by_code[0]
    per_number = [q for q in queries if '"org_person"."employee_no" = ' in q]
    assert per_number == []


def test_the_number_of_lookups_does_not_grow_with_the_file(org):
    _result, small = check_queries(org, many_people(org, 10))
    Person.objects.filter(employee_no__startswith="L-").delete()
    _result, large = check_queries(org, many_people(org, 60))

    def lookups(queries):
        return [q for q in queries if '"org_department"."code" IN' in q
                or '"org_department"."code" =' in q or '"org_person"."employee_no" =' in q]

    assert len(lookups(small)) == len(lookups(large)) == 1


def test_an_unknown_department_gets_the_forms_own_error(org):
    result, _queries = check_queries(org, people_file([
        ["L-1", "読込", "employee", org.sales.code, "active"],
        ["L-2", "読込", "employee", "NO-SUCH", "active"]]))

    assert [(e.row, e.field) for e in result.errors] == [(2, "department")]
    assert "valid choice" in result.errors[0].message
    assert not Person.objects.filter(employee_no__startswith="L-").exists()


def test_a_department_the_importer_may_not_staff_is_refused(org):
    """The manager of sales may add people to sales and below, not to IT: the file's lookup
    offers only what the form offers them."""
    result, _queries = check_queries(org, people_file([
        ["L-1", "読込", "employee", org.sales_east.code, "active"],
        ["L-2", "読込", "employee", org.it.code, "active"]]), user="manager")

    assert [(e.row, e.field) for e in result.errors] == [(2, "department")]
    assert not Person.objects.filter(employee_no__startswith="L-").exists()


def test_an_update_keeps_its_current_department_through_the_forms_own_lookup(org):
    """A row that updates a person keeps the form's lookup (its choices include the
    person's current department even where the importer may not choose it)."""
    it_person = org.people["it_staff"]
    result, queries = check_queries(org, people_file([
        [it_person.employee_no, "改名", "dispatched", org.it.code, "active"]]))

    assert result.ok and result.updated == 1
    assert not [q for q in queries if '"org_department"."code" =' in q]
    it_person.refresh_from_db()
    assert it_person.name == "改名" and it_person.department == org.it


def test_an_update_to_another_department_asks_the_forms_own_choices(org):
    """The manager of sales may move their person within sales, not to IT."""
    staff = org.people["staff"]
    result, _queries = check_queries(org, people_file([
        [staff.employee_no, staff.name, "employee", org.it.code, "active"]]), user="manager")

    assert [(e.row, e.field) for e in result.errors] == [(1, "department")]
    staff.refresh_from_db()
    assert staff.department == org.sales_east


def test_a_taken_staff_number_is_refused_as_django_says(org):
    """Asked directly of a form for a new person: the number is held by another record."""
    row = {"employee_no": "P003", "name": "重複", "category": "employee",
           "department": org.sales.code, "status": "active"}
    lookups = FileLookups(PersonResource(), PersonForm, org.users["admin"], [(1, row)])
    form = build_form(PersonResource(), PersonForm, org.users["admin"], row, None)
    lookups.prepare(form)

    assert not form.is_valid()
    assert form.errors["employee_no"] == ["Person with this Staff number already exists."]


def test_a_value_the_form_changes_while_cleaning_is_checked_by_django(org):
    """A form may normalise a value (here: upper case); the file's lookups never saw it, so
    Django's own check runs for that row."""

    class UpperCaseForm(PersonForm):
        def clean_employee_no(self):
            return self.cleaned_data["employee_no"].upper()

    row = {"employee_no": "p003", "name": "重複", "category": "employee",
           "department": org.sales.code, "status": "active"}
    lookups = FileLookups(PersonResource(), UpperCaseForm, org.users["admin"], [(1, row)])
    form = build_form(PersonResource(), UpperCaseForm, org.users["admin"], row, None)
    lookups.prepare(form)

    assert not form.is_valid()
    assert form.errors["employee_no"] == ["Person with this Staff number already exists."]
