from django.urls import path

from tuoyu.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
]
