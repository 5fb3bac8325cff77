from django import forms
from django.core.exceptions import ValidationError

from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm
from mamori.org import accounts
from mamori.org.models import Appointment, Department, Person


class DateInput(forms.DateInput):
    input_type = "date"


def departments_user_may_staff(user):
    """Departments a person may be placed in by this user: all for the CISO and
    administrators, the managed departments for an information manager."""
    roles = r.roles_for(user)
    if roles.changes_everything:
        return Department.objects.all()
    return Department.objects.filter(pk__in=roles.managed_department_ids)


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["code", "name_ja", "name_en", "parent", "is_active"]

    def limit_choices(self, user):
        roles = r.roles_for(user)
        if not roles.changes_everything:
            self.fields["parent"].queryset = Department.objects.filter(
                pk__in=roles.managed_department_ids)
            self.fields["parent"].required = True


class PersonForm(ScopedModelForm):
    class Meta:
        model = Person
        fields = ["employee_no", "name", "name_kana", "name_latin", "email", "category",
                  "department", "status", "joined_on", "left_on"]
        widgets = {"joined_on": DateInput, "left_on": DateInput}

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)

    def clean(self):
        cleaned = super().clean()
        try:
            accounts.check_may_record_leaving(self.user, self.instance, cleaned.get("status"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class AppointmentForm(ScopedModelForm):
    class Meta:
        model = Appointment
        fields = ["person", "role", "department", "start_date", "end_date", "note"]
        widgets = {"start_date": DateInput, "end_date": DateInput}

    def limit_choices(self, user):
        self.fields["person"].queryset = self.fields["person"].queryset.exclude(
            status=Person.Status.LEFT)
