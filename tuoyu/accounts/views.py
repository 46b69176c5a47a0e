"""Log in and out; parents sign up and reset their password with their mobile number.

django-axes locks a username after repeated failures and renders ``accounts/locked.html``
(``AXES_LOCKOUT_TEMPLATE``) instead of the login form.

Sign-up and password reset are one page each, in two steps: the mobile number and
"获取验证码" (``action=send``), then the code and the new password (``action=register`` or
``action=reset``). Both are for visitors; a logged-in user is sent to the home page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tuoyu.accounts import services
from tuoyu.accounts.forms import PhoneCodeForm, PhoneForm
from tuoyu.accounts.models import PhoneCodePurpose, Role, User
from tuoyu.common.sms import backend_is_console
from tuoyu.common.views import add_service_error


def home_url_for(user: object) -> str:
    """Where a user lands without a ``next``: parents (the public role) on their enrollment
    page, staff on the dashboard."""
    if isinstance(user, User) and user.role == Role.PUBLIC and not user.is_superuser:
        return reverse("enrollment:home")
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return home_url_for(self.request.user)


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the navigation bar's log-out button is a small form."""


def _phone_masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


class PhoneCodeView(View):
    """The two-step page; subclasses name the purpose and what step 2 does."""

    template_name = ""
    purpose: str = ""
    confirm_action = ""
    title: Any = ""

    def complete(self, data: dict[str, Any]) -> User:
        raise NotImplementedError

    def sent_notice(self, phone: str) -> str:
        raise NotImplementedError

    def success_message(self) -> str:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def _next(self, request: HttpRequest) -> str:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return ""

    def _render(self, request: HttpRequest, **context: Any) -> HttpResponse:
        context.setdefault("step", "phone")
        context.setdefault("form", PhoneForm())
        context.update(
            title=self.title,
            confirm_action=self.confirm_action,
            next=self._next(request),
            sms_console_note=backend_is_console() and settings.TUOYU_ENV == "demo",
        )
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        if action == self.confirm_action:
            return self._confirm(request)
        return self._send(request)

    def _send(self, request: HttpRequest) -> HttpResponse:
        form = PhoneForm(request.POST)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                services.phone_code_send(phone=phone, purpose=self.purpose)
            except ValidationError as error:
                if request.POST.get("step") == "code":
                    # "重新获取验证码" refused (too soon, say): the code already sent still
                    # works, so the parent stays on step 2 and reads why.
                    return self._render(
                        request,
                        step="code",
                        form=PhoneCodeForm(initial={"phone": phone}),
                        resend_errors=error.messages,
                    )
                add_service_error(form, error)
            else:
                return self._render(
                    request,
                    step="code",
                    form=PhoneCodeForm(initial={"phone": phone}),
                    notice=self.sent_notice(phone),
                )
        return self._render(request, form=form)

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        form = PhoneCodeForm(request.POST)
        if form.is_valid():
            try:
                user = self.complete(form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, self.success_message())
                return HttpResponseRedirect(self._next(request) or home_url_for(request.user))
        if form.has_error("phone"):
            # The number itself is refused (already registered, say): back to step 1.
            step1 = PhoneForm({"phone": request.POST.get("phone", "")})
            if step1.is_valid():
                step1.add_error("phone", form.errors["phone"])
            return self._render(request, form=step1)
        return self._render(request, step="code", form=form)


class RegisterView(PhoneCodeView):
    template_name = "accounts/register.html"
    purpose = PhoneCodePurpose.REGISTER
    confirm_action = "register"
    title = gettext_lazy("家长注册")

    def complete(self, data: dict[str, Any]) -> User:
        return services.parent_register(phone=data["phone"], code=data["code"], password=data["password"])

    def sent_notice(self, phone: str) -> str:
        return _("验证码已发送至 %(phone)s，%(minutes)s 分钟内有效。") % {
            "phone": _phone_masked(phone),
            "minutes": services.code_valid_minutes(),
        }

    def success_message(self) -> str:
        return _("注册成功，已为您登录。以后请用手机号码和密码登录。")


class PasswordResetView(PhoneCodeView):
    template_name = "accounts/password_reset.html"
    purpose = PhoneCodePurpose.RESET_PASSWORD
    confirm_action = "reset"
    title = gettext_lazy("找回密码")

    def complete(self, data: dict[str, Any]) -> User:
        return services.password_reset_by_phone(
            phone=data["phone"], code=data["code"], password=data["password"]
        )

    def sent_notice(self, phone: str) -> str:
        # The same words whether or not the number has an account.
        return _("如果 %(phone)s 已注册家长账户，验证码短信已发送，%(minutes)s 分钟内有效。") % {
            "phone": _phone_masked(phone),
            "minutes": services.code_valid_minutes(),
        }

    def success_message(self) -> str:
        return _("密码已重置，已为您登录。")
