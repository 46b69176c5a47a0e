"""A stored plan (the engine's JSON with names) shaped for pages, exports and comparison.

A run keeps the engine's answer and the names and places it used, so a plan reads the
same after the registry or the scenario changes; nothing here queries the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoyu.common.templatetags.tuoyu_tags import FIGURES, PERCENT
from tuoyu.planning.models import PlanRun
from tuoyu.planning.templatetags.planning_tags import plan_status_label
from tuoyu.registry.models import ClassType

PLAN_CODES: tuple[str, ...] = ("slots_per_1000", "kindergarten_share", "puhui_share", "young_infant_share")
"""The figures a plan is built to meet, in the order the pages show them."""

CONTEXT_CODES: tuple[str, ...] = ("fee_ratio", "young_infant_slots_per_1000")
"""Figures a plan changes without aiming at them, shown after the plan for context."""

KIND_LABELS = {
    "kindergarten_class": gettext_lazy("幼儿园开设托班"),
    "expand": gettext_lazy("机构扩班"),
    "site_class": gettext_lazy("新建点开班"),
    "open_site": gettext_lazy("新建社区嵌入式托育点"),
    "designate": gettext_lazy("认定为普惠"),
}
KINDERGARTEN_SITE_LABELS = {
    "site_class": gettext_lazy("幼儿园开设托班（新入册）"),
    "open_site": gettext_lazy("幼儿园首次开设托班"),
}
"""Labels of a new site's actions when the site is a kindergarten not yet in the registry."""


@dataclass(frozen=True)
class FigurePair:
    code: str
    label: str
    before: float | None
    after: float | None
    target: float | None
    met_before: bool | None
    met_after: bool | None
    percent: bool

    def shown(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value * 100:.1f}%" if self.percent else f"{value:,.1f}"

    @property
    def before_text(self) -> str:
        return self.shown(self.before)

    @property
    def after_text(self) -> str:
        return self.shown(self.after)

    @property
    def target_text(self) -> str:
        return "" if self.target is None else self.shown(self.target)


@dataclass(frozen=True)
class ActionRow:
    kind: str
    kind_label: str
    township: str
    place: str
    class_type: str
    units: int
    slots: float
    cost: float
    reasons: list[str]
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class TownshipRow:
    id: str
    code: str
    name: str
    children: float
    slots_added: float
    cost: float
    actions: int
    figures: list[FigurePair]

    @property
    def all_met_after(self) -> bool:
        return all(pair.met_after is not False for pair in self.figures)


@dataclass(frozen=True)
class ShortfallRow:
    label: str
    area: str
    required: str
    achieved: str
    missing_slots: float


@dataclass
class PlanView:
    run: PlanRun
    status: str
    status_label: str
    total_cost: float
    mip_gap: float | None
    solve_seconds: float
    children_reached: float | None
    as_of: str
    parameters: dict[str, Any]
    city: list[FigurePair]
    context: list[FigurePair]
    townships: list[TownshipRow]
    actions: list[ActionRow]
    shortfalls: list[ShortfallRow]
    by_kind: list[tuple[str, int, float, float]]
    slots_added: float
    model: dict[str, Any]
    map_data: dict[str, Any] = field(default_factory=dict)


def _pair(code: str, before: dict[str, Any], after: dict[str, Any]) -> FigurePair:
    info = FIGURES[code]
    b, a = before.get(code) or {}, after.get(code) or {}
    target = a.get("target")
    return FigurePair(
        code=code,
        label=str(info.label),
        before=b.get("value"),
        after=a.get("value"),
        target=target,
        met_before=b.get("met"),
        met_after=a.get("met"),
        percent=info.kind == PERCENT,
    )


def _young_pair(
    code: str, before: dict[str, Any], after: dict[str, Any], minimum: float | None
) -> FigurePair:
    """The 小月龄 share has no national target; the scenario's minimum stands in for it."""
    pair = _pair(code, before, after)
    if minimum is None:
        return pair

    def met(value: float | None) -> bool | None:
        return None if value is None else value >= minimum - 1e-9

    return FigurePair(
        code=pair.code,
        label=pair.label,
        before=pair.before,
        after=pair.after,
        target=minimum,
        met_before=met(pair.before),
        met_after=met(pair.after),
        percent=pair.percent,
    )


def _pairs(
    codes: tuple[str, ...], before: dict[str, Any], after: dict[str, Any], young_min: float | None
) -> list[FigurePair]:
    return [
        _young_pair(code, before, after, young_min)
        if code == "young_infant_share"
        else _pair(code, before, after)
        for code in codes
    ]


def _area_name(township_id: Any, towns: dict[str, dict[str, Any]]) -> str:
    if township_id is None:
        return _("全市")
    return str(towns.get(str(township_id), {}).get("name", township_id))


