"""The assignment tally kept by triggers (training/tally.py) follows every kind of write —
the ORM, a queryset update, a bulk insert, raw SQL, a delete — and the Art 8 check reads it."""

import datetime

from django.db import connection

from mamori.core import conformance
from mamori.training import assign, tally
from mamori.training.models import Assignment, AssignmentTally, Course, Programme


def make_programme(code="ALL"):
    course = Course.objects.create(code=f"C-{code}", kind=Course.Kind.EXTERNAL, title_ja="研修")
    programme = Programme.objects.create(code=code, title_ja="全員", course=course,
                                         recurrence=Programme.Recurrence.ONCE, due_days=30)
    assign.sync_programme(programme)
    return programme


def counted(programme, status):
    return sum(AssignmentTally.objects.filter(programme=programme, status=status)
               .values_list("count", flat=True))


def test_every_kind_of_write_is_counted(org):
    programme = make_programme()
    people = Assignment.objects.filter(programme=programme).count()
    assert people > 0 and counted(programme, "open") == people
    assert tally.differences() == {}
    # A queryset update moving rows to another status, and one that moves nothing.
    Assignment.objects.filter(programme=programme, person=org.people["staff"]).update(
        status="completed", completed_on=datetime.date.today())
    Assignment.objects.filter(programme=programme).update(reminded_on=datetime.date.today())
    assert (counted(programme, "open"), counted(programme, "completed")) == (people - 1, 1)
    # A person who moves: their row moves to the other department's key.
    staff = org.people["staff"]
    staff.department = org.it
    staff.save()
    assert tally.differences() == {}
    # Raw SQL and a delete (a programme's rows removed by hand, as a benchmark does).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_assignment SET status = 'cancelled' WHERE id = %s",
                       [Assignment.objects.filter(programme=programme).first().pk])
        cursor.execute("DELETE FROM training_assignment WHERE person_id = %s",
                       [org.people["it_staff"].pk])
    assert tally.differences() == {}


def test_recount_repairs_a_tally_written_around(org):
    make_programme()
    AssignmentTally.objects.update(count=99)
    assert tally.differences()
    tally.recount()
    assert tally.differences() == {}


def test_the_check_reads_the_tally(org):
    programme = make_programme()
    check = next(c for c in conformance.checks()
                 if c.code == "training.art8.mandatory_completion")
    assert check.function().status == "fail"
    Assignment.objects.filter(programme=programme).update(status="completed",
                                                          completed_on=datetime.date.today())
    assert check.function().status == "pass"


def assignment_counts(client, query=""):
    """(the list's total, whether it counted the assignment rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/training/assignments/?{query}")
    assert response.status_code == 200
    counted = any("COUNT(" in q["sql"].upper() and '"training_assignment"' in q["sql"]
                  and "training_assignmenttally" not in q["sql"] for q in queries)
    return response.context["page"].paginator.count, counted


def test_the_list_counts_from_the_tally_for_those_who_see_all(org):
    programme = make_programme()
    make_programme("OTHER")
    Assignment.objects.filter(programme=programme, person=org.people["staff"]).update(
        status="completed", completed_on=datetime.date.today())
    ciso = org.client("ciso")
    everything = Assignment.objects.count()
    assert assignment_counts(ciso) == (everything, False)
    assert assignment_counts(ciso, f"programme={programme.pk}&status=open") == (
        Assignment.objects.filter(programme=programme, status="open").count(), False)
    assert assignment_counts(ciso, f"department={org.sales_east.pk}") == (
        Assignment.objects.filter(department=org.sales_east).count(), False)
    # A filter the tally does not know, and a reader who sees part: counted row by row.
    assert assignment_counts(ciso, "overdue=true") == (0, True)
    mine = Assignment.objects.restrict(org.users["manager"]).count()
    assert assignment_counts(org.client("manager")) == (mine, True)
