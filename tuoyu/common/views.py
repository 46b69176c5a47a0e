"""What the apps' pages share: role checks, the signed-in user, service errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from tuoyu.accounts.models import User

View = Callable[..., HttpResponseBase]


def role_required(check: Callable[[User], bool], refusal: Any) -> Callable[[View], View]:
    """Log in first; then only the users ``check`` accepts (403 with ``refusal`` for the
    others)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User) or not check(user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind a login check."""
    assert isinstance(request.user, User)
    return request.user


def error_text(error: ValidationError) -> str:
    """A service's error as one line, for a message."""
    return " ".join(error.messages)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ``ValidationError`` to the fields it names (else to the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
