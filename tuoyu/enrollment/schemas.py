"""Request and response schemas of the central-enrollment API (``/api/v1/enrollment/...``).

Dates are ISO 8601; a start month is the first day of the month (``2026-09-01``).
Codes are the short strings stored in the database, each with its Chinese label
(``*_label``). A child's ID number is accepted on registration and only ever returned
masked (``3310**********123X``); institutions see children's names masked (``张**``).
The lottery schema is the published file that ``tools/verify_lottery.py`` reads.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from tuoyu.enrollment.models import MAX_CHOICES, OfferStatus, Outcome, PriorityRule, RoundStatus
from tuoyu.registry.models import ClassType

# Rounds -------------------------------------------------------------------------------


class PriorityRuleOut(Schema):
    code: PriorityRule = Field(description="规则代码 / rule code")
    label: str = Field(description="规则说明 / the rule, in words")


class RoundOut(Schema):
    """A round as published: before the draw ``seed``, ``roster_hash`` and ``algorithm`` are
    empty; the ``commitment`` is public from the moment the round opens."""

    id: int
    name: str = Field(description="名称 / name")
    status: RoundStatus = Field(description="状态 / status")
    status_label: str = Field(description="状态名称 / status, in words")
    first_start_month: dt.date = Field(description="最早入托月份 / first start month")
    last_start_month: dt.date = Field(description="最晚入托月份 / last start month")
    start_months: list[dt.date] = Field(description="可选的入托月份 / the start months one may choose")
    opens_at: dt.datetime = Field(description="报名开始 / applications open")
    closes_at: dt.datetime = Field(description="报名截止 / applications close")
    offer_days: int = Field(description="录取答复期限（天）/ days to answer an offer")
    priority_rules: list[PriorityRuleOut] = Field(
        description="优先规则，按顺序；之后按抽签序号 / priority rules in order, then the lottery"
    )
    commitment: str = Field(description="种子承诺值 SHA-256 / the seed's commitment")
    seed: str = Field(description="抽签种子（抽签后公布）/ the seed, empty until the draw")
    roster_hash: str = Field(description="报名名单哈希（抽签后公布）/ roster hash, empty until the draw")
    algorithm: str = Field(description="抽签算法版本（抽签后公布）/ lottery algorithm, empty until the draw")
    allocated_at: dt.datetime | None = Field(description="分配时间 / when the round was allocated")


class RoundIn(Schema):
    name: str = Field(max_length=100, description="名称 / name")
    first_start_month: dt.date = Field(description="最早入托月份（某月 1 日）/ first start month (a 1st)")
    last_start_month: dt.date = Field(description="最晚入托月份（某月 1 日）/ last start month (a 1st)")
    opens_at: dt.datetime = Field(description="报名开始 / applications open")
    closes_at: dt.datetime = Field(description="报名截止 / applications close")
    priority_rules: list[PriorityRule] = Field(
        default_factory=list, description="优先规则，按顺序 / priority rules, most important first"
    )
    offer_days: int = Field(7, ge=1, le=60, description="录取答复期限（天）/ days to answer an offer")


class PlaceOut(Schema):
    id: int
    institution_id: int = Field(description="机构编号 / institution id")
    institution_name: str = Field(description="机构名称 / institution")
    township_code: str = Field(description="机构所在镇（街道）区划代码 / township code")
    township_name: str = Field(description="机构所在镇（街道）/ township")
    class_type: ClassType = Field(description="班型 / class type")
    class_type_label: str = Field(description="班型名称 / class type, in words")
    capacity: int = Field(description="本轮名额 / places in this round")


class AllocationOut(Schema):
    round_id: int
    applications: int = Field(description="参与分配的报名数 / applications allocated")
    placed: int = Field(description="录取人数 / children placed")
    unplaced: int = Field(description="未录取人数 / children not placed")
    seats: int = Field(description="名额总数 / seats in the round")


# The published lottery -----------------------------------------------------------------


class LotteryRankOut(Schema):
    reference: str = Field(description="报名编号 / application reference")
    rank: int = Field(description="抽签序号，1 最靠前 / lottery rank, 1 is the luckiest")


class LotteryOut(Schema):
    """The published lottery: before the draw only ``round``, ``name`` and ``commitment``;
    after it also what ``python tools/verify_lottery.py FILE --commitment C`` checks."""

    round: int = Field(description="轮次编号 / round id")
    name: str = Field(description="轮次名称 / round name")
    commitment: str = Field(description="种子承诺值 / the seed's commitment, SHA-256 of the seed text")
    algorithm: str | None = Field(None, description="抽签算法 / algorithm, e.g. tuoyu-lottery-1")
    seed: str | None = Field(None, description="抽签种子（64 位十六进制）/ the seed, 64 hex characters")
    roster_hash: str | None = Field(None, description="报名名单哈希 / SHA-256 of the sorted references")
    references: list[str] | None = Field(None, description="全部报名编号（排序）/ every reference, sorted")
    ranks: list[LotteryRankOut] | None = Field(None, description="抽签序号，按序号 / ranks, by rank")


# Children ------------------------------------------------------------------------------


class ChildIn(Schema):
    name: str = Field(max_length=50, description="婴幼儿姓名 / the child's name")
    birth_date: dt.date = Field(description="出生日期 / birth date")
    id_number: str = Field(max_length=30, description="居民身份证号 / resident ID number")
    township_id: int = Field(description="居住镇（街道）编号 / township of residence (id)")
    consent: bool = Field(description="同意《婴幼儿信息处理告知书》/ consent to the processing notice")
    sibling_institution_id: int | None = Field(
        None, description="兄弟姐妹在托的机构编号 / institution a sibling attends"
    )
    parent_employer_id: int | None = Field(
        None, description="父母所在单位举办的托育点编号 / the parents' employer's childcare site"
    )
    hardship_claimed: bool = Field(False, description="申报困境婴幼儿 / claims hardship status")


class ChildOut(Schema):
    id: int
    name: str = Field(description="姓名 / name")
    birth_date: dt.date = Field(description="出生日期 / birth date")
    id_number_masked: str = Field(description="身份证号（脱敏）/ ID number, masked")
    township_id: int
    township_name: str = Field(description="居住镇（街道）/ township of residence")
    sibling_institution_id: int | None
    parent_employer_id: int | None
    hardship_claimed: bool = Field(description="申报困境婴幼儿 / hardship claimed")
    hardship_verified: bool = Field(description="困境婴幼儿已认定 / hardship verified")
    consent_version: str = Field(description="同意书版本 / consent version")
    consent_at: dt.datetime = Field(description="同意时间 / consent given at")


# Applications and offers ----------------------------------------------------------------


class ApplicationIn(Schema):
    start_month: dt.date = Field(description="入托月份 YYYY-MM-DD（按该月 1 日计）/ start month")
    place_ids: list[int] = Field(
        max_length=MAX_CHOICES,
        description=f"志愿（本轮名额编号），按意愿顺序，1 至 {MAX_CHOICES} 个 / "
        "places in order of preference; an error about the i-th names the field place_ids.i (from 0).",
    )


class OfferOut(Schema):
    id: int
    place_id: int
    institution_id: int
    institution_name: str = Field(description="机构名称 / institution")
    class_type: ClassType = Field(description="班型 / class type")
    class_type_label: str = Field(description="班型名称 / class type, in words")
    status: OfferStatus = Field(description="状态 / status")
    status_label: str = Field(description="状态名称 / status, in words")
    deadline: dt.datetime = Field(description="答复截止 / answer by")
    responded_at: dt.datetime | None = Field(description="答复时间 / answered at")
    care_class_id: int | None = Field(description="入托班级编号 / class joined")
    enrolled_at: dt.datetime | None = Field(description="入托确认时间 / enrollment confirmed at")


class ChoiceOut(Schema):
    rank: int = Field(description="志愿顺序 / preference rank")
    place_id: int
    institution_id: int
    institution_name: str = Field(description="机构名称 / institution")
    class_type: ClassType = Field(description="班型 / class type")
    class_type_label: str = Field(description="班型名称 / class type, in words")
    outcome: Outcome = Field(description="结果 / outcome")
    outcome_label: str = Field(description="结果名称 / outcome, in words")
    priority_reasons: list[PriorityRule] = Field(description="满足的优先规则 / priority rules met here")
    applicants_ahead: int | None = Field(description="优先级更高的申请人 / applicants with higher priority")
    seats: int | None = Field(description="名额 / seats")
    waitlist_position: int | None = Field(description="候补位次 / waiting-list position")
    explanation: str = Field(description="结果说明 / what happened here, and why")
    priority_explanation: str = Field(description="优先级说明 / the rules met, then the lottery rank")


class ApplicationOut(Schema):
    id: int
    reference: str = Field(description="报名编号（抽签公示用）/ reference in the published lottery")
    round_id: int
    round_name: str = Field(description="轮次 / round")
    round_status: RoundStatus = Field(description="轮次状态 / round status")
    child_id: int
    child_name: str = Field(description="婴幼儿姓名 / the child's name")
    start_month: dt.date = Field(description="入托月份 / start month")
    submitted_at: dt.datetime
    updated_at: dt.datetime
    withdrawn_at: dt.datetime | None
    lottery_rank: int | None = Field(description="抽签序号 / lottery rank (after the draw)")
    summary: str = Field(description="结果概述 / the outcome in a sentence")
    choices: list[ChoiceOut]
    offer: OfferOut | None = Field(description="录取通知 / the offer, if any")


class ApplicantOut(Schema):
    """One choice naming the institution: the child's name masked, no ID number."""

    round_id: int
    reference: str = Field(description="报名编号 / application reference")
    child_name: str = Field(description="婴幼儿姓名（脱敏）/ the child's name, masked")
    age_months: int = Field(description="入托月份时的月龄 / age in months at the start month")
    start_month: dt.date = Field(description="入托月份 / start month")
    place_id: int
    class_type: ClassType = Field(description="班型 / class type")
    class_type_label: str = Field(description="班型名称 / class type, in words")
    choice_rank: int = Field(description="第几志愿 / preference rank of this institution")
    outcome: Outcome = Field(description="结果 / outcome")
    outcome_label: str = Field(description="结果名称 / outcome, in words")
    priority_reasons: list[PriorityRule] = Field(description="满足的优先规则 / priority rules met")
    lottery_rank: int | None = Field(description="抽签序号 / lottery rank")
    waitlist_position: int | None = Field(description="候补位次 / waiting-list position")
    offer_id: int | None = Field(description="本机构的录取通知编号 / the offer here, if any")
    offer_status: OfferStatus | None = Field(description="录取通知状态 / status of the offer here")


class EnrollIn(Schema):
    care_class_id: int = Field(description="入托班级编号 / the class the child joins")
