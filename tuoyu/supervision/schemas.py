"""Request and response schemas of the safety-supervision API (``/api/v1/supervision/...``).

Dates are ISO 8601. Codes are the short strings stored in the database, each with its
Chinese label (``*_label``). A complaint's contact number is accepted and never returned
to the public; supervisors see it masked (``138****0001``). The draw schema is the
published file that ``tools/verify_draw.py`` reads.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from tuoyu.registry.models import Form
from tuoyu.supervision.models import (
    CaseStatus,
    Category,
    Conclusion,
    FindingResult,
    IncidentSeverity,
    InspectionKind,
    InspectionStatus,
    OrderStatus,
    PlanStatus,
    Severity,
)

# Plans and draws ---------------------------------------------------------------------------


class PlanOut(Schema):
    """A sampling plan; before the draw ``seed``, ``roster_hash`` and ``algorithm`` are empty."""

    id: int
    name: str = Field(description="名称 / name")
    status: PlanStatus = Field(description="状态 / status")
    status_label: str = Field(description="状态名称 / status, in words")
    township_ids: list[int] = Field(description="镇（街道）范围，空为全市 / townships in scope (empty: all)")
    forms: list[Form] = Field(description="服务形式范围，空为全部 / forms in scope (empty: all)")
    ratios: dict[str, float] = Field(description="各信用等级抽查比例 / sampling ratio per credit grade")
    inspectors_per_task: int = Field(description="每家机构检查人员数 / inspectors per task")
    due_on: dt.date = Field(description="检查完成期限 / inspections due")
    publish_within_days: int = Field(description="结果公示期限（天）/ days to publish results")
    commitment: str = Field(description="种子承诺值 SHA-256 / the seed's commitment")
    published_at: dt.datetime | None = Field(description="承诺值公布时间 / commitment published at")
    seed: str = Field(description="抽取种子（抽取后公布）/ the seed, empty until the draw")
    roster_hash: str = Field(description="名单哈希（抽取后公布）/ roster hash, empty until the draw")
    algorithm: str = Field(description="抽取算法（抽取后公布）/ algorithm, empty until the draw")
    drawn_at: dt.datetime | None = Field(description="抽取时间 / drawn at")
    tasks: int = Field(description="检查任务数 / tasks drawn")
    unstaffed: int = Field(description="抽中但暂无检查人员的机构数 / selected institutions left unstaffed")


class PlanIn(Schema):
    name: str = Field(max_length=100, description="名称 / name")
    checklist_id: int = Field(description="检查表编号 / checklist id")
    inspector_ids: list[int] = Field(description="检查人员库（用户编号）/ the inspector pool (user ids)")
    township_ids: list[int] = Field(default_factory=list, description="镇（街道）范围 / townships in scope")
    forms: list[Form] = Field(default_factory=list, description="服务形式范围 / forms in scope")
    ratios: dict[str, float] | None = Field(
        None, description="A、B、C、D 各级抽查比例（0–1），默认 0.1/0.2/0.5/1 / ratio per grade"
    )
    inspectors_per_task: int = Field(2, ge=1, le=5, description="每家机构检查人员数 / inspectors per task")
    due_on: dt.date = Field(description="检查完成期限 / inspections due")
    publish_within_days: int | None = Field(
        None, ge=1, le=90, description="结果公示期限（天）/ days to publish results"
    )


class DrawSummaryOut(Schema):
    id: int
    name: str = Field(description="名称 / name")
    status: PlanStatus = Field(description="状态 / status")
    status_label: str = Field(description="状态名称 / status, in words")
    commitment: str = Field(description="种子承诺值 / the seed's commitment")
    published_at: dt.datetime | None = Field(description="承诺值公布时间 / commitment published at")
    drawn_at: dt.datetime | None = Field(description="抽取时间 / drawn at")


class DrawParametersOut(Schema):
    ratios: dict[str, str] = Field(description="各等级抽查比例（文本）/ ratio text per grade")
    inspectors_per_task: int = Field(description="每家机构检查人员数 / inspectors per task")


class DrawInstitutionOut(Schema):
    id: str = Field(description="统一社会信用代码 / unified social credit code")
    township: str = Field(description="镇（街道）区划代码 / township code")
    grade: str = Field(description="信用等级 / credit grade")


class DrawInspectorOut(Schema):
    id: str = Field(description="检查人员编号（inspector-N）/ inspector pseudonym")
    township: str = Field(description="所在镇（街道）区划代码，city 为市级 / township code, city")


class DrawTaskOut(Schema):
    institution: str = Field(description="机构（统一社会信用代码）/ institution")
    inspectors: list[str] = Field(description="检查人员，按抽取顺序 / inspectors in draw order")


class DrawOut(Schema):
    """The published draw: before it only ``plan``, ``name`` and ``commitment``; after it
    exactly the file that ``python tools/verify_draw.py draw.json --commitment C`` checks."""

    plan: int | None = Field(None, description="计划编号（抽取前）/ plan id (before the draw)")
    name: str | None = Field(None, description="计划名称（抽取前）/ plan name (before the draw)")
    commitment: str = Field(description="种子承诺值 / the seed's commitment")
    algorithm: str | None = Field(None, description="抽取算法 / algorithm, e.g. tuoyu-draw-1")
    seed: str | None = Field(None, description="抽取种子 / the seed, 64 hex characters")
    roster_hash: str | None = Field(None, description="名单哈希 / roster hash")
    parameters: DrawParametersOut | None = None
    institutions: list[DrawInstitutionOut] | None = None
    inspectors: list[DrawInspectorOut] | None = None
    conflicts: list[list[str]] | None = Field(None, description="回避申报 [检查人员, 机构] / conflicts")
    tasks: list[DrawTaskOut] | None = None
    unstaffed: list[str] | None = Field(None, description="抽中但暂无检查人员 / selected, unstaffed")


# Complaints ---------------------------------------------------------------------------------


class ComplaintIn(Schema):
    institution_id: int = Field(description="被投诉机构编号 / institution complained about")
    category: Category = Field(description="类别 / category")
    description: str = Field(max_length=2000, description="投诉内容（至少 10 个字）/ the complaint")
    contact: str = Field(max_length=20, description="联系电话，仅用于答复 / phone, for the reply only")


class ComplaintReceiptOut(Schema):
    """What the complainant gets back: never the contact number."""

    id: int
    institution_id: int
    institution_name: str = Field(description="被投诉机构 / institution")
    category: Category = Field(description="类别 / category")
    category_label: str = Field(description="类别名称 / category, in words")
    status: CaseStatus = Field(description="状态 / status")
    submitted_at: dt.datetime


class ComplaintOut(ComplaintReceiptOut):
    description: str = Field(description="投诉内容 / the complaint")
    contact_masked: str = Field(description="联系电话（脱敏）/ phone, masked")
    substantiated: bool | None = Field(description="投诉属实 / substantiated")
    response: str = Field(description="处理结果 / reply")
    closed_at: dt.datetime | None


# Inspections ---------------------------------------------------------------------------------


class InspectionOut(Schema):
    id: int
    institution_id: int
    institution_name: str = Field(description="机构 / institution")
    kind: InspectionKind = Field(description="类型 / kind")
    kind_label: str = Field(description="类型名称 / kind, in words")
    plan_id: int | None
    checklist_id: int
    due_on: dt.date = Field(description="检查期限 / due")
    status: InspectionStatus = Field(description="状态 / status")
    status_label: str = Field(description="状态名称 / status, in words")
    inspected_on: dt.date | None = Field(description="检查日期 / inspected on")
    conclusion: Conclusion | None = Field(description="结论 / conclusion")
    conclusion_label: str = Field(description="结论名称 / conclusion, in words")
    published_at: dt.datetime | None


class FindingOut(Schema):
    item_id: int
    code: str = Field(description="检查项编号 / item code")
    category: Category = Field(description="类别 / category")
    text: str = Field(description="检查内容 / item")
    severity: Severity = Field(description="严重程度 / severity")
    result: FindingResult | None = Field(description="结果，未填为空 / result, null if not yet recorded")
    note: str = Field(description="说明 / note")


class InspectionDetailOut(InspectionOut):
    summary: str = Field(description="检查情况 / summary")
    inspector_ids: list[int] = Field(description="检查人员（用户编号）/ inspectors (user ids)")
    findings: list[FindingOut] = Field(description="检查表各项及结果 / every item of the checklist")


class FindingIn(Schema):
    item_id: int = Field(description="检查项编号 / checklist item id")
    result: FindingResult = Field(description="结果 / result")
    note: str = Field("", max_length=500, description="说明，不符合时必填 / note, required for a violation")


class FindingsIn(Schema):
    inspected_on: dt.date = Field(description="检查日期 / inspected on")
    results: list[FindingIn] = Field(
        description="各项结果；关于第 i 项的错误命名为 results.i（从 0 起）/ results; errors name results.i"
    )
    summary: str = Field("", max_length=5000, description="检查情况 / summary")
    submit: bool = Field(False, description="提交审核（需填写全部检查项）/ submit for review")


# Rectification and incidents -----------------------------------------------------------------


class OrderOut(Schema):
    id: int
    institution_id: int
    institution_name: str = Field(description="机构 / institution")
    inspection_id: int
    item_code: str = Field(description="检查项编号 / item code")
    item_text: str = Field(description="检查内容 / item")
    severity: Severity = Field(description="严重程度 / severity")
    deadline: dt.date = Field(description="整改期限 / deadline")
    status: OrderStatus = Field(description="状态 / status")
    status_label: str = Field(description="状态名称 / status, in words")
    evidence: str = Field(description="整改情况 / what was done")
    submitted_at: dt.datetime | None
    verified_at: dt.datetime | None
    review_note: str = Field(description="核验意见 / review note")


class OrderSubmitIn(Schema):
    evidence: str = Field(max_length=5000, description="整改情况 / what was done")


class OrderVerifyIn(Schema):
    accepted: bool = Field(description="通过（否则退回）/ accepted, else sent back")
    note: str = Field("", max_length=500, description="核验意见，退回时必填 / note, required to send back")
    new_deadline: dt.date | None = Field(None, description="退回时的新期限 / new deadline when sent back")


class IncidentIn(Schema):
    institution_id: int | None = Field(
        None, description="机构编号，机构负责人可省略 / institution (an operator may omit it)"
    )
    occurred_at: dt.datetime = Field(description="发生时间（无时区按临海时间）/ occurred at")
    severity: IncidentSeverity = Field(description="严重程度 / severity")
    description: str = Field(max_length=5000, description="经过 / what happened")
    children_affected: int = Field(0, ge=0, le=1000, description="涉及婴幼儿人数 / children affected")


class IncidentOut(Schema):
    id: int
    institution_id: int
    institution_name: str = Field(description="机构 / institution")
    occurred_at: dt.datetime
    reported_at: dt.datetime
    severity: IncidentSeverity = Field(description="严重程度 / severity")
    severity_label: str = Field(description="严重程度名称 / severity, in words")
    description: str = Field(description="经过 / what happened")
    children_affected: int
    late: bool = Field(description="迟报 / reported late")
    status: CaseStatus = Field(description="状态 / status")


# Credit ----------------------------------------------------------------------------------------


class CreditGradeOut(Schema):
    grade: str = Field(description="信用等级 / grade")
    previous: str = Field(description="原等级 / previous grade")
    score: float = Field(description="信用分 / score")
    as_of: dt.date = Field(description="评定日期 / graded on")
    reason: str = Field(description="评定依据 / why")


class CreditEventOut(Schema):
    kind: str = Field(description="类型 / kind")
    kind_label: str = Field(description="类型名称 / kind, in words")
    occurred_on: dt.date
    count: int
    reason: str = Field(description="事由 / reason")


class CreditOut(Schema):
    institution_id: int
    institution_name: str = Field(description="机构 / institution")
    grade: str = Field(description="当前信用等级 / current grade")
    history: list[CreditGradeOut] = Field(description="等级变化，最新在前 / grade changes, latest first")
    events: list[CreditEventOut] = Field(description="信用事件，最新在前 / credit events, latest first")
