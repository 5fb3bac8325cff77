from django.urls import path

from mamori.org import views

app_name = "org"

urlpatterns = [
    path("departments/", views.DepartmentList.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreate.as_view(), name="department_create"),
    path("departments/import/", views.DepartmentImport.as_view(), name="department_import"),
    path(
        "departments/bulk-delete/",
        views.DepartmentBulkDelete.as_view(),
        name="department_bulk_delete",
    ),
    path("departments/<int:pk>/", views.DepartmentDetail.as_view(), name="department_detail"),
    path("departments/<int:pk>/edit/", views.DepartmentUpdate.as_view(), name="department_update"),
    path(
        "departments/<int:pk>/delete/", views.DepartmentDelete.as_view(), name="department_delete"
    ),
    path(
        "departments/<int:pk>/history/",
        views.DepartmentHistory.as_view(),
        name="department_history",
    ),
    path("people/", views.PersonList.as_view(), name="person_list"),
    path("people/new/", views.PersonCreate.as_view(), name="person_create"),
    path("people/import/", views.PersonImport.as_view(), name="person_import"),
    path("people/bulk-delete/", views.PersonBulkDelete.as_view(), name="person_bulk_delete"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonUpdate.as_view(), name="person_update"),
    path("people/<int:pk>/delete/", views.PersonDelete.as_view(), name="person_delete"),
    path("people/<int:pk>/history/", views.PersonHistory.as_view(), name="person_history"),
    path(
        "people/<int:pk>/account/<slug:operation>/",
        views.PersonAccountView.as_view(),
        name="person_account",
    ),
    path("appointments/", views.AppointmentList.as_view(), name="appointment_list"),
    path("appointments/new/", views.AppointmentCreate.as_view(), name="appointment_create"),
    path("appointments/import/", views.AppointmentImport.as_view(), name="appointment_import"),
    path(
        "appointments/bulk-delete/",
        views.AppointmentBulkDelete.as_view(),
        name="appointment_bulk_delete",
    ),
    path("appointments/<int:pk>/", views.AppointmentDetail.as_view(), name="appointment_detail"),
    path(
        "appointments/<int:pk>/edit/", views.AppointmentUpdate.as_view(), name="appointment_update"
    ),
    path(
        "appointments/<int:pk>/delete/",
        views.AppointmentDelete.as_view(),
        name="appointment_delete",
    ),
    path(
        "appointments/<int:pk>/history/",
        views.AppointmentHistory.as_view(),
        name="appointment_history",
    ),
]
