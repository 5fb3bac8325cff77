"""What training derives follows what it depends on, in the same transaction: a completion
changed or deleted decides its assignments again, a course's validity its completions'
expiry, a person's move the department their completions are read under."""

import datetime

from mamori.core.testing import log_entries
from mamori.training import assign
from mamori.training.models import Assignment, Completion, Course, Programme

TODAY = datetime.date.today()


def course(code="SEC-101", validity=12):
    return Course.objects.create(code=code, kind=Course.Kind.EXTERNAL, title_ja="研修",
                                 validity_months=validity)


def programme(org, of_course):
    found = Programme.objects.create(code="P1", title_ja="全員研修", course=of_course,
                                     recurrence=Programme.Recurrence.ONCE, due_days=30)
    assign.sync_programme(found)
    return found


def test_a_deleted_completion_opens_its_assignment_again(org):
    staff = org.people["staff"]
    the_course = course()
    the_programme = programme(org, the_course)
    done = Completion.objects.create(person=staff, course=the_course, completed_on=TODAY)
    assignment = Assignment.objects.get(programme=the_programme, person=staff)
    assert (assignment.status, assignment.completion_id) == ("completed", done.pk)
    done.delete()
    assignment.refresh_from_db()
    assert (assignment.status, assignment.completion_id, assignment.completed_on) == (
        "open", None, None)
    assert log_entries(assignment, "update").count() == 2


def test_another_completion_takes_over_when_one_is_deleted(org):
    staff = org.people["staff"]
    the_course = course()
    the_programme = programme(org, the_course)
    first = Completion.objects.create(person=staff, course=the_course,
                                      completed_on=TODAY - datetime.timedelta(days=3))
    second = Completion.objects.create(person=staff, course=the_course, completed_on=TODAY)
    assignment = Assignment.objects.get(programme=the_programme, person=staff)
    assert assignment.completion_id == first.pk
    first.delete()
    assignment.refresh_from_db()
    assert (assignment.status, assignment.completion_id) == ("completed", second.pk)


def test_a_completion_moved_to_another_person_is_decided_again(org):
    staff, other = org.people["staff"], org.people["it_staff"]
    the_course = course()
    the_programme = programme(org, the_course)
    done = Completion.objects.create(person=staff, course=the_course, completed_on=TODAY)
    done.person = other
    done.save()
    mine = Assignment.objects.get(programme=the_programme, person=staff)
    theirs = Assignment.objects.get(programme=the_programme, person=other)
    assert mine.status == "open" and theirs.status == "completed"


def test_validity_change_rederives_expiry(org):
    the_course = course(validity=12)
    done = Completion.objects.create(person=org.people["staff"], course=the_course,
                                     completed_on=datetime.date(2026, 1, 31))
    assert done.valid_until == datetime.date(2027, 1, 31)
    the_course.validity_months = 1
    the_course.save()
    done.refresh_from_db()
    assert done.valid_until == datetime.date(2026, 2, 28)
    the_course.validity_months = None
    the_course.save()
    done.refresh_from_db()
    assert done.valid_until is None


def test_a_mover_s_completions_follow_them(org):
    staff = org.people["staff"]
    the_course = course()
    programme(org, the_course)
    done = Completion.objects.create(person=staff, course=the_course, completed_on=TODAY)
    assert done.department == org.sales_east
    staff.department = org.it
    staff.save()
    done.refresh_from_db()
    assert done.department == org.it
    assert Assignment.objects.get(person=staff).department == org.it
