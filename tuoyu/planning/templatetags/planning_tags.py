"""Labels of the planner's codes, in the page's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

PLAN_STATUS_LABELS = {
    "optimal": _("最优（已证明）"),
    "within_gap": _("在允许的最优性差距内"),
    "time_limit": _("达到求解时限，未证明最优"),
    "shortfall": _("无法全部达标：缺口最小的方案"),
    "budget": _("预算内覆盖最多"),
    "nothing_needed": _("已全部达标，无需扩容"),
}


@register.filter
def plan_status_label(code: str) -> str:
    return str(PLAN_STATUS_LABELS.get(code, code or ""))


@register.filter
def money(value: object) -> str:
    """A whole number with thousands separators ("44,475,500"), whatever the language:
    planners read and compare these figures across pages and exports."""
    if value is None or value == "":
        return ""
    try:
        return f"{float(str(value)):,.0f}"
    except ValueError:
        return str(value)
