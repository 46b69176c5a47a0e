"""The demo 基本公共服务目录清单 (service catalog) and the default target sets."""

from __future__ import annotations

import datetime as dt

from tuoyu.indicators.models import CatalogItem, ServiceCatalog, TargetSet

CATALOG_PUBLISHED = dt.date(2025, 6, 30)
CATALOG_TITLE = "临海市普惠托育基本公共服务目录清单（示例）"

CATALOG_ITEMS: tuple[dict[str, str], ...] = (
    {
        "service": "普惠托育服务",
        "eligibility": "本市 3 岁以下婴幼儿家庭",
        "content": "在备案普惠托育机构（含幼儿园托班）提供全日托、半日托、计时托服务",
        "standard": "普惠机构全日托月收费不高于上一年度全体居民人均可支配收入月均值的 30%",
        "department": "市卫生健康局、市发展和改革局、市教育局",
        "funding": "财政补助、用人单位支持与家庭合理分担",
    },
    {
        "service": "婴幼儿健康管理",
        "eligibility": "本市 0–3 岁婴幼儿",
        "content": "新生儿访视、8 次健康检查、生长发育监测、预防接种",
        "standard": "国家基本公共卫生服务规范（0–6 岁儿童健康管理）",
        "department": "市卫生健康局、各基层医疗卫生机构",
        "funding": "基本公共卫生服务经费",
    },
    {
        "service": "科学育儿指导",
        "eligibility": "3 岁以下婴幼儿家长及照护人",
        "content": "养育照护小组活动、家庭育儿指导、托育机构开放日",
        "standard": "每个镇（街道）每季度不少于 1 次养育照护小组活动",
        "department": "市卫生健康局、市妇幼保健院、市托育综合服务中心",
        "funding": "财政预算",
    },
    {
        "service": "医育结合服务",
        "eligibility": "备案托育机构及在托婴幼儿",
        "content": "基层医疗卫生机构与托育机构签约，提供卫生保健指导、健康检查、医育跟诊培训",
        "standard": "签约覆盖全部备案托育机构，每月至少巡诊 1 次",
        "department": "市卫生健康局、各基层医疗卫生机构",
        "funding": "基本公共卫生服务经费、财政补助",
    },
    {
        "service": "融合托育",
        "eligibility": "发育迟缓等有特殊需要的 3 岁以下婴幼儿",
        "content": "筛查转介、康复指导与融合托育服务",
        "standard": "符合条件的婴幼儿应托尽托",
        "department": "市卫生健康局、市残疾人联合会",
        "funding": "财政补助、残疾人事业经费",
    },
    {
        "service": "困境婴幼儿免费托",
        "eligibility": "低保、特困等困境家庭的 3 岁以下婴幼儿",
        "content": "在普惠托育机构免费或减免收费入托",
        "standard": "符合条件者申请即享",
        "department": "市民政局、市卫生健康局",
        "funding": "财政资金",
    },
)


def _ensure_targets_and_catalog() -> None:
    """Target sets for 2025 and 2026 (the defaults) and the demo catalog, unless present."""
    for year in (2025, 2026):
        TargetSet.objects.get_or_create(year=year)
    if not ServiceCatalog.objects.filter(title=CATALOG_TITLE).exists():
        catalog = ServiceCatalog.objects.create(title=CATALOG_TITLE, published_on=CATALOG_PUBLISHED)
        CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, **item) for item in CATALOG_ITEMS])
