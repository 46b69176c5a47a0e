"""The township table of the dashboard as .xlsx and .csv."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu.conftest import AS_OF, SmallRegistry


def _export(client: Client, fmt: str) -> Any:
    url = reverse("indicators:township_export", kwargs={"fmt": fmt})
    response = client.get(url, {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_xlsx_has_one_row_per_township_and_the_city(client: Client, registry: SmallRegistry) -> None:
    response = _export(client, "xlsx")
    assert f"tuoyu-townships-{AS_OF}.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["data"].iter_rows(values_only=True))
    assert rows[0][0] == "镇（街道）" and rows[1][0] == "Township"
    assert rows[0][2] == "普惠托育收费占人均可支配收入比（%）"
    assert [row[0] for row in rows[2:]] == [registry.township_a.name, registry.township_b.name, "全市"]
    header = list(rows[0])
    city = dict(zip(header, rows[-1], strict=True))
    assert city["每千名 3 岁以下婴幼儿托位数"] == pytest.approx(53.33)
    assert city["普惠托位占比（%）"] == pytest.approx(87.5)
    assert city["普惠占比是否达标"] == "未达标 / not met"
    assert city["收费占比是否达标"] == "达标 / met"
    assert "README" in workbook.sheetnames


@pytest.mark.django_db
def test_the_csv_has_a_byte_order_mark_and_the_rows(client: Client, registry: SmallRegistry) -> None:
    response = _export(client, "csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "镇（街道） / Township"
    assert [row[0] for row in rows[1:]] == [registry.township_a.name, registry.township_b.name, "全市"]
    township_b = dict(zip(rows[0], rows[2], strict=True))
    assert township_b["每千名 3 岁以下婴幼儿托位数 / Slots per 1,000 children under 3"] == "20.0"


@pytest.mark.django_db
def test_the_export_headers_stay_chinese_and_english_whatever_the_page_language(
    client: Client, registry: SmallRegistry
) -> None:
    client.post(reverse("set_language"), {"language": "en"})
    rows = list(csv.reader(io.StringIO(_export(client, "csv").content.decode("utf-8-sig"))))
    assert rows[0][0] == "镇（街道） / Township"
