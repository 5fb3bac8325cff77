"""Who is told: the current CISO, and the information managers answering for a department."""

from mamori.org.models import Appointment, Person


def cisos():
    return Person.objects.filter(
        pk__in=Appointment.objects.current().filter(role=Appointment.Role.CISO)
        .values("person_id")).exclude(status=Person.Status.LEFT)


def department_managers(department):
    """The information managers of the department or of a department above it."""
    chain = []
    while department is not None and department.pk not in chain:
        chain.append(department.pk)
        department = department.parent
    return Person.objects.filter(pk__in=Appointment.objects.current().filter(
        role=Appointment.Role.INFORMATION_MANAGER, department__in=chain).values("person_id")
    ).exclude(status=Person.Status.LEFT)
