from django.urls import path

from tuoyu.supervision import views_archive, views_field, views_lead, views_public

app_name = "supervision"
urlpatterns = [
    # Everyone with supervision work: a role-dependent start page.
    path("", views_lead.home, name="home"),
    # The supervision lead (and the bureau admin).
    path("checklists/", views_lead.checklist_list, name="checklists"),
    path("checklists/new/", views_lead.checklist_create, name="checklist_create"),
    path("checklists/<int:pk>/", views_lead.checklist_detail, name="checklist"),
    path("plans/", views_lead.plan_list, name="plans"),
    path("plans/new/", views_lead.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views_lead.plan_detail, name="plan"),
    path("plans/<int:pk>/publish/", views_lead.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/draw/", views_lead.plan_draw, name="plan_draw"),
    path("inspections/new/", views_lead.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/review/", views_lead.inspection_review, name="inspection_review"),
    path("inspections/export.xlsx", views_lead.inspections_export, name="inspections_export"),
    path("complaints/", views_lead.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", views_lead.complaint_detail, name="complaint"),
    path("incidents/<int:pk>/close/", views_lead.incident_close, name="incident_close"),
    path("credit/", views_archive.credit_list, name="credit"),
    path("credit/<int:institution_pk>/", views_archive.credit_detail, name="credit_institution"),
    path(
        "credit/<int:institution_pk>/events/new/",
        views_archive.credit_event_create,
        name="credit_event_create",
    ),
    path("barred/", views_archive.barred_list, name="barred"),
    path("staff/", views_archive.staff_lookup, name="staff_lookup"),
    path("conflicts/", views_archive.conflict_list, name="conflicts"),
    # Inspectors and operators.
    path("inspections/", views_field.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", views_field.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/record/", views_field.inspection_record, name="inspection_record"),
    path("inspections/<int:pk>/attachments/", views_field.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views_field.attachment_download, name="attachment"),
    path("orders/", views_field.order_list, name="orders"),
    path("orders/<int:pk>/", views_field.order_detail, name="order"),
    path("orders/<int:pk>/submit/", views_field.order_submit, name="order_submit"),
    path("orders/<int:pk>/verify/", views_field.order_verify, name="order_verify"),
    path("incidents/", views_field.incident_list, name="incidents"),
    path("incidents/new/", views_field.incident_report, name="incident_report"),
    # Everyone: complaints and the published draws (一公开).
    path("complain/", views_public.complaint_submit, name="complain"),
    path("draws/<int:pk>/", views_public.draw_page, name="draw"),
    path("draws/<int:pk>.json", views_public.draw_json, name="draw_json"),
]
