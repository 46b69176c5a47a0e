"""Every page has a permission test: a URL added without one fails here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from tuoyu.accounts.tests.test_views import MATRIX as ACCOUNTS_MATRIX
from tuoyu.enrollment.tests.test_views_parent import MATRIX as ENROLLMENT_PARENT_MATRIX
from tuoyu.enrollment.tests.test_views_public import MATRIX as ENROLLMENT_PUBLIC_MATRIX
from tuoyu.enrollment.tests.test_views_staff import MATRIX as ENROLLMENT_STAFF_MATRIX
from tuoyu.indicators.tests.test_views import MATRIX as INDICATORS_MATRIX
from tuoyu.planning.tests.test_views import MATRIX as PLANNING_MATRIX
from tuoyu.planning.tests.test_views_analysis import MATRIX as ANALYSIS_MATRIX
from tuoyu.portal.tests.test_views import MATRIX as PORTAL_MATRIX
from tuoyu.registry.tests.test_views import MATRIX as REGISTRY_MATRIX
from tuoyu.supervision.tests.test_views_field import MATRIX as SUPERVISION_FIELD_MATRIX
from tuoyu.supervision.tests.test_views_lead import MATRIX as SUPERVISION_LEAD_MATRIX
from tuoyu.supervision.tests.test_views_public import MATRIX as SUPERVISION_PUBLIC_MATRIX

# Served by Django or django-ninja and tested elsewhere: the admin by Django itself, the
# API by tuoyu/tests/test_api_permissions.py (whose own check covers every API path).
NOT_PAGES = ("admin", "api", "set_language", "home")


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_named_page_has_a_row_in_a_permission_matrix() -> None:
    pages = {name for name in _names(get_resolver()) if name.split(":")[0] not in NOT_PAGES}
    matrices = (
        ACCOUNTS_MATRIX,
        INDICATORS_MATRIX,
        REGISTRY_MATRIX,
        PLANNING_MATRIX,
        ANALYSIS_MATRIX,
        PORTAL_MATRIX,
        ENROLLMENT_PARENT_MATRIX,
        ENROLLMENT_STAFF_MATRIX,
        ENROLLMENT_PUBLIC_MATRIX,
        SUPERVISION_LEAD_MATRIX,
        SUPERVISION_FIELD_MATRIX,
        SUPERVISION_PUBLIC_MATRIX,
    )
    tested = {row[0] for matrix in matrices for row in matrix}
    assert pages - tested == set(), "pages without a permission test"
