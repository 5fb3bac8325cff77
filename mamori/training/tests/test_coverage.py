import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mamori.org.models import Person
from mamori.training import assign, coverage
from mamori.training.models import Assignment
from mamori.training.tests.coverage_fixtures import add_people, complete, programme

URL = reverse("training:coverage")


def cells(grid):
    """{(department code or None, category): (completed, assigned, overdue)}"""
    return {(row.department.code if row.department else None, cell.category):
            (cell.completed, cell.assigned, cell.overdue)
            for row in grid.rows for cell in row.cells if cell.assigned}


@pytest.fixture
def basic(org):
    made = programme()
    complete(made, org.people["manager"], org.people["staff"])
    return made


def test_the_ciso_sees_every_department_per_category(org, basic):
    grid = coverage.grid(org.users["ciso"], basic)
    assert cells(grid) == {
        ("D000", "executive_officer"): (0, 1, 0), ("D000", "employee"): (0, 1, 0),
        ("D100", "employee"): (1, 1, 0), ("D110", "employee"): (1, 1, 0),
        ("D200", "dispatched"): (0, 1, 0)}
    totals = {cell.category: (cell.completed, cell.assigned) for cell in grid.totals}
    assert totals == {"executive_officer": (0, 1), "employee": (2, 3), "dispatched": (0, 1)}
    assert (grid.overall.completed, grid.overall.assigned) == (2, 5)
    response = org.client("ciso").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span data-testid="programme-done">2</span>' in page
    assert 'data-testid="coverage-heatmap"' in page and "style=" not in page.split(
        'data-testid="coverage-table"')[1]


def test_cancelled_assignments_are_not_counted_and_overdue_ones_are(org, basic):
    Assignment.objects.filter(person=org.people["it_staff"]).update(status="cancelled")
    Assignment.objects.filter(person=org.people["ciso"]).update(due_on="2000-01-01")
    grid = coverage.grid(org.users["ciso"], basic)
    assert ("D200", "dispatched") not in cells(grid)
    assert cells(grid)[("D000", "executive_officer")] == (0, 1, 1)
    assert grid.overall.overdue == 1


def test_an_information_manager_sees_only_their_departments(org, basic):
    grid = coverage.grid(org.users["manager"], basic)
    assert set(cells(grid)) == {("D100", "employee"), ("D110", "employee")}
    response = org.client("manager").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span data-testid="programme-done">2</span>' in page
    assert "システム部" not in page and "本社" not in page


def test_auditors_read_everything_and_staff_have_no_coverage_page(org, basic):
    response = org.client("auditor").get(URL)
    assert response.status_code == 200
    assert '<span data-testid="programme-done">2</span>' in response.content.decode()
    assert org.client("staff").get(URL).status_code == 403
    assert org.client("staff").get(basic.get_absolute_url()).status_code in (403, 404)
    menu = org.client("staff").get(reverse("training:assignment_list")).content.decode()
    assert URL not in menu


def test_each_cell_opens_the_people_not_yet_done(org, basic):
    client = org.client("ciso")
    page = client.get(URL, {"programme": basic.pk}).content.decode()
    link = (f"{reverse('training:assignment_list')}?programme={basic.pk}&amp;cycle="
            f"{coverage.grid(org.users['ciso'], basic).cycle}&amp;category=employee"
            f"&amp;department={org.company.pk}&amp;status=open")
    assert link in page
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "テスト auditor" in listed and "テスト manager" not in listed


def test_the_first_running_mandatory_programme_is_shown_first(org, basic):
    optional = programme("aaa-optional", mandatory=False)
    page = org.client("ciso").get(URL).content.decode()
    assert f'<option value="{basic.pk}" selected>' in page
    page = org.client("ciso").get(URL, {"programme": optional.pk}).content.decode()
    assert f'<option value="{optional.pk}" selected>' in page


def test_the_grid_exports_headed_in_the_users_language(org, basic):
    client = org.client("ciso")
    response = client.get(URL, {"programme": basic.pk, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0][0] == "部署"
    assert rows[-1][2:5] == ["5", "2", "0"]
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"programme": basic.pk, "export": "xlsx"}, headers={
        "accept-language": "en"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["department", "category", "assigned"]
    manager_rows = list(csv.reader(io.StringIO(org.client("manager").get(
        URL, {"programme": basic.pk, "export": "csv"}).content.decode().lstrip("\ufeff"))))
    assert rows[-1] != manager_rows[-1] and manager_rows[-1][2] == "2"


def test_the_programme_page_sums_it_up_per_category(org, basic):
    page = org.client("ciso").get(basic.get_absolute_url()).content.decode()
    assert 'data-testid="programme-coverage"' in page
    assert f'{URL}?programme={basic.pk}' in page
    assert 'data-category="dispatched"' in page


def test_the_query_count_does_not_grow_with_the_rows(org, basic):
    def count():
        client = org.client("ciso")
        client.get(URL)  # warm up the session and the settings row
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    before = count()
    add_people(org, 6, Person.Category.CONTRACTOR, org.it)
    add_people(org, 6, Person.Category.DISPATCHED, org.sales_east, prefix="Y")
    assign.sync_programme(basic)
    assert coverage.grid(org.users["ciso"], basic).overall.assigned == 17
    assert count() == before


def test_the_programme_page_names_its_audience(org, english):
    made = programme("managers", roles=["information_manager"], categories=["employee"])
    made.departments.set([org.sales])
    client = org.client("ciso")
    client.cookies["django_language"] = "en"
    page = client.get(made.get_absolute_url(), headers={"accept-language": "en"}).content.decode()
    assert "Information managers" in page and "org.Department.None" not in page
    assert "[&#x27;employee&#x27;]" not in page and "Sales" in page


def test_an_assignment_opened_from_the_drill_down_offers_no_edit_page(org, basic):
    assignment = Assignment.objects.filter(programme=basic).first()
    for name in ("ciso", "admin", "auditor"):
        response = org.client(name).get(assignment.get_absolute_url())
        assert response.status_code == 200, name
        assert "/edit/" not in response.content.decode()


def test_people_without_a_category_get_a_column_of_their_own(org, basic, english):
    Assignment.objects.filter(person=org.people["it_staff"]).update(category="")
    grid = coverage.grid(org.users["ciso"], basic)
    assert ("", "No category") in grid.categories
    assert cells(grid)[("D200", "")] == (0, 1, 0)
