"""The published lottery: a page and a file for everyone, drafts not found, no names.

``MATRIX`` is read by ``tuoyu/tests/test_url_coverage.py``. Its kwargs factories build the
round they need with the bureau admin of ``role_clients``: ``_open`` an open round,
``_drawn`` an allocated one in which the ``public`` parent's child applied, ``_draft`` a
draft (not published, so not found even for the bureau).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.conftest import ROLES, SmallRegistry
from tuoyu.engine import lottery
from tuoyu.enrollment import selectors, services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import Round
from tuoyu.enrollment.tests.conftest import Enrollment, make_child

ALL_OK = dict.fromkeys(ROLES, 200)
ALL_NOT_FOUND = dict.fromkeys(ROLES, 404)
SEPTEMBER = dt.date(2026, 9, 1)


def _round(registry: SmallRegistry, *, name: str = "示例 2026 秋季统一报名") -> Round:
    now = timezone.now()
    return services.round_create(
        actor=User.objects.get(username="admin"),
        name=name,
        first_start_month=SEPTEMBER,
        last_start_month=dt.date(2027, 3, 1),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        priority_rules=["hardship", "sibling", "resident"],
    )


def _opened(registry: SmallRegistry) -> Round:
    round_ = _round(registry)
    services.round_open(actor=User.objects.get(username="admin"), round_=round_)
    return round_


def _drawn_round(registry: SmallRegistry) -> Round:
    admin = User.objects.get(username="admin")
    parent = User.objects.get(username="public")
    round_ = _opened(registry)
    child = make_child(
        guardian=parent,
        name="张小宝",
        birth=dt.date(2025, 3, 10),
        serial=501,
        township_id=registry.township_a.pk,
    )
    place = round_.places.get(institution=registry.nursery_a, class_type="toddler")
    services.application_submit(
        actor=parent, round_=round_, child=child, start_month=SEPTEMBER, places=[place]
    )
    services.round_close(actor=admin, round_=round_)
    round_allocate(actor=admin, round_=round_)
    round_.refresh_from_db()
    return round_


def _draft(registry: SmallRegistry) -> dict[str, Any]:
    return {"pk": _round(registry, name="草稿轮次").pk}


def _open(registry: SmallRegistry) -> dict[str, Any]:
    return {"pk": _opened(registry).pk}


def _drawn(registry: SmallRegistry) -> dict[str, Any]:
    return {"pk": _drawn_round(registry).pk}


MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    ("enrollment:lottery", _open, "get", ALL_OK),
    ("enrollment:lottery", _drawn, "get", ALL_OK),
    ("enrollment:lottery", _draft, "get", ALL_NOT_FOUND),
    ("enrollment:lottery", lambda r: {"pk": 999999}, "get", ALL_NOT_FOUND),
    ("enrollment:lottery_json", _open, "get", ALL_OK),
    ("enrollment:lottery_json", _drawn, "get", ALL_OK),
    ("enrollment:lottery_json", _draft, "get", ALL_NOT_FOUND),
    ("enrollment:lottery_json", lambda r: {"pk": 999999}, "get", ALL_NOT_FOUND),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "kwargs_factory", "method", "expected"),
    MATRIX,
    ids=[f"{name}-{method}-{index}" for index, (name, _k, method, _e) in enumerate(MATRIX)],
)
def test_each_role_gets_the_expected_status(
    role: str,
    url_name: str,
    kwargs_factory: Callable[[SmallRegistry], dict[str, Any]],
    method: str,
    expected: dict[str, int],
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(reverse(url_name, kwargs=kwargs_factory(registry)))
    assert response.status_code == expected[role]


def _page(client: Client, round_: Round) -> str:
    response = client.get(reverse("enrollment:lottery", kwargs={"pk": round_.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_before_the_draw_the_page_publishes_the_rules_and_the_commitment_only(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _opened(registry)
    content = _page(role_clients["anonymous"], round_)
    assert "示例 2026 秋季统一报名" in content
    assert 'id="round-status">报名中<' in content
    rules = re.search(r'<ol class="mb-0" id="priority-rules">(.*?)</ol>', content, re.S)
    assert rules is not None
    items = re.findall(r"<li>(.*?)</li>", rules.group(1))
    assert items[:3] == ["困境婴幼儿（经认定）", "兄弟姐妹在该机构在托", "居住在机构所在镇（街道）"]
    assert "抽签序号" in items[3]
    assert round_.commitment in content
    assert 'id="not-drawn"' in content
    assert 'id="seed"' not in content and 'id="rank-table"' not in content
    assert services.round_seed(round_) not in content


@pytest.mark.django_db
def test_after_the_draw_the_page_shows_the_seed_and_the_ranks_without_names(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _drawn_round(registry)
    content = _page(role_clients["anonymous"], round_)
    application = round_.applications.get()
    assert 'id="round-status">已分配<' in content
    for value in (round_.commitment, round_.seed, round_.roster_hash, "tuoyu-lottery-1"):
        assert value in content
    table = re.search(
        r'<div class="table-responsive">\s*<table [^>]*id="rank-table">(.*?)</table>', content, re.S
    )
    assert table is not None, "the rank table scrolls inside .table-responsive on a phone"
    assert re.findall(r'<td class="num">(\d+)</td><td><code>([^<]+)</code>', table.group(1)) == [
        ("1", application.reference)
    ]
    for name in ("张小宝", "张**"):
        assert name not in content
    assert 'name="viewport" content="width=device-width' in content


@pytest.mark.django_db
def test_the_page_tells_how_to_verify_and_what_it_proves(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _drawn_round(registry)
    content = _page(role_clients["public"], round_)
    assert "下载 JSON，运行" in content
    assert "python tools/verify_lottery.py lottery.json --commitment &lt;承诺值&gt;" in content
    assert "抽签种子在报名截止之前就已确定" in content
    assert "任何人都无法挑选或调整抽签顺序" in content
    assert f'href="{reverse("enrollment:lottery_json", kwargs={"pk": round_.pk})}"' in content


@pytest.mark.django_db
def test_the_json_is_the_published_lottery_and_it_verifies(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _drawn_round(registry)
    response = role_clients["anonymous"].get(reverse("enrollment:lottery_json", kwargs={"pk": round_.pk}))
    assert response["Content-Type"] == "application/json"
    assert 'filename="lottery.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data == selectors.round_lottery_published(round_)
    assert lottery.lottery_verify(data, noted_commitment=round_.commitment) == []
    assert set(data) == {
        "round",
        "name",
        "algorithm",
        "commitment",
        "seed",
        "roster_hash",
        "references",
        "ranks",
    }
    assert "张小宝" not in response.content.decode()


@pytest.mark.django_db
def test_before_the_draw_the_json_holds_the_commitment_only(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _opened(registry)
    response = role_clients["admin"].get(reverse("enrollment:lottery_json", kwargs={"pk": round_.pk}))
    assert response.json() == {"round": round_.pk, "name": round_.name, "commitment": round_.commitment}


@pytest.mark.django_db
def test_the_portal_invites_parents_to_an_open_round(client: Client, open_round: Enrollment) -> None:
    content = client.get(reverse("portal:index")).content.decode()
    assert f'data-open-round="{open_round.round.pk}"' in content
    assert reverse("enrollment:home") in content
