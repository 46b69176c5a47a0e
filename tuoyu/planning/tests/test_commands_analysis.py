"""The access_report, forecast_children and import_demand_zones commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import connections

from tuoyu.accounts.models import User
from tuoyu.conftest import SmallRegistry
from tuoyu.planning.models import DemandZone
from tuoyu.planning.tests.test_access import two_zones

HEADER = "code,name,township_code,latitude,longitude,year,children_under_3,children_under_2\n"


def _run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


# access_report ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_report_prints_one_csv_row_per_zone(registry: SmallRegistry) -> None:
    two_zones(registry)
    rows = list(
        csv.DictReader(io.StringIO(_run("access_report", "--as-of", "2025-12-31", "--method", "2sfca")))
    )
    assert [row["code"] for row in rows] == ["Z1", "Z2"]
    assert float(rows[0]["young_access"]) == pytest.approx(0.125)
    assert rows[0]["young_desert"] == "True" and rows[1]["young_desert"] == "False"
    assert float(rows[0]["older_slots_in_reach"]) == 20


@pytest.mark.django_db
def test_access_report_prints_json_with_the_summary(registry: SmallRegistry) -> None:
    two_zones(registry)
    payload = json.loads(
        _run("access_report", "--as-of", "2025-12-31", "--catchment", "1500", "--format", "json")
    )
    assert payload["summary"]["parameters"]["steps"] == "500:1,1000:0.68,1500:0.22"
    assert payload["summary"]["groups"]["young"]["zones"] == 2
    assert payload["zones"][0]["code"] == "Z1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--as-of", "2025-13-01"), "--as-of"),
        (("--catchment", "10"), "--catchment"),
        (("--steps", "1000:2"), "--steps"),
        (("--circuity", "0.5"), "--circuity"),
    ],
)
def test_access_report_refuses_bad_options_naming_them(
    registry: SmallRegistry, args: tuple[str, ...], option: str
) -> None:
    with pytest.raises(CommandError, match=option):
        _run("access_report", *args)


# forecast_children --------------------------------------------------------------------------


@pytest.mark.django_db
def test_forecast_children_prints_city_and_townships_by_year(registry: SmallRegistry) -> None:
    rows = list(csv.DictReader(io.StringIO(_run("forecast_children"))))
    city = [row for row in rows if row["area"] == "city"]
    assert [row["year"] for row in city] == ["2025", "2026", "2027", "2028"]
    assert [row["forecast"] for row in city] == ["0", "1", "1", "1"]
    assert float(city[1]["children_under_3"]) == 900
    assert city[0]["slots_needed"] == "" and float(city[1]["slots_needed"]) == pytest.approx(212)
    assert {row["area"] for row in rows} == {"city", registry.township_a.code, registry.township_b.code}


@pytest.mark.django_db
def test_forecast_children_prints_json_with_the_assumptions(registry: SmallRegistry) -> None:
    payload = json.loads(
        _run("forecast_children", "--birth-trend", "-0.1", "--horizon", "2", "--format", "json")
    )
    assert payload["birth_trend"] == -0.1 and payload["horizon"] == 2
    town_a = payload["areas"][1]
    assert town_a["birth_trend"] == pytest.approx(-0.1)
    assert [year["year"] for year in town_a["years"]] == [2025, 2026, 2027]
    assert town_a["years"][1]["children_under_3"] == pytest.approx(580)


@pytest.mark.django_db
def test_forecast_children_refuses_a_bad_horizon(registry: SmallRegistry) -> None:
    with pytest.raises(CommandError, match="--horizon"):
        _run("forecast_children", "--horizon", "0")


# import_demand_zones ------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_demand_zones_imports_a_good_file(
    registry: SmallRegistry, admin_user: User, tmp_path: Path
) -> None:
    path = tmp_path / "zones.csv"
    path.write_text("\ufeff" + HEADER + f"N1,新村,{registry.township_a.code},28.86,121.12,2025,70,40\n")
    assert "imported 1 demand zones" in _run("import_demand_zones", str(path), "--as", admin_user.username)
    assert DemandZone.objects.get(code="N1").children_under_2 == 40


@pytest.mark.django_db
def test_import_demand_zones_refuses_a_bad_row_naming_row_and_column(
    registry: SmallRegistry, admin_user: User, tmp_path: Path
) -> None:
    path = tmp_path / "zones.csv"
    path.write_text(
        HEADER
        + f"N1,新村,{registry.township_a.code},28.86,121.12,2025,70,40\n"
        + "N2,旧村,999999999999,28.86,121.12,2025,70,40\n"
    )
    with pytest.raises(CommandError, match="第 3 行，township_code 列"):
        _run("import_demand_zones", str(path), "--as", admin_user.username)
    assert not DemandZone.objects.exists()


@pytest.mark.django_db
def test_import_demand_zones_exits_non_zero_on_errors(
    registry: SmallRegistry, admin_user: User, township_user: User, tmp_path: Path
) -> None:
    path = tmp_path / "zones.csv"
    path.write_text(HEADER + f"N1,新村,{registry.township_a.code},28.86,121.12,2025,70,40\n")
    with pytest.raises(CommandError, match="--as"):
        _run("import_demand_zones", str(path), "--as", township_user.username)  # not the bureau
    with pytest.raises(CommandError, match="--as"):
        _run("import_demand_zones", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="no such file"):
        _run("import_demand_zones", str(tmp_path / "missing.csv"), "--as", admin_user.username)
    assert not DemandZone.objects.exists()


@pytest.mark.django_db
def test_import_demand_zones_exits_with_status_1_from_the_command_line(
    registry: SmallRegistry,
    admin_user: User,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # run_from_argv closes every connection when it ends, the test's own included.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = tmp_path / "zones.csv"
    path.write_text(HEADER + f"N1,新村,{registry.township_a.code},28.86,121.12,2025,70,-1\n")
    command = load_command_class("tuoyu.planning", "import_demand_zones")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(
            ["manage.py", "import_demand_zones", str(path), "--as", admin_user.username, "--skip-checks"]
        )
    assert exited.value.code == 1
    assert "第 2 行，children_under_2 列" in capsys.readouterr().err
    assert not DemandZone.objects.exists()
