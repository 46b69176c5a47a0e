"""Log in and out. django-axes locks a username after repeated failures and renders
``accounts/locked.html`` (``AXES_LOCKOUT_TEMPLATE``) instead of the login form."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the navigation bar's log-out button is a small form."""
