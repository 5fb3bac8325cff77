from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.core.scope import VIEW
from mamori.core.views import generic
from mamori.org import accounts, filtersets, forms, tables
from mamori.org.models import Appointment, Department, Person


class DepartmentList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The company's departments; the head of each is its information manager (policy "
        "Art. 3).")
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
    purpose = gettext_lazy(
        "Officers, employees, dispatched workers and contractor staff who must follow "
        "the policy (policy Art. 2).")
    model = Person
    filterset_class = filtersets.PersonFilterSet
    table_class = tables.PersonTable
    resource_class = tables.PersonResource


class PersonDetail(generic.ScopedDetailView):
    model = Person
    fields = ["employee_no", "name", "name_kana", "name_latin", "email", "category",
              "department", "status", "joined_on", "left_on", "user"]

    template_name = "org/person_detail.html"

    def extra_context(self, obj):
        return {
            "related_lists": [
                (Appointment._meta.verbose_name_plural,
                 obj.appointments.restrict(self.request.user).select_related("department")),
            ],
            "manages_accounts": accounts.may_manage_accounts(self.request.user),
        }


class PersonAccountView(generic.ModelActionView):
    """POST open / close: an administrator opens or closes the person's login account."""

    model = Person
    template_name = "org/account_opened.html"

    def post(self, request, *args, **kwargs):
        person = self.get_object(VIEW)
        try:
            if kwargs["operation"] == "open":
                user, password = accounts.open_account(request.user, person)
                return self.render_to_response(self.base_context(
                    object=person, account=user, password=password))
            accounts.close_account(request.user, person)
            messages.success(request, _("The login account was deactivated."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(person.get_absolute_url())


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
