"""The tallies kept by triggers (training/tally.py) follow every kind of write — the ORM, a
queryset update, a bulk insert, raw SQL, a delete; the Art 8 check reads the assignments' and
the lists of assignments and completions take their totals from them."""

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
    assert tally.ASSIGNMENTS.differences() == {}
    # A queryset update moving rows to another status, and one that moves nothing.
    Assignment.objects.filter(programme=programme, person=org.people["staff"]).update(
        status="completed", completed_on=datetime.date.today())
    Assignment.objects.filter(programme=programme).update(reminded_on=datetime.date.today())
    assert (counted(programme, "open"), counted(programme, "completed")) == (people - 1, 1)
    # A person who moves: their row moves to the other department's key.
    staff = org.people["staff"]
    staff.department = org.it
    staff.save()
    assert tally.ASSIGNMENTS.differences() == {}
    # Raw SQL and a delete (a programme's rows removed by hand, as a benchmark does).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_assignment SET status = 'cancelled' WHERE id = %s",
                       [Assignment.objects.filter(programme=programme).first().pk])
        cursor.execute("DELETE FROM training_assignment WHERE person_id = %s",
                       [org.people["it_staff"].pk])
    assert tally.ASSIGNMENTS.differences() == {}


def test_recount_repairs_a_tally_written_around(org):
    make_programme()
    AssignmentTally.objects.update(count=99)
    assert tally.ASSIGNMENTS.differences()
    tally.ASSIGNMENTS.recount()
    assert tally.ASSIGNMENTS.differences() == {}


def test_the_check_reads_the_tally(org):
    programme = make_programme()
    check = next(c for c in conformance.checks()
                 if c.code == "training.art8.mandatory_completion")
    assert check.function().status == "fail"
    Assignment.objects.filter(programme=programme).update(status="completed",
                                                          completed_on=datetime.date.today())
    assert check.function().status == "pass"


