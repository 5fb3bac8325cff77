from mamori.core.views import generic
from mamori.org import filtersets, forms, tables
from mamori.org.models import Appointment, Department, Person


class DepartmentList(generic.ScopedListView):
    model = Department
    filterset_class = filtersets.DepartmentFilterSet
    table_class = tables.DepartmentTable
    resource_class = tables.DepartmentResource


class DepartmentDetail(generic.ScopedDetailView):
    model = Department
    fields = ["code", "name_ja", "name_en", "parent", "is_active"]

    def extra_context(self, obj):
        return {
            "related_lists": [
                (Department._meta.verbose_name_plural,
                 obj.children.restrict(self.request.user).order_by("code")),
                (Person._meta.verbose_name_plural,
                 obj.people.restrict(self.request.user).order_by("employee_no")[:200]),
                (Appointment._meta.verbose_name_plural,
                 obj.appointments.restrict(self.request.user).select_related("person")),
            ]
        }


class DepartmentCreate(generic.ScopedCreateView):
    model = Department
    form_class = forms.DepartmentForm


class DepartmentUpdate(generic.ScopedUpdateView):
    model = Department
    form_class = forms.DepartmentForm


class DepartmentDelete(generic.ScopedDeleteView):
    model = Department


class DepartmentBulkDelete(generic.ScopedBulkDeleteView):
    model = Department


class DepartmentImport(generic.ScopedImportView):
    model = Department
    form_class = forms.DepartmentForm
    resource_class = tables.DepartmentResource


class DepartmentHistory(generic.ObjectHistoryView):
    model = Department


class PersonList(generic.ScopedListView):
    model = Person
    filterset_class = filtersets.PersonFilterSet
    table_class = tables.PersonTable
    resource_class = tables.PersonResource


class PersonDetail(generic.ScopedDetailView):
    model = Person
    fields = ["employee_no", "name", "name_kana", "name_latin", "email", "category",
              "department", "status", "joined_on", "left_on", "user"]

    def extra_context(self, obj):
        return {"related_lists": [
            (Appointment._meta.verbose_name_plural,
             obj.appointments.restrict(self.request.user).select_related("department")),
        ]}


class PersonCreate(generic.ScopedCreateView):
    model = Person
    form_class = forms.PersonForm


class PersonUpdate(generic.ScopedUpdateView):
    model = Person
    form_class = forms.PersonForm


class PersonDelete(generic.ScopedDeleteView):
    model = Person


class PersonBulkDelete(generic.ScopedBulkDeleteView):
    model = Person


class PersonImport(generic.ScopedImportView):
    model = Person
    form_class = forms.PersonForm
    resource_class = tables.PersonResource


class PersonHistory(generic.ObjectHistoryView):
    model = Person


class AppointmentList(generic.ScopedListView):
    model = Appointment
    filterset_class = filtersets.AppointmentFilterSet
    table_class = tables.AppointmentTable
    resource_class = tables.AppointmentResource


class AppointmentDetail(generic.ScopedDetailView):
    model = Appointment
    fields = ["person", "role", "department", "start_date", "end_date", "note"]


class AppointmentCreate(generic.ScopedCreateView):
    model = Appointment
    form_class = forms.AppointmentForm


class AppointmentUpdate(generic.ScopedUpdateView):
    model = Appointment
    form_class = forms.AppointmentForm


class AppointmentDelete(generic.ScopedDeleteView):
    model = Appointment


class AppointmentBulkDelete(generic.ScopedBulkDeleteView):
    model = Appointment


class AppointmentImport(generic.ScopedImportView):
    model = Appointment
    form_class = forms.AppointmentForm
    resource_class = tables.AppointmentResource


class AppointmentHistory(generic.ObjectHistoryView):
    model = Appointment
