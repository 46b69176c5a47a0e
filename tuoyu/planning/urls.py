from django.urls import path

from tuoyu.planning import views, views_analysis

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    path("scenarios/new/", views.scenario_create, name="scenario_create"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:pk>/copy/", views.scenario_copy, name="scenario_copy"),
    path("scenarios/<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("scenarios/<int:pk>/run/", views.scenario_run, name="scenario_run"),
    path("scenarios/<int:pk>/travel-costs/", views.scenario_travel_costs, name="scenario_travel_costs"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/plan.xlsx", views.run_export, name="run_export"),
    path("compare/", views.compare, name="compare"),
    path("access/", views_analysis.access, name="access"),
    path("access/zones.<slug:fmt>", views_analysis.access_export, name="access_export"),
    path("forecast/", views_analysis.forecast, name="forecast"),
    path("zones/import/", views_analysis.zone_import, name="zone_import"),
]