def list_counts(client, path, table, query=""):
    """(the list's total, whether it counted the table's rows other than one person's)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    counted = any("COUNT(" in q["sql"].upper() and f'FROM "{table}"' in q["sql"]
                  and "person_id\" = " not in q["sql"] for q in queries)
    return response.context["page"].paginator.count, counted


def assignment_counts(client, query=""):
    return list_counts(client, "/training/assignments/", "training_assignment", query)


def completion_counts(client, query=""):
    return list_counts(client, "/training/completions/", "training_completion", query)


def test_the_assignment_list_counts_from_the_tally(org):
    programme = make_programme()
    make_programme("OTHER")
    Assignment.objects.filter(programme=programme, person=org.people["staff"]).update(
        status="completed", completed_on=datetime.date.today())
    # Some overdue: every open assignment of the first programme but the IT staff's.
    Assignment.objects.filter(programme=programme, status="open").exclude(
        person=org.people["it_staff"]).update(due_on=datetime.date.today()
                                              - datetime.timedelta(days=3))
    everything = Assignment.objects.count()
    for who in ("ciso", "auditor"):
        client = org.client(who)
        assert assignment_counts(client) == (everything, False)
        assert assignment_counts(client, f"programme={programme.pk}&status=open") == (
            Assignment.objects.filter(programme=programme, status="open").count(), False)
        assert assignment_counts(client, f"department={org.sales_east.pk}") == (
            Assignment.objects.filter(department=org.sales_east).count(), False)
        # Overdue: the open rows' tally less those not yet due (counted: the COUNT names
        # the due date); not overdue, and a filter the tally does not know: counted.
        overdue = Assignment.objects.filter(Assignment.objects.overdue_q()).count()
        assert assignment_counts(client, "overdue=true")[0] == overdue
        assert assignment_counts(client, "overdue=false") == (everything - overdue, True)
    # An information manager: their departments from the tally, their own elsewhere counted
    # (the manager of sales, moved to IT for this test, still sees their own assignments).
    manager = org.people["manager"]
    manager.department = org.it
    manager.save()
    client = org.client("manager")
    for query in ("", f"programme={programme.pk}", "status=completed", "category=employee",
                  f"department={org.it.pk}", f"department={org.sales_east.pk}&status=open"):
        shown = assignment_counts(client, query)
        rows = list_rows(client, "/training/assignments/", query)
        assert shown == (rows, False), query
    for query in ("overdue=true", "overdue=true&status=open", "overdue=true&status=completed",
                  f"overdue=true&programme={programme.pk}"):
        assert assignment_counts(client, query)[0] == list_rows(
            client, "/training/assignments/", query), query
    assert assignment_counts(client, f"department={org.it.pk}")[0] == 2  # their two
    # Staff see their own rows, counted (a handful).
    staff = org.client("staff")
    assert assignment_counts(staff)[0] == Assignment.objects.filter(
        person=org.people["staff"]).count() == 2


def list_rows(client, path, query):
    """The number of rows the list shows over all its pages (its export, which counts
    nothing)."""
    response = client.get(f"{path}?{query}&export=csv")
    assert response.status_code == 200
    return len(response.content.decode("utf-8-sig").strip().splitlines()) - 1


def test_the_completion_tally_follows_every_write(org):
    from mamori.training.models import Completion

    course = Course.objects.create(code="C-EXT", kind=Course.Kind.EXTERNAL, title_ja="研修")
    other = Course.objects.create(code="C-EXT2", kind=Course.Kind.EXTERNAL, title_ja="研修2")
    today = datetime.date.today()
    for who in ("staff", "it_staff", "manager"):
        Completion.objects.create(person=org.people[who], course=course, completed_on=today,
                                  source=Completion.Source.IMPORT)
    assert tally.COMPLETIONS.differences() == {}
    Completion.objects.filter(person=org.people["staff"]).update(course=other)
    staff = org.people["staff"]
    staff.department = org.it
    staff.save()
    Completion.objects.filter(person=staff).update(department=org.it)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_completion SET source = 'recorded' WHERE person_id = %s",
                       [org.people["it_staff"].pk])
    assert tally.COMPLETIONS.differences() == {}
    Completion.objects.filter(person=org.people["manager"]).delete()
    assert tally.COMPLETIONS.differences() == {}
    # The lists' totals, for every role and filter the tally knows.
    for who in ("ciso", "auditor", "manager", "staff"):
        client = org.client(who)
        for query in ("", f"course={course.pk}", "source=import", f"department={org.it.pk}",
                      f"course={other.pk}&department={org.it.pk}"):
            total, counted = completion_counts(client, query)
            assert total == list_rows(client, "/training/completions/", query), (who, query)
            assert not counted or who == "staff", (who, query)
    assert completion_counts(org.client("ciso"))[0] == 2
    AssignmentTally.objects.all().delete()  # (the other tally is not read here)
    from mamori.training.models import CompletionTally

    CompletionTally.objects.update(count=7)
    assert tally.COMPLETIONS.differences()
    tally.COMPLETIONS.recount()
    assert tally.COMPLETIONS.differences() == {}


def test_the_api_counts_from_the_tally(org):
    programme = make_programme()
    client = org.client("ciso")
    from django.test.utils import CaptureQueriesContext

    for path, query, expected in (
            ("/api/training/assignments/", "", Assignment.objects.count()),
            ("/api/training/assignments/", f"programme={programme.pk}&limit=1",
             Assignment.objects.filter(programme=programme).count()),
            ("/api/training/completions/", "", 0)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}?{query}")
        assert response.status_code == 200
        assert response.json()["count"] == expected
        assert not any("COUNT(" in q["sql"].upper() and 'FROM "training_' in q["sql"]
                       for q in queries), path
    # A filter the tally does not know: counted.
    response = client.get(f"/api/training/assignments/?person={org.people['staff'].pk}")
    assert response.json()["count"] == Assignment.objects.filter(
        person=org.people["staff"]).count() == 1
