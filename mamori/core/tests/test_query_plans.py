"""The lists of the registers that grow with the company are read from an index, in order,
with no sort step: checked with PostgreSQL's EXPLAIN on the very query a list page runs for
its ids (core.paging), for its default order, each sort by one of its own columns (both
directions) and each filter on such a column.

Sorting is switched off for the planner (`enable_sort`, and `enable_seqscan` for the bare
table): it then picks an index that gives the order whenever one exists, so a plan that still
sorts means that no index serves the order, whatever the size of the test data. A sort by
another table's column (an asset's department code) is not in this test: it is read through
that table's index and joined (see docs/ARCHITECTURE.md, "Long lists and planner
statistics")."""

import pytest
from django.db import connection
from django.test import RequestFactory

from mamori.assets.filtersets import AssetFilterSet
from mamori.assets.models import Asset
from mamori.assets.tables import AssetTable
from mamori.contractors.filtersets import ScreeningAnswerFilterSet
from mamori.contractors.models import ScreeningAnswer
from mamori.contractors.tables import ScreeningAnswerTable
from mamori.core.paging import page_ids
from mamori.core.scope import VIEW
from mamori.core.testing import postgresql_plan
from mamori.incidents.filtersets import IncidentFilterSet
from mamori.incidents.models import Incident
from mamori.incidents.tables import IncidentTable
from mamori.org.filtersets import PersonFilterSet
from mamori.org.models import Person
from mamori.org.tables import PersonTable
from mamori.policies.filtersets import AcknowledgementFilterSet
from mamori.policies.models import Acknowledgement
from mamori.policies.tables import AcknowledgementTable
from mamori.risks.filtersets import RiskFilterSet
from mamori.risks.models import Risk
from mamori.risks.tables import RiskTable
from mamori.training.filtersets import AssignmentFilterSet, CompletionFilterSet
from mamori.training.models import Assignment, Completion
from mamori.training.tables import AssignmentTable, CompletionTable

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

LISTS = [
    (Asset, AssetTable, AssetFilterSet,
     {"status": "in_use", "asset_type": "system", "has_personal_info": "true"}),
    (Person, PersonTable, PersonFilterSet, {"category": "employee", "status": "active"}),
    (Acknowledgement, AcknowledgementTable, AcknowledgementFilterSet, {}),
    # Filters by the other columns the tally counts are dense (a status, a category): the
    # page is found early along the default order's index.
    (Assignment, AssignmentTable, AssignmentFilterSet, {"cycle": "2026"}),
    (Completion, CompletionTable, CompletionFilterSet, {"source": "quiz"}),
    # 300,000 at 5,000 contractors with 60 requirements (bench/contractors.py).
    (ScreeningAnswer, ScreeningAnswerTable, ScreeningAnswerFilterSet, {"their_level": "3"}),
]


def own_column_sorts(table):
    """The sorts of the table by a column of its own model, both directions."""
    names = [c.field for c in table.columns if c.sortable and "__" not in c.ordering]
    return [""] + names + [f"-{name}" for name in names]


def plan(queryset) -> str:
    sql, params = page_ids(queryset)[:50].query.sql_with_params()
    # Sorting off, an incremental sort too: on these small tables the planner would otherwise
    # read a shorter index that starts with the column (people's (category, status)) and sort
    # each run of equal values, although (category, employee_no) serves the order whole.
    return postgresql_plan(sql, params, off=("enable_sort", "enable_incremental_sort",
                                             "enable_seqscan"))


def list_queryset(org, model, table_class, filterset_class, sort="", query=None):
    """What ScopedListView.get runs for the ids of a page, as the administrator."""
    user = org.users["admin"]
    request = RequestFactory().get("/", query or {})
    request.user = user
    rows = model.objects.restrict(user, VIEW)
    if query:
        filterset = filterset_class(request.GET, queryset=rows, request=request)
        assert filterset.is_valid(), filterset.errors
        rows = filterset.qs
    table = table_class(model)
    return rows.order_by(*table.ordering_with_tiebreak(sort))


