"""Importing surveyed township boundaries: the GeoJSON checks, the service, the page and
the command. Every import is all or nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tuoyu.accounts.models import User
from tuoyu.conftest import AS_OF, SmallRegistry
from tuoyu.registry import boundaries, services
from tuoyu.registry.boundaries import BoundaryImportError
from tuoyu.registry.models import Township

CODE_A = "331082001000"
CODE_B = "331082100000"


def _square(lon: float, lat: float, size: float = 0.05) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(geometry: Any = None, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": _square(121.1, 28.8) if geometry is None else geometry,
    }


def _collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


SQUARE_A = _square(121.1, 28.85)
SQUARE_B = _square(120.9, 28.95)


def _both() -> bytes:
    return _collection(
        _feature(SQUARE_A, code=CODE_A, name="示例街道甲"), _feature(SQUARE_B, code=CODE_B, name="示例镇乙")
    )


def _townships() -> list[tuple[str, Any, bool]]:
    return list(Township.objects.order_by("code").values_list("code", "boundary", "boundary_approximate"))


@pytest.fixture
def approximate(registry: SmallRegistry) -> list[tuple[str, Any, bool]]:
    """Both townships with approximate (Voronoi-like) boundaries, as the demo leaves them."""
    for township, lon in ((registry.township_a, 121.0), (registry.township_b, 120.8)):
        township.boundary = _square(lon, 28.7, 0.2)
        township.boundary_approximate = True
        township.save()
    return _townships()


def _import(actor: User, data: bytes, **options: Any) -> boundaries.BoundaryImportResult:
    return services.township_boundaries_import(actor=actor, data=data, **options)


# The service: a valid import --------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_import_updates_both_townships_and_clears_approximate(
    admin_user: User, approximate: list[Any]
) -> None:
    result = _import(admin_user, _both())
    assert result.updated == 2
    assert result.without_boundary == ()
    assert _townships() == [(CODE_A, SQUARE_A, False), (CODE_B, SQUARE_B, False)]


@pytest.mark.django_db
def test_townships_can_be_matched_by_name(admin_user: User, approximate: list[Any]) -> None:
    data = _collection(_feature(SQUARE_B, name=" 示例镇乙 "), _feature(SQUARE_A, name="示例街道甲"))
    result = _import(admin_user, data, match="name")
    assert result.updated == 2
    assert _townships() == [(CODE_A, SQUARE_A, False), (CODE_B, SQUARE_B, False)]


@pytest.mark.django_db
def test_the_property_holding_the_code_can_be_named(admin_user: User, approximate: list[Any]) -> None:
    data = _collection(_feature(SQUARE_A, adcode=int(CODE_A)), _feature(SQUARE_B, adcode=CODE_B))
    assert _import(admin_user, data, property_name="adcode").updated == 2


@pytest.mark.django_db
def test_a_multipolygon_is_kept_with_plain_longitude_latitude_positions(
    admin_user: User, registry: SmallRegistry
) -> None:
    with_altitude = [[[121.0, 28.8, 5], [121.1, 28.8, 5], [121.1, 28.9, 5], [121.0, 28.8, 5]]]
    islands = {"type": "MultiPolygon", "coordinates": [SQUARE_A["coordinates"], with_altitude]}
    _import(admin_user, _collection(_feature(islands, code=CODE_A)))
    registry.township_a.refresh_from_db()
    assert registry.township_a.boundary == {
        "type": "MultiPolygon",
        "coordinates": [
            SQUARE_A["coordinates"],
            [[[121.0, 28.8], [121.1, 28.8], [121.1, 28.9], [121.0, 28.8]]],
        ],
    }


@pytest.mark.django_db
def test_a_township_left_out_is_a_warning_not_an_error(admin_user: User, approximate: list[Any]) -> None:
    result = _import(admin_user, _collection(_feature(SQUARE_A, code=CODE_A)))
    assert result.updated == 1
    assert [township.code for township in result.without_boundary] == [CODE_B]
    assert "示例镇乙（331082100000）" in result.warning()
    assert _townships()[1] == approximate[1]  # B keeps its approximate shape


@pytest.mark.django_db
def test_a_township_imported_before_is_not_reported_as_left_without_a_boundary(
    admin_user: User, approximate: list[Any]
) -> None:
    _import(admin_user, _collection(_feature(SQUARE_B, code=CODE_B)))
    result = _import(admin_user, _collection(_feature(SQUARE_A, code=CODE_A)))
    assert result.without_boundary == ()
    assert result.warning() == ""


@pytest.mark.django_db
def test_the_audit_log_names_who_imported(admin_user: User, registry: SmallRegistry) -> None:
    _import(admin_user, _both())
    for township in (registry.township_a, registry.township_b):
        entry = LogEntry.objects.get_for_object(township).order_by("-pk").first()
        assert entry is not None
        assert entry.actor == admin_user
        assert "boundary_approximate" in entry.changes_dict


# The service: every problem, nothing saved ------------------------------------------------

NOT_A_COLLECTION = json.dumps(_feature(SQUARE_A, code=CODE_A)).encode()
UNKNOWN_CODE = _collection(
    _feature(SQUARE_A, code=CODE_A), _feature(SQUARE_B, code=CODE_B), _feature(code="331082999000")
)
POINT = _collection(_feature({"type": "Point", "coordinates": [121.1, 28.8]}, code=CODE_A))
UNCLOSED = _collection(
    _feature(SQUARE_A, code=CODE_A),
    _feature(
        {"type": "Polygon", "coordinates": [[[120.9, 28.9], [121.0, 28.9], [121.0, 29.0], [120.9, 29.0]]]},
        code=CODE_B,
    ),
)
SWAPPED = _collection(
    _feature(SQUARE_A, code=CODE_A),
    _feature(
        {"type": "Polygon", "coordinates": [[[28.9, 120.9], [28.9, 121.0], [29.0, 121.0], [28.9, 120.9]]]},
        code=CODE_B,
    ),
)
DUPLICATE = _collection(
    _feature(SQUARE_A, code=CODE_A), _feature(SQUARE_B, code=CODE_B), _feature(SQUARE_B, code=CODE_B)
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"{not json", "文件不是有效的 JSON（第 1 行第 2 列", id="not-json"),
        pytest.param(
            NOT_A_COLLECTION, '文件不是 GeoJSON FeatureCollection（type 为 "Feature"）', id="feature"
        ),
        pytest.param(UNKNOWN_CODE, "第 3 个要素（331082999000）：找不到该区划代码的镇（街道）", id="unknown"),
        pytest.param(
            POINT,
            '第 1 个要素（331082001000）：几何类型 "Point" 不受支持，须为 Polygon 或 MultiPolygon',
            id="point",
        ),
        pytest.param(UNCLOSED, "第 2 个要素（331082100000）：第 1 个环未闭合：首尾坐标须相同", id="unclosed"),
        pytest.param(
            SWAPPED,
            "第 2 个要素（331082100000）：第 1 个环的第 1 个坐标 [28.9, 120.9] 超出范围",
            id="out-of-range",
        ),
        pytest.param(
            DUPLICATE,
            "第 3 个要素（331082100000）：与第 2 个要素重复：都是「示例镇乙（331082100000）」",
            id="duplicate",
        ),
    ],
)
def test_a_bad_file_changes_no_township_and_names_the_feature(
    data: bytes, expected: str, admin_user: User, approximate: list[Any]
) -> None:
    with pytest.raises(BoundaryImportError) as raised:
        _import(admin_user, data)
    assert any(message.startswith(expected) for message in raised.value.messages), raised.value.messages
    assert _townships() == approximate


@pytest.mark.django_db
def test_problems_read_in_english_too(admin_user: User, approximate: list[Any]) -> None:
    with translation.override("en"), pytest.raises(BoundaryImportError) as raised:
        _import(admin_user, UNKNOWN_CODE)
    assert raised.value.messages == ["feature 3 (331082999000): no township with this code"]


@pytest.mark.django_db
def test_every_problem_is_listed_at_once_in_feature_order(admin_user: User, approximate: list[Any]) -> None:
    data = _collection(
        _feature(SQUARE_A, code=CODE_A),
        _feature({"type": "LineString", "coordinates": [[121, 28], [121.1, 28]]}, code="331082999000"),
        {"type": "Feature", "properties": {"name": "无代码"}, "geometry": SQUARE_B},
        _feature(SQUARE_B, code=CODE_A),
    )
    with pytest.raises(BoundaryImportError) as raised:
        _import(admin_user, data)
    assert [problem.index for problem in raised.value.problems] == [2, 2, 3, 4]
    assert raised.value.messages[2] == "第 3 个要素：缺少属性 code"
    assert raised.value.messages[3].startswith("第 4 个要素（331082001000）：与第 1 个要素重复")
    assert _townships() == approximate


@pytest.mark.django_db
def test_a_name_shared_by_two_townships_must_be_imported_by_code(
    admin_user: User, registry: SmallRegistry
) -> None:
    Township.objects.filter(pk=registry.township_b.pk).update(name="示例街道甲")
    with pytest.raises(BoundaryImportError) as raised:
        _import(admin_user, _collection(_feature(SQUARE_A, name="示例街道甲")), match="name")
    assert raised.value.messages == ["第 1 个要素（示例街道甲）：有 2 个镇（街道）同名，请改按区划代码导入"]


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(admin_user: User, approximate: list[Any]) -> None:
    data = _both() + b" " * boundaries.MAX_BYTES
    with pytest.raises(BoundaryImportError) as raised:
        _import(admin_user, data)
    assert raised.value.messages == ["文件大小 20.0 MB，超过 20 MB 的上限。"]
    assert _townships() == approximate


@pytest.mark.django_db
@pytest.mark.parametrize("role_user", ["operator_user", "township_user", "public_user"])
def test_only_a_bureau_admin_may_import(
    role_user: str, request: pytest.FixtureRequest, approximate: list[Any]
) -> None:
    actor = request.getfixturevalue(role_user)
    with pytest.raises(PermissionDenied):
        _import(actor, _both())
    assert _townships() == approximate


# The checks, without the database ---------------------------------------------------------


def _problems(data: bytes, **options: Any) -> list[str]:
    return [str(problem) for problem in boundaries.parse_collection(data, **options).problems]


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (None, "没有几何图形（geometry）"),
        ({"type": "Polygon", "coordinates": []}, "Polygon 的坐标须为非空的环列表"),
        ({"type": "MultiPolygon", "coordinates": [[]]}, "第 1 个面须为非空的环列表"),
        (
            {"type": "Polygon", "coordinates": [[[121, 28], [121.1, 28], [121, 28]]]},
            "第 1 个环须至少有 4 个坐标点",
        ),
        (
            {"type": "Polygon", "coordinates": [[[121, 28], [121.1, "28"], [121.1, 28.1], [121, 28]]]},
            "第 1 个环的第 2 个坐标不是 [经度, 纬度] 数值对",
        ),
        (
            {"type": "Polygon", "coordinates": [[[121, 28], [121.1, True], [121.1, 28.1], [121, 28]]]},
            "第 1 个环的第 2 个坐标不是 [经度, 纬度] 数值对",
        ),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [SQUARE_A["coordinates"], [[[121, 28], [181, 28], [121, 28.1], [121, 28]]]],
            },
            "第 2 个面的第 1 个环的第 2 个坐标 [181, 28] 超出范围",
        ),
    ],
)
def test_each_geometry_problem_is_explained(geometry: Any, expected: str) -> None:
    feature = _feature(code=CODE_A)
    feature["geometry"] = geometry
    [problem] = _problems(_collection(feature))
    assert problem.startswith(f"第 1 个要素（{CODE_A}）：{expected}")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe{}", "文件不是 UTF-8 编码（第 1 个字节）。"),
        (b'{"type": "FeatureCollection", "features": [NaN]}', "文件不是有效的 JSON。"),
        (b'{"type": "FeatureCollection"}', "FeatureCollection 缺少 features 列表。"),
        (b'{"type": "FeatureCollection", "features": []}', "文件中没有任何要素。"),
        (b'{"type": "FeatureCollection", "features": [1]}', "第 1 个要素：不是 GeoJSON Feature 对象"),
        (_collection(_feature(code="3310820010")), "第 1 个要素（3310820010）：属性 code 须为 12 位区划代码"),
        (_collection(_feature(name=" ")), "第 1 个要素（ ）：属性 name 须为非空文本"),
    ],
)
def test_each_file_problem_is_explained(data: bytes, expected: str) -> None:
    match = "name" if b'"name"' in data else "code"
    assert _problems(data, match=match) == [expected]


def test_a_byte_order_mark_is_allowed() -> None:
    parsed = boundaries.parse_collection("\ufeff".encode() + _both())
    assert parsed.problems == ()
    assert [feature.key for feature in parsed.features] == [CODE_A, CODE_B]


# The page ---------------------------------------------------------------------------------


def _upload(client: Client, data: bytes, **fields: str) -> Any:
    upload = SimpleUploadedFile("townships.geojson", data, content_type="application/geo+json")
    return client.post(
        reverse("registry:boundary_import"), {"file": upload, "match": "code", "property_name": "", **fields}
    )


@pytest.mark.django_db
def test_the_page_imports_and_goes_to_the_dashboard(
    role_clients: dict[str, Client], approximate: list[Any]
) -> None:
    response = _upload(role_clients["admin"], _both())
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:dashboard")
    page = role_clients["admin"].get(response["Location"]).content.decode()
    assert "已导入 2 个镇（街道）的边界" in page
    assert [approximate for _code, _boundary, approximate in _townships()] == [False, False]


@pytest.mark.django_db
def test_the_page_matches_by_a_named_property(
    role_clients: dict[str, Client], approximate: list[Any]
) -> None:
    data = _collection(_feature(SQUARE_A, NAME="示例街道甲"), _feature(SQUARE_B, NAME="示例镇乙"))
    response = _upload(role_clients["admin"], data, match="name", property_name="NAME")
    assert response.status_code == 302
    assert _townships() == [(CODE_A, SQUARE_A, False), (CODE_B, SQUARE_B, False)]


@pytest.mark.django_db
def test_the_page_lists_every_problem_and_keeps_nothing(
    role_clients: dict[str, Client], approximate: list[Any]
) -> None:
    response = _upload(role_clients["admin"], UNKNOWN_CODE)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="boundary-problems"' in content
    assert "第 3 个要素（331082999000）：找不到该区划代码的镇（街道）" in content
    assert "未保存任何内容" in content
    assert _townships() == approximate


@pytest.mark.django_db
def test_the_page_refuses_a_file_over_the_size_limit(
    role_clients: dict[str, Client], approximate: list[Any]
) -> None:
    response = _upload(role_clients["admin"], b" " * (boundaries.MAX_BYTES + 1))
    assert response.status_code == 200
    assert "超过 20 MB 的上限" in response.context["form"].errors["file"][0]
    assert _townships() == approximate


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("township", 403), ("operator", 403), ("public", 403), ("anonymous", 302)]
)
def test_only_a_bureau_admin_may_upload(
    role: str, status: int, role_clients: dict[str, Client], approximate: list[Any]
) -> None:
    response = _upload(role_clients[role], _both())
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    assert _townships() == approximate


@pytest.mark.django_db
def test_after_a_full_import_the_map_no_longer_says_approximate(
    role_clients: dict[str, Client], approximate: list[Any]
) -> None:
    dashboard = reverse("indicators:dashboard")
    before = role_clients["public"].get(dashboard, {"as_of": AS_OF.isoformat()}).content.decode()
    assert "边界为示意，非精确" in before
    assert _upload(role_clients["admin"], _both()).status_code == 302
    response = role_clients["public"].get(dashboard, {"as_of": AS_OF.isoformat()})
    assert response.context["chart_data"]["approximate"] is False
    assert response.context["chart_data"]["geojson"]["features"][0]["geometry"] == SQUARE_A
    assert "边界为示意，非精确" not in response.content.decode()


@pytest.mark.django_db
def test_the_bureau_admin_finds_the_page_in_the_navigation(role_clients: dict[str, Client]) -> None:
    url = reverse("registry:boundary_import")
    assert url in role_clients["admin"].get(reverse("indicators:dashboard")).content.decode()
    assert url not in role_clients["township"].get(reverse("indicators:dashboard")).content.decode()


# The command ------------------------------------------------------------------------------


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "townships.geojson"
    path.write_bytes(data)
    return str(path)


@pytest.mark.django_db
def test_the_command_imports_as_the_named_bureau_admin(
    tmp_path: Path, admin_user: User, approximate: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_township_boundaries", _write(tmp_path, _both()), "--as", admin_user.username)
    out = capsys.readouterr().out
    assert "已导入 2 个镇（街道）的边界" in out
    assert "Imported the boundaries of 2 townships" in out
    assert _townships() == [(CODE_A, SQUARE_A, False), (CODE_B, SQUARE_B, False)]
    entry = LogEntry.objects.get_for_object(Township.objects.get(code=CODE_A)).order_by("-pk").first()
    assert entry is not None and entry.actor == admin_user


@pytest.mark.django_db
def test_the_command_matches_by_name_and_warns_of_townships_left_out(
    tmp_path: Path, admin_user: User, approximate: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _collection(_feature(SQUARE_A, 名称="示例街道甲")))
    call_command("import_township_boundaries", path, "--as", "admin", "--match", "name", "--property", "名称")
    out = capsys.readouterr().out
    assert "以下 1 个镇（街道）仍没有导入的边界：示例镇乙（331082100000）" in out
    assert "1 townships still have no imported boundary" in out


@pytest.mark.django_db
def test_the_command_lists_every_problem_in_both_languages_and_saves_nothing(
    tmp_path: Path, admin_user: User, approximate: list[Any]
) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("import_township_boundaries", _write(tmp_path, UNKNOWN_CODE), "--as", "admin")
    message = str(raised.value)
    assert "发现 1 个问题，未保存任何内容" in message
    assert (
        "第 3 个要素（331082999000）：找不到该区划代码的镇（街道） / "
        "feature 3 (331082999000): no township with this code"
    ) in message
    assert _townships() == approximate


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "file_name", "expected"),
    [
        ("operator", "townships.geojson", "仅市卫健局管理员可执行此操作。"),
        ("nobody", "townships.geojson", "no such user: nobody"),
        ("admin", "missing.geojson", "no such file"),
    ],
)
def test_the_command_fails_with_a_clear_message(
    username: str,
    file_name: str,
    expected: str,
    tmp_path: Path,
    admin_user: User,
    operator_user: User,
    approximate: list[Any],
) -> None:
    _write(tmp_path, _both())
    with pytest.raises(CommandError, match=expected):
        call_command("import_township_boundaries", str(tmp_path / file_name), "--as", username)
    assert _townships() == approximate


@pytest.mark.django_db
def test_the_command_refuses_a_file_over_the_size_limit_before_reading_it(
    tmp_path: Path, admin_user: User, approximate: list[Any]
) -> None:
    path = tmp_path / "huge.geojson"
    with path.open("wb") as file:
        file.truncate(boundaries.MAX_BYTES + 1)  # sparse: nothing is written
    expected = "文件大小 20.0 MB，超过 20 MB 的上限。 / The file is 20.0 MB, over the 20 MB limit."
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("import_township_boundaries", str(path), "--as", "admin")
    assert _townships() == approximate
