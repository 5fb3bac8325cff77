from rest_framework import serializers

from mamori.core.api.viewsets import ScopedModelSerializer
from mamori.org import accounts
from mamori.org.models import Appointment, Department, Person


class DepartmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name_ja", "name_en", "parent", "is_active"]


class PersonSerializer(ScopedModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "employee_no", "name", "name_kana", "name_latin", "email", "category",
                  "department", "status", "joined_on", "left_on", "user"]
        read_only_fields = ["user"]

    def validate(self, attrs):
        if self.instance is not None and "status" in attrs:
            accounts.check_may_record_leaving(self.context["request"].user, self.instance,
                                              attrs["status"])
        return super().validate(attrs)


class AppointmentSerializer(ScopedModelSerializer):
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "person", "role", "department", "start_date", "end_date", "note",
                  "is_current"]
