from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tuoyu.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="indicators:dashboard", permanent=False), name="home"),
    path("accounts/", include("tuoyu.accounts.urls")),
    path("registry/", include("tuoyu.registry.urls")),
    path("indicators/", include("tuoyu.indicators.urls")),
    path("planning/", include("tuoyu.planning.urls")),
    path("portal/", include("tuoyu.portal.urls")),
    path("enrollment/", include("tuoyu.enrollment.urls")),
    path("supervision/", include("tuoyu.supervision.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
