"""The training panel of My page: the person's open assignments, each with the way to do it,
and their recent completions with certificates, in a constant number of queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mamori.policies.models import PolicyDocument
from mamori.training.models import Assignment, ClassroomSession, Completion, Course
from mamori.training.tests.helpers import elearning_course, programme_for


def course_of(kind, code, **fields):
    return Course.objects.create(code=code, kind=kind, title_ja=f"{code} 研修",
                                 title_en=f"{code} course", **fields)


def panel(org, username="staff") -> str:
    response = org.client(username).get(reverse("core:my_page"))
    assert response.status_code == 200
    page = response.content.decode()
    if 'data-testid="training-todo"' not in page:
        return ""
    start = page.index('data-testid="training-todo"')
    return page[start:]


def test_no_panel_without_training(org):
    assert panel(org) == ""


def test_each_kind_has_its_action(org):
    elearning = elearning_course("EL-1")
    document = PolicyDocument.objects.create(
        code="basic", kind=PolicyDocument.Kind.INTERNAL_RULE, title_ja="基本方針",
        title_en="Basic policy", owner_department=org.company)
    reading = course_of(Course.Kind.ACKNOWLEDGEMENT, "ACK-1", policy_document=document)
    classroom = course_of(Course.Kind.CLASSROOM, "CR-1")
    external = course_of(Course.Kind.EXTERNAL, "EXT-1")
    session = ClassroomSession.objects.create(
        course=classroom, starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, hours=2), place="第1会議室")
    for course in (elearning, reading, classroom, external):
        programme_for(course)
    Assignment.objects.filter(person=org.people["staff"], programme__course=external).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1))
    shown = panel(org)
    assert reverse("training:course_take", args=[elearning.pk]) in shown
    assert document.get_absolute_url() in shown
    assert "第1会議室" in shown and 'data-testid="next-sessions"' in shown
    assert 'data-testid="external-course"' in shown
    assert shown.count('data-testid="training-assignment"') == 4
    assert shown.count('data-testid="training-overdue"') == 1
    assert "基礎研修" in shown and "年次研修" in shown
    assert session.place in shown


def test_only_the_persons_own_assignments(org):
    programme_for(elearning_course("EL-1"))
    Assignment.objects.filter(person=org.people["staff"]).update(status="cancelled")
    shown = panel(org)
    assert 'data-testid="training-assignment"' not in shown


def test_recent_completions_link_their_certificate(org):
    course = course_of(Course.Kind.EXTERNAL, "EXT-1")
    programme_for(course)
    completion = Completion.objects.create(person=org.people["staff"], course=course,
                                           completed_on=timezone.localdate(),
                                           source=Completion.Source.IMPORT)
    shown = panel(org)
    assert reverse("training:completion_certificate", args=[completion.pk]) in shown
    assert 'data-testid="training-assignment"' not in shown  # completed by the import


def count_queries(org) -> int:
    client = org.client("staff")
    client.get(reverse("core:my_page"))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:my_page")).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_assignments(org):
    document = PolicyDocument.objects.create(
        code="basic", kind=PolicyDocument.Kind.INTERNAL_RULE, title_ja="基本方針",
        title_en="Basic policy", owner_department=org.company)

    def one_of_each(n):
        programme_for(elearning_course(f"EL-{n}"))
        programme_for(course_of(Course.Kind.ACKNOWLEDGEMENT, f"ACK-{n}",
                                policy_document=document))
        classroom = course_of(Course.Kind.CLASSROOM, f"CR-{n}")
        ClassroomSession.objects.create(
            course=classroom, starts_at=timezone.now() + datetime.timedelta(days=n),
            ends_at=timezone.now() + datetime.timedelta(days=n, hours=1), place=f"会議室{n}")
        programme_for(classroom)
        external = course_of(Course.Kind.EXTERNAL, f"EXT-{n}")
        programme_for(external)
        Completion.objects.create(person=org.people["staff"], course=external,
                                  completed_on=timezone.localdate(),
                                  source=Completion.Source.IMPORT)
        programme_for(course_of(Course.Kind.EXTERNAL, f"EXT-open-{n}"))

    one_of_each(1)
    few = count_queries(org)
    for n in range(2, 5):
        one_of_each(n)
    assert panel(org).count('data-testid="training-assignment"') == 16
    assert count_queries(org) == few