def _reason_text(reason: dict[str, Any], towns: dict[str, dict[str, Any]]) -> str:
    code = reason.get("code", "")
    if code == "cost_mix":
        return _("与其他措施组合时总成本最低")
    if code == "coverage":
        return _("使服务半径内更多婴幼儿可及")
    label = str(FIGURES[code].label) if code in FIGURES else code
    return _("若不采取，%(area)s“%(figure)s”将缺 %(slots)s 个托位") % {
        "area": _area_name(reason.get("township_id"), towns),
        "figure": label,
        "slots": f"{float(reason.get('slots_missing_without', 0)):,.0f}",
    }


def _kind_label(action: dict[str, Any], labels: dict[str, Any]) -> str:
    kind = action["kind"]
    site = labels.get("sites", {}).get(str(action.get("site_id")), {})
    if site.get("form") == "kindergarten" and kind in KINDERGARTEN_SITE_LABELS:
        return str(KINDERGARTEN_SITE_LABELS[kind])
    return str(KIND_LABELS.get(kind, kind))


def _place(action: dict[str, Any], labels: dict[str, Any]) -> tuple[str, float | None, float | None]:
    site_id = action.get("site_id")
    if site_id is not None and site_id >= 0:
        site = labels.get("sites", {}).get(str(site_id), {})
        return str(site.get("name", site_id)), site.get("latitude"), site.get("longitude")
    candidate = labels.get("candidates", {}).get(str(action.get("candidate_id")), {})
    return str(candidate.get("institution", "")), candidate.get("latitude"), candidate.get("longitude")


def plan_view(run: PlanRun) -> PlanView:
    result = run.result or {}
    plan: dict[str, Any] = result.get("plan", {})
    labels: dict[str, Any] = result.get("labels", {})
    towns: dict[str, dict[str, Any]] = labels.get("townships", {})
    parameters = run.parameters or {}
    young_min = parameters.get("young_infant_share_min")
    before, after = plan.get("before", {}), plan.get("after", {})
    class_labels = dict(ClassType.choices)

    actions: list[ActionRow] = []
    per_town: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    per_kind: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for action in plan.get("actions", []):
        kind = action["kind"]
        place, lat, lon = _place(action, labels)
        town = str(action.get("township_id"))
        slots, cost = float(action.get("slots", 0.0)), float(action.get("cost", 0.0))
        actions.append(
            ActionRow(
                kind=kind,
                kind_label=_kind_label(action, labels),
                township=_area_name(action.get("township_id"), towns),
                place=place,
                class_type=str(class_labels.get(action.get("class_type") or "", "")),
                units=int(action.get("units", 0)),
                slots=slots,
                cost=cost,
                reasons=[_reason_text(reason, towns) for reason in action.get("reasons", [])],
                latitude=lat,
                longitude=lon,
            )
        )
        added = 0.0 if kind in ("designate", "open_site") else slots
        per_town[town][0] += added
        per_town[town][1] += cost
        per_town[town][2] += 1
        # Grouped by label: a kindergarten entering the registry is not a community site.
        label = _kind_label(action, labels)
        per_kind[label][0] += 1
        per_kind[label][1] += added if kind != "designate" else slots
        per_kind[label][2] += cost

    townships: list[TownshipRow] = []
    for town_id, figures_after in after.get("townships", {}).items():
        figures_before = before.get("townships", {}).get(town_id, {})
        info = towns.get(town_id, {})
        added, cost, count = per_town.get(town_id, [0.0, 0.0, 0.0])
        townships.append(
            TownshipRow(
                id=town_id,
                code=str(info.get("code", "")),
                name=str(info.get("name", town_id)),
                children=float((figures_after.get("slots_per_1000") or {}).get("denominator", 0.0)),
                slots_added=added,
                cost=cost,
                actions=int(count),
                figures=_pairs(PLAN_CODES, figures_before, figures_after, young_min),
            )
        )
    townships.sort(key=lambda row: row.code)
    shortfalls = [
        ShortfallRow(
            label=str(FIGURES[s["code"]].label) if s["code"] in FIGURES else s["code"],
            area=_area_name(s.get("township_id"), towns),
            required=_pair(s["code"], {}, {}).shown(s.get("required")) if s["code"] in FIGURES else "",
            achieved=_pair(s["code"], {}, {}).shown(s.get("achieved")) if s["code"] in FIGURES else "",
            missing_slots=float(s.get("missing_slots", 0.0)),
        )
        for s in plan.get("shortfalls", [])
    ]
    order = [str(label) for label in (*KIND_LABELS.values(), *KINDERGARTEN_SITE_LABELS.values())]
    by_kind = [
        (label, int(values[0]), values[1], values[2])
        for label, values in sorted(
            per_kind.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
        )
    ]
    view = PlanView(
        run=run,
        status=str(plan.get("status", "")),
        status_label=plan_status_label(str(plan.get("status", ""))),
        total_cost=float(plan.get("total_cost", 0.0)),
        mip_gap=plan.get("mip_gap"),
        solve_seconds=float(plan.get("solve_seconds", 0.0)),
        children_reached=plan.get("children_reached"),
        as_of=str(plan.get("as_of", "")),
        parameters=parameters,
        city=_pairs(PLAN_CODES, before.get("city", {}), after.get("city", {}), young_min),
        context=_pairs(CONTEXT_CODES, before.get("city", {}), after.get("city", {}), None),
        townships=townships,
        actions=sorted(actions, key=lambda row: (row.township, row.kind, row.place)),
        shortfalls=shortfalls,
        by_kind=by_kind,
        slots_added=sum(row.slots for row in actions if row.kind not in ("designate", "open_site")),
        model=plan.get("model", {}),
    )
    view.map_data = _map_data(view, towns)
    return view


