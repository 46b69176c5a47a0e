"""The JSON API: one ninja Router per app, combined under /api/v1/.

Schema at ``/api/openapi.json``, interactive docs at ``/api/docs``. Authentication is the
Django session, with CSRF checked on unsafe methods; an endpoint that publishes only
aggregates (the indicators) opts out with ``auth=None``.

Errors share one shape: ``{"detail": "..."}`` for 401, 403 and 404, and
``{"detail": [{"field": ..., "message": ...}]}`` for 422, whether the input failed the
schema (a bad date in a query parameter) or a service's validation (enrolled > slots).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import SessionAuth

from tuoyu.accounts.api import router as accounts_router
from tuoyu.enrollment.api import router as enrollment_router
from tuoyu.indicators.api import router as indicators_router
from tuoyu.planning.api import router as planning_router
from tuoyu.planning.api_analysis import router as planning_analysis_router
from tuoyu.portal.api import router as portal_router
from tuoyu.registry.api import router as registry_router
from tuoyu.supervision.api import router as supervision_router

api = NinjaAPI(
    title="tuoyu 临海市普惠托育公共服务平台 API",
    version="1",
    description="临海市普惠托育公共服务平台的 JSON 接口 / JSON API of the Linhai public childcare platform. "
    "Dates are ISO 8601 (YYYY-MM-DD). Log in through the site; unsafe methods need the CSRF token "
    "(X-CSRFToken header).",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=SessionAuth(csrf=True),
)
api.add_router("/v1/", indicators_router)
api.add_router("/v1/", registry_router)
api.add_router("/v1/", planning_router)
api.add_router("/v1/", planning_analysis_router)
api.add_router("/v1/", portal_router)
api.add_router("/v1/", enrollment_router)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", supervision_router)

_LOCATIONS = {"query", "path", "body", "header", "cookie", "form", "file"}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """The parameter or body field an error is about: ``("query", "as_of")`` -> ``as_of``,
    ``("body", "payload", "enrolled")`` -> ``enrolled``."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        location = parts.pop(0)
        if location == "body" and len(parts) > 1:
            parts.pop(0)  # the name of the view's body argument
    return ".".join(str(part) for part in parts) or "body"


@api.exception_handler(SchemaValidationError)
def schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    detail = [
        {"field": _field_of(error.get("loc", ())), "message": error.get("msg", "")} for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(ValidationError)
def service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail = [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"field": None, "message": message} for message in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("您无权执行此操作。")}, status=403)
