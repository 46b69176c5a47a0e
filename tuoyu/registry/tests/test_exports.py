"""The institution list as .xlsx and .csv: same filters and scope as the page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.registry.models import Dataset


def _export(client: Client, fmt: str, **query: Any) -> Any:
    response = client.get(reverse("registry:institution_export", kwargs={"fmt": fmt}), query)
    assert response.status_code == 200
    return response


def _xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook["data"].iter_rows(values_only=True))


def _csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_xlsx_opens_and_has_a_chinese_and_an_english_header_and_one_row_per_institution(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = _export(role_clients["admin"], "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = _xlsx_rows(response)
    assert rows[0][:2] == ("统一社会信用代码", "机构名称")
    assert rows[1][:2] == ("Unified social credit code", "Institution")
    names = {row[1] for row in rows[2:]}
    assert names == {registry.kindergarten_a.name, registry.nursery_a.name, registry.family_b.name}
    nursery = next(row for row in rows[2:] if row[1] == registry.nursery_a.name)
    assert nursery[2:7] == (registry.township_a.name, "独立托育机构", "民办", "是 / yes", "已备案")
    assert nursery[8:] == (15, 12, 0)  # slots, children, violations


@pytest.mark.django_db
def test_the_csv_starts_with_a_byte_order_mark_and_has_the_rows(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = _export(role_clients["admin"], "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(response)
    assert rows[0][0] == "统一社会信用代码 / Unified social credit code"
    assert {row[1] for row in rows[1:]} == {
        registry.kindergarten_a.name,
        registry.nursery_a.name,
        registry.family_b.name,
    }


@pytest.mark.django_db
def test_the_export_is_scoped_like_the_list(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    township = {row[1] for row in _csv_rows(_export(role_clients["township"], "csv"))[1:]}
    assert township == {registry.kindergarten_a.name, registry.nursery_a.name}
    operator = {row[1] for row in _xlsx_rows(_export(role_clients["operator"], "xlsx"))[2:]}
    assert operator == {registry.nursery_a.name}


@pytest.mark.django_db
def test_the_export_follows_the_filters(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    rows = _csv_rows(_export(role_clients["admin"], "csv", form="family"))
    assert [row[1] for row in rows[1:]] == [registry.family_b.name]


@pytest.mark.django_db
def test_the_xlsx_says_the_data_is_synthetic_when_it_is(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    plain = load_workbook(io.BytesIO(_export(role_clients["admin"], "xlsx").content))
    assert "合成" not in " ".join(str(row[0]) for row in plain["README"].iter_rows(values_only=True))
    Dataset.objects.create(name="示例", synthetic=True)
    response = _export(role_clients["admin"], "xlsx")
    assert "synthetic-" in response["Content-Disposition"]
    readme = " ".join(
        str(row[0])
        for row in load_workbook(io.BytesIO(response.content))["README"].iter_rows(values_only=True)
    )
    assert "示例数据（合成）" in readme and "Synthetic demo data" in readme


@pytest.mark.django_db
def test_no_export_carries_an_id_number(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    for fmt in ("csv", "xlsx"):
        assert resident_id(1).encode() not in _export(role_clients["admin"], fmt).content
