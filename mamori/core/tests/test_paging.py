"""Pages read as ids, then rows (core.paging): the same rows in the same order as a plain
slice, at any depth, on the list pages and in the API; the tiebreak follows the sort."""

import pytest
from django.db import connection
from django.urls import reverse

from mamori.core import paging
from mamori.core.paging import IdPaginator, rows_in_order, with_tiebreak
from mamori.core.testing import api_client, query_count
from mamori.org.models import Department, Person
from mamori.policies.models import Acknowledgement

pytestmark = pytest.mark.django_db


def test_tiebreak_follows_the_direction_and_is_left_out_for_a_unique_column():
    assert with_tiebreak(Person, "employee_no") == ("employee_no",)  # unique, never empty
    assert with_tiebreak(Person, "-employee_no") == ("-employee_no",)
    # The staff number, the people's own order, breaks ties: (category, employee_no) is the
    # index of both a filter by category and a sort by it.
    assert with_tiebreak(Person, "name") == ("name", "employee_no")
    assert with_tiebreak(Person, "-name") == ("-name", "-employee_no")
    assert with_tiebreak(Person, "department__code") == ("department__code", "employee_no")
    assert with_tiebreak(Person, "-pk") == ("-pk",)
    # A unique column that may be empty (a person without a login) can repeat NULLs.
    assert with_tiebreak(Person, "user") == ("user", "employee_no")
    # Acknowledgements have no column telling them apart but the id.
    assert with_tiebreak(Acknowledgement, "-acknowledged_at") == ("-acknowledged_at", "-pk")


@pytest.fixture(params=["read whole", "read from the nearer end"])
def read_as(request, monkeypatch):
    """Both ways of reading a page: a short list's on PostgreSQL (every id, then cut here) and
    a long list's (a slice from whichever end is nearer), which would need 10,000 rows to
    meet. SQLite always reads the slice."""
    if request.param == "read from the nearer end":
        monkeypatch.setattr(paging, "READ_WHOLE", 0)
    elif connection.vendor != "postgresql":
        pytest.skip("SQLite reads every list from its nearer end")
    return request.param


@pytest.fixture
def people(org, read_as):
    # Names repeat, so the tiebreak decides the order within a name.
    for i in range(130):
        Person.objects.create(employee_no=f"P{i:04}", name=f"頁 {i % 7}",
                              category=Person.Category.EMPLOYEE, department=org.sales)
    return Person.objects.select_related("department").order_by(
        *with_tiebreak(Person, "-name"))


def test_every_page_has_the_rows_of_a_plain_slice_in_order(people):
    paginator = IdPaginator(people, 25)
    expected = list(people)
    seen = []
    for number in paginator.page_range:
        seen += list(paginator.page(number).object_list)
    assert [p.pk for p in seen] == [p.pk for p in expected]
    assert paginator.count == len(expected)


def test_a_page_costs_the_same_queries_at_any_depth(people):
    paginator = IdPaginator(people, 25)
    paginator.count  # noqa: B018  (counted once, as the list page does)

    def read(number):
        return lambda: [p.department.code for p in paginator.page(number).object_list]

    assert query_count(read(1)) == query_count(read(paginator.num_pages)) == 2


def test_a_row_deleted_between_the_two_reads_is_left_out(people):
    ids = list(people.values_list("pk", flat=True)[:5])
    Person.objects.filter(pk=ids[2]).delete()
    assert [p.pk for p in rows_in_order(people, ids)] == ids[:2] + ids[3:]
    assert rows_in_order(people, []) == []


def test_list_page_deep_in_a_sort_shows_the_rows_of_that_page(org, people):
    response = org.client("admin").get(reverse("org:person_list"),
                                       {"sort": "-name", "page": 2})
    shown = [obj.pk for obj, _cells in response.context["rows"]]
    assert len(shown) == 50
    everyone = Person.objects.order_by(*with_tiebreak(Person, "-name"))
    assert shown == [p.pk for p in everyone[50:100]]


def test_api_offset_gives_the_rows_of_a_plain_slice(org, people):
    client = api_client(org.users["admin"])
    body = client.get("/api/org/people/", {"ordering": "-name", "offset": 60,
                                           "limit": 20}).json()
    everyone = Person.objects.order_by(*with_tiebreak(Person, "-name"))
    assert [row["id"] for row in body["results"]] == [p.pk for p in everyone[60:80]]
    assert body["count"] == Person.objects.count()


def test_api_departments_sorted_by_a_unique_code_page_without_a_tiebreak(org):
    client = api_client(org.users["admin"])
    body = client.get("/api/org/departments/", {"ordering": "-code", "limit": 2,
                                                "offset": 1}).json()
    codes = list(Department.objects.order_by("-code").values_list("code", flat=True))
    assert [row["code"] for row in body["results"]] == codes[1:3]


@pytest.mark.parametrize("ordering", ["-name", "name", "user", "-user", "department__code"])
def test_pages_read_from_the_end_mirror_the_order_exactly(people, ordering):
    # Pages past the middle are read backwards; the order must come out the same, with
    # empty values (people without a login) where a forward read puts them.
    people = people.order_by(*with_tiebreak(Person, ordering))
    paginator = IdPaginator(people, 20, orphans=3)
    seen = [p.pk for n in paginator.page_range for p in paginator.page(n).object_list]
    assert seen == [p.pk for p in people]


def test_api_offset_near_the_end_and_past_it(org, people):
    client = api_client(org.users["admin"])
    everyone = [p.pk for p in Person.objects.order_by(*with_tiebreak(Person, "name"))]
    near = client.get("/api/org/people/", {"ordering": "name", "offset": len(everyone) - 3,
                                           "limit": 20}).json()
    assert [row["id"] for row in near["results"]] == everyone[-3:]
    past = client.get("/api/org/people/", {"ordering": "name", "offset": len(everyone) + 5})
    assert past.json()["results"] == []
