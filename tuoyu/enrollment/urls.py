from django.urls import path

from tuoyu.enrollment import views_parent, views_public, views_staff

app_name = "enrollment"
urlpatterns = [
    # Parents.
    path("", views_parent.home, name="home"),
    path("children/add/", views_parent.child_add, name="child_add"),
    path("rounds/<int:round_pk>/apply/<int:child_pk>/", views_parent.apply, name="apply"),
    path("applications/<int:pk>/", views_parent.application_detail, name="application"),
    path("applications/<int:pk>/withdraw/", views_parent.application_withdraw, name="application_withdraw"),
    path("offers/<int:pk>/respond/", views_parent.offer_respond, name="offer_respond"),
    # The bureau, townships and institutions.
    path("rounds/", views_staff.round_list, name="rounds"),
    path("rounds/new/", views_staff.round_create, name="round_create"),
    path("rounds/<int:pk>/", views_staff.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", views_staff.round_edit, name="round_edit"),
    path("rounds/<int:pk>/places/<int:place_pk>/", views_staff.round_place, name="round_place"),
    path("rounds/<int:pk>/open/", views_staff.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", views_staff.round_close, name="round_close"),
    path("rounds/<int:pk>/allocate/", views_staff.round_allocate, name="round_allocate"),
    path("rounds/<int:pk>/follow-up/", views_staff.round_follow_up, name="round_follow_up"),
    path("rounds/<int:pk>/export.xlsx", views_staff.round_export, name="round_export"),
    path("institution/", views_staff.institution_applicants, name="institution"),
    path("offers/<int:pk>/enroll/", views_staff.offer_enroll, name="offer_enroll"),
    path("hardship/", views_staff.hardship_list, name="hardship"),
    path("hardship/<int:child_pk>/", views_staff.hardship_review, name="hardship_review"),
    # Everyone: the published lottery of a round.
    path("lottery/<int:pk>/", views_public.lottery_page, name="lottery"),
    path("lottery/<int:pk>.json", views_public.lottery_json, name="lottery_json"),
]
