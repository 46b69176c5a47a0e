"""Checklists (data the bureau edits) and inspectors' declared conflicts of interest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.common.audit import audited_change
from tuoyu.registry.models import Institution
from tuoyu.supervision.models import (
    Category,
    Checklist,
    ChecklistItem,
    InspectorConflict,
    Severity,
)
from tuoyu.supervision.services.common import _require_supervisor, is_supervisor


def checklist_create(*, actor: User, name: str, items: Sequence[Mapping[str, Any]]) -> Checklist:
    """A checklist with its items (code, category, text, severity), all or nothing; an
    error names the item row (``items.3.severity``)."""
    _require_supervisor(actor)
    if not name.strip():
        raise ValidationError({"name": _("请填写检查表名称。")})
    if not items:
        raise ValidationError({"items": _("检查表至少需要一个检查项。")})
    errors: dict[str, str] = {}
    codes: set[str] = set()
    for row, item in enumerate(items, 1):
        code = str(item.get("code", "")).strip()
        if not code:
            errors[f"items.{row}.code"] = _("第 %(row)d 项缺少编号。") % {"row": row}
        elif code in codes:
            errors[f"items.{row}.code"] = _("第 %(row)d 项的编号 %(code)s 重复。") % {
                "row": row,
                "code": code,
            }
        codes.add(code)
        if item.get("category") not in Category.values:
            errors[f"items.{row}.category"] = _("第 %(row)d 项的类别无效。") % {"row": row}
        if item.get("severity") not in Severity.values:
            errors[f"items.{row}.severity"] = _("第 %(row)d 项的严重程度应为 critical、major 或 minor。") % {
                "row": row
            }
        if not str(item.get("text", "")).strip():
            errors[f"items.{row}.text"] = _("第 %(row)d 项缺少检查内容。") % {"row": row}
    if errors:
        raise ValidationError(errors)
    with audited_change(actor):
        checklist = Checklist.objects.create(name=name.strip())
        for order, item in enumerate(items, 1):
            ChecklistItem.objects.create(
                checklist=checklist,
                code=str(item["code"]).strip(),
                category=item["category"],
                text=str(item["text"]).strip(),
                severity=item["severity"],
                order=order,
            )
    return checklist


def checklist_item_add(
    *, actor: User, checklist: Checklist, code: str, category: str, text: str, severity: str
) -> ChecklistItem:
    _require_supervisor(actor)
    item = ChecklistItem(
        checklist=checklist,
        code=code.strip(),
        category=category,
        text=text.strip(),
        severity=severity,
        order=checklist.items.count() + 1,
    )
    with audited_change(actor):
        item.full_clean()
        item.save()
    return item


def checklist_set_active(*, actor: User, checklist: Checklist, active: bool) -> Checklist:
    """Checklists are retired, never deleted: past inspections keep their items."""
    _require_supervisor(actor)
    with audited_change(actor):
        checklist.active = active
        checklist.save(update_fields=["active"])
    return checklist


# Conflicts of interest --------------------------------------------------------------


def conflict_declare(
    *, actor: User, inspector: User, institution: Institution, reason: str
) -> InspectorConflict:
    """An inspector declares a conflict (or the lead records one); from then on the draw
    and manual assignment never send them there."""
    if not (is_supervisor(actor) or (actor.is_inspector and actor.pk == inspector.pk)):
        raise PermissionDenied(_("只能申报本人的回避事项。"))
    if inspector.role != Role.INSPECTOR:
        raise ValidationError({"inspector": _("只有检查人员需要申报回避。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请说明回避原因。")})
    with audited_change(actor):
        conflict, _created = InspectorConflict.objects.update_or_create(
            inspector=inspector, institution=institution, defaults={"reason": reason.strip()}
        )
    return conflict


def conflict_remove(*, actor: User, conflict: InspectorConflict) -> None:
    _require_supervisor(actor)
    with audited_change(actor):
        conflict.delete()
