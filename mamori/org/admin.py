from django.contrib import admin

from mamori.core.admin import ScopedAdmin
from mamori.org.models import Appointment, Department, Person


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "name_en", "parent", "is_active")
    search_fields = ("code", "name_ja", "name_en")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("employee_no", "name", "category", "department", "status")
    list_filter = ("category", "status")
    search_fields = ("employee_no", "name", "name_kana", "name_latin")


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin):
    list_display = ("role", "department", "person", "start_date", "end_date")
    list_filter = ("role",)
