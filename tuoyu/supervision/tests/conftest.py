"""Supervision fixtures on top of the small registry.

* ``checklist``: four items — F1 fire (critical), H1 health (major), C1 CCTV kept 90 days
  (major), P1 premises (minor);
* inspectors: ``inspector_user`` (township A, from the shared fixtures) and
  ``inspector_b1``, ``inspector_b2`` (township B);
* ``assigned``: a complaint inspection of ``nursery_a`` (township A) assigned to the two
  inspectors of B, as the lead would create it;
* ``recorded``: that inspection recorded with F1 compliant, H1 violated, C1 violated, P1
  not applicable, submitted and published — so two rectification orders exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, SmallRegistry
from tuoyu.supervision import services
from tuoyu.supervision.models import Checklist, Inspection

ITEMS = [
    {"code": "F1", "category": "fire", "text": "消防通道畅通，灭火器在有效期内", "severity": "critical"},
    {"code": "H1", "category": "health", "text": "落实晨午检和消毒记录", "severity": "major"},
    {
        "code": "C1",
        "category": "cctv",
        "text": "婴幼儿活动区域视频监控全覆盖，保存不少于 90 天",
        "severity": "major",
    },
    {"code": "P1", "category": "premises", "text": "室内外场地设施完好", "severity": "minor"},
]


@dataclass
class Supervision:
    registry: SmallRegistry
    checklist: Checklist
    inspection: Inspection
    inspector_b1: User
    inspector_b2: User


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Attachments are written under ``VAR_DIR/private``: a temporary one in tests."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def checklist(admin_user: User) -> Checklist:
    return services.checklist_create(actor=admin_user, name="托育机构安全检查表（示例）", items=ITEMS)


@pytest.fixture
def inspector_b1(registry: SmallRegistry) -> User:
    return User.objects.create_user(
        username="inspector-b1", password=PASSWORD, role=Role.INSPECTOR, township=registry.township_b
    )


@pytest.fixture
def inspector_b2(registry: SmallRegistry) -> User:
    return User.objects.create_user(
        username="inspector-b2", password=PASSWORD, role=Role.INSPECTOR, township=registry.township_b
    )


@pytest.fixture
def assigned(
    registry: SmallRegistry, admin_user: User, checklist: Checklist, inspector_b1: User, inspector_b2: User
) -> Supervision:
    inspection = services.inspection_create(
        actor=admin_user,
        institution=registry.nursery_a,
        kind="complaint",
        checklist=checklist,
        due_on=timezone.localdate() + dt.timedelta(days=14),
        inspectors=[inspector_b1, inspector_b2],
    )
    return Supervision(registry, checklist, inspection, inspector_b1, inspector_b2)


def item_id(checklist: Checklist, code: str) -> int:
    return checklist.items.get(code=code).pk


@pytest.fixture
def recorded(assigned: Supervision, admin_user: User) -> Supervision:
    checklist = assigned.checklist
    services.inspection_record(
        actor=assigned.inspector_b1,
        inspection=assigned.inspection,
        inspected_on=timezone.localdate(),
        results={
            item_id(checklist, "F1"): ("compliant", ""),
            item_id(checklist, "H1"): ("violation", "缺少 11 月消毒记录"),
            item_id(checklist, "C1"): ("violation", "午睡室无监控"),
            item_id(checklist, "P1"): ("not_applicable", ""),
        },
        summary="示例检查",
        submit=True,
    )
    services.inspection_publish(actor=admin_user, inspection=assigned.inspection)
    assigned.inspection.refresh_from_db()
    return assigned