@pytest.mark.parametrize(("model", "table_class", "filterset_class", "filters"), LISTS,
                         ids=[m.__name__ for m, *_rest in LISTS])
def test_every_own_column_sort_is_read_from_an_index(org, model, table_class,
                                                     filterset_class, filters):
    table = table_class(model)
    sorting = {}
    for sort in own_column_sorts(table):
        explained = plan(list_queryset(org, model, table_class, filterset_class, sort))
        sorting[sort or "(default)"] = "Sort" in explained
    assert not [sort for sort, sorts in sorting.items() if sorts], sorting


@pytest.mark.parametrize(("model", "table_class", "filterset_class", "filters"),
                         [entry for entry in LISTS if entry[3]],
                         ids=[m.__name__ for m, *_rest in LISTS if _rest[2]])
def test_each_filter_in_the_default_order_is_read_from_an_index(org, model, table_class,
                                                                filterset_class, filters):
    problems = {}
    for name, value in filters.items():
        explained = plan(list_queryset(org, model, table_class, filterset_class, "",
                                       {name: value}))
        if "Sort" in explained or "Seq Scan" in explained:
            problems[name] = explained
    assert not problems, problems


@pytest.mark.parametrize("query", [
    {"until": "2030-01-01"}, {"since": "2030-01-01"},
    {"model": "org.department", "until": "2030-01-01"},
    {"actor": "admin", "since": "2020-01-01", "until": "2030-01-01"}])
def test_a_change_log_filter_by_days_reads_a_range_of_numbers(org, query):
    """The change-log page's query for days (core.changelog.first_entry_from): newest first
    from an index, no sort of every entry before the day."""
    from mamori.core.filtersets import ChangeLogFilterSet
    from mamori.core.models import ChangeLogEntry

    filterset = ChangeLogFilterSet(query, queryset=ChangeLogEntry.objects.order_by("-seq"))
    assert filterset.is_valid()
    sql, params = filterset.qs[:51].query.sql_with_params()
    explained = postgresql_plan(sql, params, off=("enable_sort", "enable_seqscan"))
    assert "Sort" not in explained and "Seq Scan" not in explained, explained
    # Not every entry read back to the day and checked for its time: the day is a range of
    # numbers.
    assert "(at " not in explained, explained


@pytest.mark.parametrize(("model", "table_class", "filterset_class", "columns"), [
    (Asset, AssetTable, AssetFilterSet, ("code", "name_ja", "name_en", "location")),
    (Person, PersonTable, PersonFilterSet,
     ("employee_no", "name", "name_kana", "name_latin", "email")),
    (Incident, IncidentTable, IncidentFilterSet, ("code", "title", "description")),
    (Risk, RiskTable, RiskFilterSet, ("code", "title_ja", "title_en"))],
    ids=["Asset", "Person", "Incident", "Risk"])
def test_the_search_reads_the_trigram_indexes(org, model, table_class, filterset_class,
                                              columns):
    """`q=` looks for any part of a few columns: each is read from its trigram index
    (core.search_indexes), not by reading every row."""
    queryset = list_queryset(org, model, table_class, filterset_class, "", {"q": "顧客台帳"})
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    explained = postgresql_plan(sql, params, off=("enable_seqscan",))
    for column in columns:
        assert f"{model._meta.db_table}_{column}_trgm" in explained, explained


def test_the_overdue_assignments_a_check_lists_come_in_order_from_an_index(org):
    """training.conformance.overdue_share lists the first 50 overdue assignments of a few
    programmes in the order of the (programme, due_on, id) index, with no sort."""
    import datetime

    from django.db.models import Q

    from mamori.training.conformance import overdue_share

    result = overdue_share(Q(programme__in=[1, 2, 3]), datetime.date(2026, 12, 1))
    sql, params = result.failing_objects[:50].query.sql_with_params()
    plan = postgresql_plan(sql, params, off=("enable_sort", "enable_incremental_sort",
                                             "enable_seqscan", "enable_bitmapscan"))
    assert "training_assignment_prog_due" in plan and "Sort" not in plan, plan
