"""The back office is for the bureau: only bureau admins (and superusers) see it.

The platform's roles, not Django's per-model permissions, decide access, so bureau admins
need no permission rows. :class:`BureauAdminMixin` and :class:`ReadOnlyAdminMixin` are
shared by the registry and indicators admins.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tuoyu.accounts.models import User

admin.site.site_header = _("临海市普惠托育公共服务平台 · 后台管理")
admin.site.site_title = _("托育平台后台")
admin.site.index_title = _("市卫健局后台")


def is_bureau_admin(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_bureau_admin", False))


class BureauAdminMixin:
    """Bureau admins may view, add, change and delete; nobody else sees the model."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_bureau_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_bureau_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_bureau_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_bureau_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_bureau_admin(request)


class ReadOnlyAdminMixin(BureauAdminMixin):
    """Browse only: changes go through the registry pages and their services."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BureauAdminMixin, DjangoUserAdmin):
    list_display = ("username", "role", "township", "institution", "is_active", "last_login")
    list_filter = ("role", "is_active", "township")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("township", "institution")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("角色与范围"), {"fields": ("role", "township", "institution")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("角色与范围"), {"fields": ("role", "township", "institution", "is_staff")}),
    )
    readonly_fields = ("last_login", "date_joined")
