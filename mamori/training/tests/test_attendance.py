"""Attendance at a classroom session by staff numbers: all or nothing, each error naming its
line; one completion per person, completing their assignments."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.training.models import Assignment, ClassroomSession, Completion, Course
from mamori.training.tests.helpers import programme_for


@pytest.fixture
def session(org):
    course = Course.objects.create(code="CR-1", kind=Course.Kind.CLASSROOM, title_ja="集合研修",
                                   title_en="Classroom")
    starts = timezone.now() - datetime.timedelta(days=2)
    return ClassroomSession.objects.create(course=course, starts_at=starts,
                                           ends_at=starts + datetime.timedelta(hours=2),
                                           place="大会議室")


def record(org, session, text, username="ciso"):
    return org.client(username).post(
        reverse("training:classroomsession_attendance", args=[session.pk]),
        {"staff_numbers": text})


def test_records_one_completion_per_person(org, session):
    programme = programme_for(session.course)
    response = record(org, session, "P003\nP004, P002\nP003")
    assert response.status_code == 302
    completions = Completion.objects.filter(session=session).order_by("person__employee_no")
    assert [c.person.employee_no for c in completions] == ["P002", "P003", "P004"]
    day = timezone.localdate(session.starts_at)
    assert {(c.source, c.completed_on, c.course_id) for c in completions} == {
        ("classroom", day, session.course_id)}
    assert Assignment.objects.get(programme=programme,
                                  person=org.people["staff"]).status == "completed"
    page = org.client("ciso").get(session.get_absolute_url()).content.decode()
    attendees = page[page.index('data-testid="attendees"'):]
    assert "P002" in attendees and "P004" in attendees


@pytest.mark.parametrize("text, line, fragment", [
    ("P003\nP999", 2, "P999"),  # unknown
    ("P003\n\nP002\nP004", 4, None),  # already recorded (below)
])
def test_an_error_names_the_line_and_nothing_is_written(org, session, text, line, fragment):
    if fragment is None:
        Completion.objects.create(person=org.people["it_staff"], course=session.course,
                                  completed_on=timezone.localdate(session.starts_at),
                                  source=Completion.Source.CLASSROOM, session=session)
    before = Completion.objects.count()
    response = record(org, session, text)
    assert response.status_code == 400
    errors = response.content.decode()
    errors = errors[errors.index('data-testid="attendance-form"'):]
    assert f"{line}" in errors and 'data-testid="attendance-error"' in errors
    if fragment:
        assert fragment in errors
    assert Completion.objects.count() == before


def test_errors_in_english_name_the_line(org, session):
    response = org.client("ciso").post(
        reverse("training:classroomsession_attendance", args=[session.pk]),
        {"staff_numbers": "P003\nP999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert not Completion.objects.exists()


def test_a_person_out_of_scope_is_an_error(org, session, monkeypatch):
    from mamori.org.models import Person
    from mamori.training import attendance

    original = Person.objects.restrict

    def narrower(user, action):
        return original(user, action).exclude(employee_no="P004")

    monkeypatch.setattr(Person.objects, "restrict", narrower)
    with pytest.raises(attendance.ValidationError) as raised:
        attendance.record(org.users["ciso"], session, "P003\nP004")
    assert any("2" in m and "P004" in m for m in raised.value.messages)
    assert not Completion.objects.exists()


def test_only_those_who_add_completions_see_and_use_the_form(org, session):
    for username in ("manager", "staff"):
        page = org.client(username).get(session.get_absolute_url()).content.decode()
        assert 'data-testid="attendance-form"' not in page
        assert record(org, session, "P003", username).status_code == 403
    assert 'data-testid="attendance-form"' in org.client("ciso").get(
        session.get_absolute_url()).content.decode()
    assert not Completion.objects.exists()


def test_a_future_session_takes_no_attendance(org, session):
    session.starts_at = timezone.now() + datetime.timedelta(days=2)
    session.ends_at = session.starts_at + datetime.timedelta(hours=1)
    session.save()
    assert record(org, session, "P003").status_code == 400
    assert not Completion.objects.exists()
