"""Conformance checks for policy Art 2-4 (organisation)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.conformance import Result, register, tally
from mamori.org.models import Appointment, Department, Person


@register(
    "org.art2.person_classified",
    article="2",
    title=_("Every active person has a category and a department"),
    description=_("The policy binds officers, executive officers, employees and dispatched "
                  "workers; to know who is bound, each active person needs a category and "
                  "a department."),
)
def person_classified() -> Result:
    active = Person.objects.exclude(status=Person.Status.LEFT)
    unclassified = Q(category="") | Q(department__isnull=True)
    total, missing = tally(active, unclassified)
    return Result.every_one_of(total, active.filter(unclassified), missing)


def current_information_managers():
    return Appointment.objects.current().filter(
        role=Appointment.Role.INFORMATION_MANAGER
    ).exclude(person__status=Person.Status.LEFT)


@register(
    "org.art3.information_manager",
    article="3",
    title=_("Every active department has a current information manager"),
    description=_("The head of each department is appointed the person responsible for "
                  "information management in that department."),
)
def department_has_manager() -> Result:
    active = Department.objects.active()
    unmanaged = ~Q(pk__in=current_information_managers().values("department_id"))
    total, missing = tally(active, unmanaged)
    return Result.every_one_of(total, active.filter(unmanaged), missing)


@register(
    "org.art4.one_ciso",
    article="4",
    title=_("Exactly one current CISO"),
    description=_("A Chief Information Security Officer is appointed, and only one at a time."),
)
def one_ciso() -> Result:
    current = Appointment.objects.current().filter(role=Appointment.Role.CISO).exclude(
        person__status=Person.Status.LEFT
    ).select_related("person")
    count = current.count()
    result = Result.from_failing(current if count > 1 else current.none(), value=count,
                                 threshold=1, passed=count == 1)
    if count == 0:
        result.detail = str(_("No CISO is currently appointed."))
    return result
