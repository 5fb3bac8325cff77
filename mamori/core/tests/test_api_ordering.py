"""`?ordering=` sorts only by what the API shows (core.api.ordering.ExposedFieldOrdering): a
column the serializer leaves out is ignored exactly as an unknown name, and a foreign key sorts
by the id the API shows, not by the related record's own ordering (which would sort by the
staff numbers of people the user may not see)."""

import datetime

import pytest
from django.utils import timezone

from mamori.core.api.ordering import ExposedFieldOrdering
from mamori.core.testing import api_client
from mamori.org.models import Person
from mamori.risks.api.views import RiskViewSet
from mamori.risks.tests.test_risk_models import make_risk
from mamori.websec.api.views import WebEndpointViewSet
from mamori.websec.tests.test_websec_models import make_endpoint

pytestmark = pytest.mark.django_db


def codes(response, key="code"):
    assert response.status_code == 200, response.json()
    return [row[key] for row in response.json()["results"]]


def test_a_column_the_api_does_not_show_is_ignored_like_an_unknown_name(org):
    # verified_until is not in the endpoint's API; its order is the reverse of the ids'.
    now = timezone.now()
    first = make_endpoint(org.sales, 21001, name="b", last_full_scan_at=now)
    second = make_endpoint(org.sales, 21002, name="a",
                           last_full_scan_at=now - datetime.timedelta(days=1))
    assert second.verified_until < first.verified_until
    client = api_client(org.users["manager"])
    path = "/api/websec/endpoints/"
    by_id = codes(client.get(path), "id")
    assert by_id == [first.pk, second.pk]
    for ordering in ("verified_until", "-verified_until", "no_such_field", "department__code"):
        assert codes(client.get(path, {"ordering": ordering}), "id") == by_id, ordering
    assert codes(client.get(path, {"ordering": "name"}), "id") == [second.pk, first.pk]


def test_a_foreign_key_sorts_by_the_id_shown_not_by_the_hidden_record(org):
    # Two risks of Sales owned by people of IT, whom the manager may not see; sorted by the
    # owners' staff numbers they would come the other way round.
    late_number = org.people["it_staff"]  # P004, the lower id
    early_number = Person.objects.create(employee_no="P000", name="新任", department=org.it)
    make_risk(org.sales, "R-A", owner=late_number)
    make_risk(org.sales, "R-B", owner=early_number)
    client = api_client(org.users["manager"])
    assert codes(client.get("/api/risks/risks/", {"ordering": "owner"})) == ["R-A", "R-B"]
    assert codes(client.get("/api/risks/risks/", {"ordering": "-owner"})) == ["R-B", "R-A"]


def test_ties_are_broken_by_the_code_so_pages_are_stable(org):
    # Risks are told apart by their codes (core.paging.tiebreak_column), in the direction of
    # the sort.
    for code in ("R-3", "R-1", "R-2"):
        make_risk(org.sales, code)
    client = api_client(org.users["manager"])
    response = client.get("/api/risks/risks/", {"ordering": "status", "limit": 2, "offset": 1})
    assert codes(response) == ["R-2", "R-3"]
    response = client.get("/api/risks/risks/", {"ordering": "-status", "limit": 2, "offset": 1})
    assert codes(response) == ["R-2", "R-1"]


def schema_names(viewset_class):
    view = viewset_class()
    view.action, view.request, view.format_kwarg = "list", None, None
    [parameter] = ExposedFieldOrdering().get_schema_operation_parameters(view)
    return parameter["description"]


def test_the_schema_names_the_fields_ordering_takes():
    risks = schema_names(RiskViewSet)
    assert "`code`" in risks and "`owner`" in risks
    assert "`assets`" not in risks  # many-to-many: not orderable
    endpoints = schema_names(WebEndpointViewSet)
    assert "`name`" in endpoints and "verified_until" not in endpoints


def test_the_largest_registers_sort_only_where_an_index_serves_the_order():
    """Two million assignments, 1.6 million completions: sorted by a column whose runs of
    equal values are hundreds of thousands of rows long (a status), the tiebreak by id sorted
    each run (0.7 s a page)."""
    from mamori.training.api.views import AssignmentViewSet, CompletionViewSet

    for viewset, expected in ((AssignmentViewSet, {"id", "person", "due_on"}),
                              (CompletionViewSet, {"id", "person", "completed_on"})):
        taken = set(ExposedFieldOrdering().columns(viewset()))
        assert taken == expected, viewset.__name__
