import re

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.conftest import AS_OF, SmallRegistry
from tuoyu.indicators import views


def _township_order(html: str) -> list[str]:
    return re.findall(r'<tr data-township="(\d+)"', html)


@pytest.mark.django_db
def test_the_township_table_sorts_by_a_figure_on_the_server(registry: SmallRegistry) -> None:
    url = reverse("indicators:dashboard")
    # Township A's slots are all 普惠 (share 1.0); township B's family point is not (0.0).
    ascending = Client().get(url, {"as_of": AS_OF.isoformat(), "sort": "puhui_share"}).content.decode()
    descending = (
        Client()
        .get(url, {"as_of": AS_OF.isoformat(), "sort": "puhui_share", "order": "desc"})
        .content.decode()
    )
    assert _township_order(ascending) == [registry.township_b.code, registry.township_a.code]
    assert _township_order(descending) == [registry.township_a.code, registry.township_b.code]
    assert 'aria-sort="descending"' in descending


@pytest.mark.django_db
def test_an_unknown_sort_falls_back_to_the_township_code(registry: SmallRegistry) -> None:
    html = Client().get(reverse("indicators:dashboard"), {"sort": "nonsense"}).content.decode()
    assert _township_order(html) == [registry.township_a.code, registry.township_b.code]


@pytest.mark.django_db
def test_the_township_table_is_paginated(registry: SmallRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "TOWNSHIP_PAGE_SIZE", 1)
    url = reverse("indicators:dashboard")
    first = Client().get(url, {"as_of": AS_OF.isoformat()}).content.decode()
    second = Client().get(url, {"as_of": AS_OF.isoformat(), "page": "2"}).content.decode()
    assert _township_order(first) == [registry.township_a.code]
    assert _township_order(second) == [registry.township_b.code]
    assert 'rel="next"' in first
    # The charts still carry every township, whatever page the table shows.
    assert registry.township_b.code in first.split('id="chart-data"')[1]
