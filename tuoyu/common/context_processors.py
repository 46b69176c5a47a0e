"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    from tuoyu.registry.selectors import dataset_is_synthetic

    return {"synthetic_data": dataset_is_synthetic()}
