from mamori.core.api.viewsets import ScopedModelViewSet
from mamori.org import filtersets
from mamori.org.api import serializers
from mamori.org.models import Appointment, Department, Person


class DepartmentViewSet(ScopedModelViewSet):
    model = Department
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet


class PersonViewSet(ScopedModelViewSet):
    model = Person
    serializer_class = serializers.PersonSerializer
    filterset_class = filtersets.PersonFilterSet


class AppointmentViewSet(ScopedModelViewSet):
    model = Appointment
    serializer_class = serializers.AppointmentSerializer
    filterset_class = filtersets.AppointmentFilterSet
