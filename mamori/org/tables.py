from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, Resource, Table
from mamori.org.models import Appointment, Department, Person


class DepartmentTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("parent", order_by="parent__code"),
        Column("is_active"),
    ]
    select_related = ("parent",)
    default_ordering = "code"


class DepartmentResource(Resource):
    model = Department
    fields = ["code", "name_ja", "name_en", "parent", "is_active"]
    key = "code"
    natural_keys = {"parent": "code"}
    select_related = ("parent",)


class PersonTable(Table):
    columns = [
        Column("employee_no", link=True),
        Column("name", link=True),
        Column("name_latin"),
        Column("category"),
        Column("department", order_by="department__code"),
        Column("status"),
    ]
    select_related = ("department",)
    default_ordering = "employee_no"


class PersonResource(Resource):
    model = Person
    fields = ["employee_no", "name", "name_kana", "name_latin", "email", "category",
              "department", "status", "joined_on", "left_on"]
    key = "employee_no"
    natural_keys = {"department": "code"}
    select_related = ("department",)


class AppointmentTable(Table):
    columns = [
        Column("role", link=True),
        Column("department", order_by="department__code"),
        Column("person", order_by="person__employee_no"),
        Column("start_date"),
        Column("end_date"),
    ]
    select_related = ("person", "department")
    default_ordering = "-start_date"


class AppointmentResource(Resource):
    model = Appointment
    fields = ["person", "role", "department", "start_date", "end_date", "note"]
    key = None  # appointments are only added by import; overlaps are refused row by row
    natural_keys = {"person": "employee_no", "department": "code"}
    select_related = ("person", "department")
