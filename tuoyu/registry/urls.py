from django.urls import path

from tuoyu.registry import views

app_name = "registry"

_institution = "institutions/<int:pk>/"
urlpatterns = [
    path("townships/boundaries/import/", views.boundary_import, name="boundary_import"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/export.<slug:fmt>", views.institution_export, name="institution_export"),
    path(_institution, views.institution_detail, name="institution_detail"),
    path(_institution + "classes/new/", views.class_create, name="class_create"),
    path(_institution + "classes/<int:class_pk>/edit/", views.class_update, name="class_update"),
    path(_institution + "classes/<int:class_pk>/delete/", views.class_delete, name="class_delete"),
    path(_institution + "fees/new/", views.fee_create, name="fee_create"),
    path(_institution + "fees/<int:fee_pk>/edit/", views.fee_update, name="fee_update"),
    path(_institution + "fees/<int:fee_pk>/delete/", views.fee_delete, name="fee_delete"),
    path(_institution + "staff/hire/", views.staff_hire, name="staff_hire"),
    path(_institution + "staff/<int:employment_pk>/edit/", views.staff_update, name="staff_update"),
    path(_institution + "staff/<int:employment_pk>/end/", views.employment_end, name="employment_end"),
    path(
        _institution + "staff/<int:employment_pk>/certificates/new/",
        views.certificate_add,
        name="certificate_add",
    ),
    path(
        _institution + "staff/<int:employment_pk>/certificates/<int:certificate_pk>/delete/",
        views.certificate_delete,
        name="certificate_delete",
    ),
]
