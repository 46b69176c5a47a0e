"""The JSON API: one ninja Router per app, combined under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import SessionAuth

from tuoyu.indicators.api import router as indicators_router
from tuoyu.registry.api import router as registry_router

api = NinjaAPI(
    title="tuoyu 临海市普惠托育公共服务平台 API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=SessionAuth(),
)
api.add_router("/v1/", indicators_router)
api.add_router("/v1/", registry_router)
