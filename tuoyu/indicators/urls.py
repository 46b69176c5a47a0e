from django.urls import path

from tuoyu.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figure/<slug:code>/", views.figure, name="figure"),
    path("township/<slug:code>/", views.township, name="township"),
    path("export/townships.<slug:fmt>", views.township_export, name="township_export"),
]
