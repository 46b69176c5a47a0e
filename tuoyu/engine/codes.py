"""Codes shared by the engine and the Django apps.

Enumerations are stored in the database as these short strings and handed to the
engine as small integers: the position of the code in its tuple.
"""

from __future__ import annotations

CLASS_TYPES: tuple[str, ...] = ("infant", "toddler", "older", "mixed")
"""乳儿班 (6–12 months), 托小班 (12–24), 托大班 (24–36), 混龄班 (18–36)."""

YOUNG_INFANT_CLASS_TYPES: tuple[str, ...] = ("infant", "toddler")
"""Class types whose slots count as 小月龄 (under 24 months)."""

FORMS: tuple[str, ...] = ("kindergarten", "standalone", "community", "employer", "family")
"""幼儿园托班, 独立托育机构, 社区嵌入式托育, 用人单位办托, 家庭托育点."""

OWNERSHIPS: tuple[str, ...] = ("public", "private")
"""公办, 民办."""

STAFF_ROLES: tuple[str, ...] = ("caregiver", "teacher", "health", "director", "support")
"""保育人员, 幼儿园教师, 卫生保健人员, 负责人, 后勤人员."""

CERTIFICATE_TYPES: tuple[str, ...] = (
    "baoyushi",
    "yuyingyuan",
    "childcare_1x",
    "teacher_qualification",
    "health_care_training",
    "health",
)
"""保育师, 育婴员/育婴师, 幼儿照护职业技能等级证书 (1+X), 幼儿园教师资格证,
卫生保健培训合格证, 健康证."""

AGE_BANDS: tuple[str, ...] = ("m0_6", "m6_12", "m12_18", "m18_24", "m24_36")
"""Age bands in months: 0–6, 6–12, 12–18, 18–24, 24–36."""

UNDER_2_AGE_BANDS: tuple[str, ...] = ("m0_6", "m6_12", "m12_18", "m18_24")

INDICATOR_CODES: tuple[str, ...] = (
    "fee_ratio",
    "slots_per_1000",
    "kindergarten_share",
    "puhui_share",
    "certified_share",
    "catalog_published",
)
"""The six 2025 targets, in the order the dashboard shows them."""

MONITORED_CODES: tuple[str, ...] = (
    "young_infant_share",
    "young_infant_slots_per_1000",
    "slots_per_1000_population",
)
"""Figures shown as context: 小月龄 share, 小月龄 slots per 1,000 under-2s, and the
national figure of slots per 1,000 total population."""


def code_index(codes: tuple[str, ...], code: str) -> int:
    """Position of ``code`` in ``codes``; raises ``ValueError`` naming the bad code."""
    try:
        return codes.index(code)
    except ValueError:
        raise ValueError(f"unknown code {code!r}; expected one of {', '.join(codes)}") from None