def _map_data(view: PlanView, towns: dict[str, dict[str, Any]]) -> dict[str, Any]:
    points = [
        {
            "name": f"{row.place} · {row.kind_label}",
            "kind": row.kind,
            "value": [row.longitude, row.latitude, row.slots],
            "cost": row.cost,
        }
        for row in view.actions
        if row.latitude is not None and row.longitude is not None
    ]
    met = {row.id: row.all_met_after for row in view.townships}
    centres = [
        {
            "name": info.get("name"),
            "value": [info.get("longitude"), info.get("latitude")],
            "met": met.get(tid, True),
        }
        for tid, info in towns.items()
        if info.get("latitude") is not None and info.get("longitude") is not None
    ]
    return {
        "points": points,
        "townships": centres,
        "kinds": {kind: str(label) for kind, label in KIND_LABELS.items()},
        "text": {
            "met": _("方案后全部达标"),
            "unmet": _("方案后仍有缺口"),
            "slots": _("新增托位"),
            "cost": _("成本"),
        },
    }


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    a: str
    b: str
    differs: bool


def comparison(views: list[PlanView]) -> dict[str, Any]:
    """Two plans side by side: totals, actions by kind, and each township's figures after."""
    a, b = views

    def money(value: float) -> str:
        return f"{value:,.0f}"

    rows = [
        ComparisonRow(
            _("情景"), a.run.scenario.name, b.run.scenario.name, a.run.scenario_id != b.run.scenario_id
        ),
        ComparisonRow(
            _("规划年份"),
            str(a.parameters.get("plan_year", "")),
            str(b.parameters.get("plan_year", "")),
            False,
        ),
        ComparisonRow(_("求解结果"), a.status_label, b.status_label, a.status != b.status),
        ComparisonRow(
            _("总成本（元）"),
            money(a.total_cost),
            money(b.total_cost),
            abs(a.total_cost - b.total_cost) > 0.5,
        ),
        ComparisonRow(
            _("新增托位"), money(a.slots_added), money(b.slots_added), a.slots_added != b.slots_added
        ),
        ComparisonRow(
            _("措施数"), str(len(a.actions)), str(len(b.actions)), len(a.actions) != len(b.actions)
        ),
    ]
    kinds_a = {label: (count, slots, cost) for label, count, slots, cost in a.by_kind}
    kinds_b = {label: (count, slots, cost) for label, count, slots, cost in b.by_kind}
    for label in sorted(set(kinds_a) | set(kinds_b)):
        ka, kb = kinds_a.get(label, (0, 0.0, 0.0)), kinds_b.get(label, (0, 0.0, 0.0))
        rows.append(
            ComparisonRow(
                _("%(kind)s（项 / 托位 / 元）") % {"kind": label},
                f"{ka[0]} / {ka[1]:,.0f} / {ka[2]:,.0f}",
                f"{kb[0]} / {kb[1]:,.0f} / {kb[2]:,.0f}",
                ka != kb,
            )
        )
    for pa, pb in zip(a.city, b.city, strict=True):
        rows.append(
            ComparisonRow(
                f"{_('全市')} {pa.label}", pa.after_text, pb.after_text, pa.after_text != pb.after_text
            )
        )
    towns_b = {row.id: row for row in b.townships}
    townships = []
    for row in a.townships:
        other = towns_b.get(row.id)
        if other is None:
            continue
        townships.append(
            {
                "name": row.name,
                "cost": (money(row.cost), money(other.cost)),
                "slots": (money(row.slots_added), money(other.slots_added)),
                "figures": [
                    (pa.label, pa.after_text, pb.after_text, pa.met_after, pb.met_after)
                    for pa, pb in zip(row.figures, other.figures, strict=True)
                ],
                "differs": row.cost != other.cost or row.slots_added != other.slots_added,
            }
        )
    return {"a": a, "b": b, "rows": rows, "townships": townships}
