"""Attendance at a classroom session, recorded by staff numbers: every line is checked before
anything is written, and one completion per person is written in the caller's transaction."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.scope import ADD, VIEW
from mamori.org.models import Person
from mamori.training.models import ClassroomSession, Completion

SEPARATORS = re.compile(r"[\s,、，]+")


def numbers_by_line(text: str) -> list[tuple[int, str]]:
    """(line number counted from 1, staff number) in the order typed, each number once."""
    seen, found = set(), []
    for line_number, line in enumerate(text.splitlines(), start=1):
        for number in SEPARATORS.split(line.strip()):
            if number and number not in seen:
                seen.add(number)
                found.append((line_number, number))
    return found


def record(user, session: ClassroomSession, text: str) -> list[Completion]:
    """One completion per staff number in `text` (source classroom, completed on the session's
    day), or a ValidationError naming every line that cannot be recorded and nothing written."""
    day = timezone.localdate(session.starts_at)
    if day > timezone.localdate():
        raise ValidationError(_("The session has not taken place yet."))
    entries = numbers_by_line(text)
    if not entries:
        raise ValidationError(_("Give the staff numbers of the people who attended."))
    numbers = [number for _line, number in entries]
    existing = set(Person.objects.filter(employee_no__in=numbers).values_list(
        "employee_no", flat=True))
    visible = {p.employee_no: p for p in Person.objects.restrict(user, VIEW).filter(
        employee_no__in=numbers)}
    recorded = set(Completion.objects.filter(session=session, person__employee_no__in=numbers)
                   .values_list("person__employee_no", flat=True))
    errors = []
    for line, number in entries:
        if number not in existing:
            errors.append(_("Line %(line)d: no person has the staff number %(number)s.")
                          % {"line": line, "number": number})
        elif number not in visible:
            errors.append(_("Line %(line)d: %(number)s is outside your scope.")
                          % {"line": line, "number": number})
        elif number in recorded:
            errors.append(_("Line %(line)d: %(person)s is already recorded for this session.")
                          % {"line": line, "person": visible[number]})
    if errors:
        raise ValidationError(errors)
    created = []
    with transaction.atomic():
        for _line, number in entries:
            completion = Completion(person=visible[number], course=session.course,
                                    completed_on=day, source=Completion.Source.CLASSROOM,
                                    session=session)
            completion.save()
            created.append(completion)
        allowed = Completion.objects.restrict(user, ADD).filter(
            pk__in=[c.pk for c in created]).count()
        if allowed != len(created):
            raise PermissionDenied(_("The change would fall outside your scope."))
    return created
