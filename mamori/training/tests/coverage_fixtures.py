"""Programmes and assignments for the coverage, conformance and reminder tests."""

import datetime

from django.utils import timezone

from mamori.org.models import Person
from mamori.training import assign
from mamori.training.models import Assignment, Completion, Course, Programme


def course(code="ISMS-BASIC"):
    return Course.objects.create(code=code, title_ja="基礎", title_en="Basics",
                                 kind=Course.Kind.EXTERNAL)


def programme(code="basic", *, mandatory=True, recurrence=Programme.Recurrence.YEARLY,
              roles=(), categories=(), due_days=30, starts_on=None, sync=True):
    made = Programme.objects.create(
        code=code, title_ja=f"研修 {code}", title_en=f"Training {code}",
        course=course(code.upper()), mandatory=mandatory, recurrence=recurrence,
        roles=list(roles), categories=list(categories), due_days=due_days,
        starts_on=starts_on or datetime.date(2020, 1, 1))
    if sync:
        assign.sync_programme(made)
    return made


def complete(programme, *people):
    for person in people:
        Completion.objects.create(person=person, course=programme.course,
                                  completed_on=timezone.localdate())


def add_people(org, count, category, department, prefix="X"):
    """`count` more people (without accounts) of `category` in `department`."""
    start = Person.objects.count()
    return [Person.objects.create(employee_no=f"{prefix}{start + i:05d}", name=f"追加 {i}",
                                  name_latin=f"Extra {i}", category=category,
                                  department=department) for i in range(count)]


def assignment_of(programme, person):
    return Assignment.objects.get(programme=programme, person=person)
