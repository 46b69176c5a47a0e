"""Township boundaries from GeoJSON: parsing and validation, as pure functions.

The demo's township shapes are approximate (Voronoi cells); a real deployment imports
surveyed boundaries as a GeoJSON ``FeatureCollection`` with one feature per township. A
feature names its township by a property: its 12-digit division code (``code`` by
default) or its name. Its geometry must be a ``Polygon`` or a ``MultiPolygon`` of numeric
``[longitude, latitude]`` positions in range, each ring closed and of at least 4 positions.

Nothing here touches the database: :func:`parse_collection` checks the file and every
feature, :func:`match_features` pairs the features with the registry's townships, and
both return every :class:`Problem` found, each naming the feature (1-based) and its code
or name, so one round of corrections fixes them all. Saving is the service's job
(``services.township_boundaries_import``), and it saves nothing when there is a problem.

Messages are Chinese message ids rendered in the active language when shown.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

MAX_BYTES = 20 * 1024 * 1024
MAX_MEGABYTES = MAX_BYTES // (1024 * 1024)
MATCH_CODE = "code"
MATCH_NAME = "name"
MATCHES = (MATCH_CODE, MATCH_NAME)
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
MIN_RING_POSITIONS = 4
_CODE = re.compile(r"\d{12}")


@dataclass(frozen=True)
class Phrase:
    """A message id (Chinese, marked with ``gettext_noop``) and its parameters.

    Rendered in the active language by ``str()``; a parameter may itself be a phrase.
    """

    message: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        text = gettext(self.message)
        if not self.params:
            return text
        return text % {
            name: str(value) if isinstance(value, Phrase) else value for name, value in self.params
        }


def _phrase(message: str, **params: object) -> Phrase:
    return Phrase(message, tuple(params.items()))


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file (``index`` None) or with its feature number ``index``."""

    phrase: Phrase
    index: int | None = None
    label: str = ""

    def __str__(self) -> str:
        if self.index is None:
            return str(self.phrase)
        if self.label:
            return gettext("第 %(index)d 个要素（%(label)s）：%(problem)s") % {
                "index": self.index,
                "label": self.label,
                "problem": self.phrase,
            }
        return gettext("第 %(index)d 个要素：%(problem)s") % {"index": self.index, "problem": self.phrase}


@dataclass(frozen=True)
class BoundaryFeature:
    """A feature that names a township; ``geometry`` is None when it is invalid."""

    index: int
    key: str
    geometry: dict[str, Any] | None


@dataclass(frozen=True)
class ParsedCollection:
    features: tuple[BoundaryFeature, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class KnownTownship:
    """A township of the registry, as the matching sees it."""

    pk: int
    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


@dataclass(frozen=True)
class BoundaryImportResult:
    """What an import changed: how many townships got a boundary, and which townships
    still have none, or only an approximate one (a warning, not an error)."""

    updated: int
    without_boundary: tuple[KnownTownship, ...]

    def summary(self) -> str:
        return gettext("已导入 %(count)d 个镇（街道）的边界，不再标注为近似。") % {"count": self.updated}

    def warning(self) -> str:
        """Empty when every township has an imported boundary."""
        if not self.without_boundary:
            return ""
        return gettext("以下 %(count)d 个镇（街道）仍没有导入的边界：%(townships)s") % {
            "count": len(self.without_boundary),
            "townships": "、".join(str(township) for township in self.without_boundary),
        }


class BoundaryImportError(ValidationError):
    """The problems that stopped an import (nothing was saved): a ``ValidationError`` with
    a message per problem, keeping the problems to render them in another language."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__([str(problem) for problem in self.problems])


# The file -------------------------------------------------------------------------------


def too_large(size: int) -> Problem | None:
    if size > MAX_BYTES:
        return Problem(
            _phrase(
                gettext_noop("文件大小 %(size).1f MB，超过 %(limit)d MB 的上限。"),
                size=size / (1024 * 1024),
                limit=MAX_MEGABYTES,
            )
        )
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def parse_collection(data: bytes, *, match: str = MATCH_CODE, property_name: str = "") -> ParsedCollection:
    """Read a GeoJSON FeatureCollection and check every feature.

    ``match`` says what the features name their township by (``code`` or ``name``), and
    ``property_name`` which property holds it (by default the same as ``match``). Returns
    the features that name a township (with their geometry, or None when it is invalid)
    and every problem found, in feature order.
    """
    if match not in MATCHES:
        raise ValueError(f"match must be one of {MATCHES}, not {match!r}")
    big = too_large(len(data))
    if big is not None:
        return ParsedCollection((), (big,))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = _phrase(gettext_noop("文件不是 UTF-8 编码（第 %(byte)d 个字节）。"), byte=error.start + 1)
        return ParsedCollection((), (Problem(problem),))
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        problem = _phrase(
            gettext_noop("文件不是有效的 JSON（第 %(line)d 行第 %(column)d 列：%(reason)s）。"),
            line=error.lineno,
            column=error.colno,
            reason=error.msg,
        )
        return ParsedCollection((), (Problem(problem),))
    except (ValueError, RecursionError):
        return ParsedCollection((), (Problem(_phrase(gettext_noop("文件不是有效的 JSON。"))),))
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        found = document.get("type") if isinstance(document, dict) else None
        problem = _phrase(
            gettext_noop("文件不是 GeoJSON FeatureCollection（type 为 %(found)s）。"),
            found=json.dumps(found, ensure_ascii=False)[:40],
        )
        return ParsedCollection((), (Problem(problem),))
    raw_features = document.get("features")
    if not isinstance(raw_features, list):
        problem = _phrase(gettext_noop("FeatureCollection 缺少 features 列表。"))
        return ParsedCollection((), (Problem(problem),))
    if not raw_features:
        return ParsedCollection((), (Problem(_phrase(gettext_noop("文件中没有任何要素。"))),))
    prop = property_name.strip() or match
    features: list[BoundaryFeature] = []
    problems: list[Problem] = []
    for index, raw in enumerate(raw_features, start=1):
        feature, found = _feature(raw, index=index, match=match, prop=prop)
        if feature is not None:
            features.append(feature)
        problems.extend(found)
    return ParsedCollection(tuple(features), tuple(problems))


# One feature ----------------------------------------------------------------------------


def _feature(raw: Any, *, index: int, match: str, prop: str) -> tuple[BoundaryFeature | None, list[Problem]]:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        return None, [Problem(_phrase(gettext_noop("不是 GeoJSON Feature 对象")), index)]
    properties = raw.get("properties")
    value = properties.get(prop) if isinstance(properties, dict) else None
    key, key_problem = _key(value, match=match, prop=prop)
    label = key if key else (str(value)[:40] if value is not None else "")
    problems = [] if key_problem is None else [Problem(key_problem, index, label)]
    geometry, geometry_problem = _geometry(raw.get("geometry"))
    if geometry_problem is not None:
        problems.append(Problem(geometry_problem, index, label))
    if key is None:
        return None, problems
    return BoundaryFeature(index, key, geometry), problems


def _key(value: Any, *, match: str, prop: str) -> tuple[str | None, Phrase | None]:
    if value is None:
        return None, _phrase(gettext_noop("缺少属性 %(property)s"), property=prop)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    key = value.strip() if isinstance(value, str) else ""
    if match == MATCH_CODE and not _CODE.fullmatch(key):
        return None, _phrase(gettext_noop("属性 %(property)s 须为 12 位区划代码"), property=prop)
    if not key:
        return None, _phrase(gettext_noop("属性 %(property)s 须为非空文本"), property=prop)
    return key, None


def _geometry(raw: Any) -> tuple[dict[str, Any] | None, Phrase | None]:
    """The geometry with plain ``[lon, lat]`` positions, or the first thing wrong with it."""
    if raw is None:
        return None, _phrase(gettext_noop("没有几何图形（geometry）"))
    if not isinstance(raw, dict):
        return None, _phrase(gettext_noop("几何图形（geometry）不是 GeoJSON 对象"))
    kind = raw.get("type")
    if kind not in GEOMETRY_TYPES:
        return None, _phrase(
            gettext_noop("几何类型 %(type)s 不受支持，须为 Polygon 或 MultiPolygon"),
            type=json.dumps(kind, ensure_ascii=False)[:40],
        )
    coordinates = raw.get("coordinates")
    if kind == "Polygon":
        rings, problem = _polygon(coordinates, polygon=None)
        if problem is not None:
            return None, problem
        return {"type": kind, "coordinates": rings}, None
    if not isinstance(coordinates, list) or not coordinates:
        return None, _phrase(gettext_noop("MultiPolygon 的坐标须为非空的面列表"))
    polygons = []
    for number, polygon in enumerate(coordinates, start=1):
        rings, problem = _polygon(polygon, polygon=number)
        if problem is not None:
            return None, problem
        polygons.append(rings)
    return {"type": kind, "coordinates": polygons}, None


def _where(polygon: int | None, ring: int) -> Phrase:
    if polygon is None:
        return _phrase(gettext_noop("第 %(ring)d 个环"), ring=ring)
    return _phrase(gettext_noop("第 %(polygon)d 个面的第 %(ring)d 个环"), polygon=polygon, ring=ring)


def _polygon(raw: Any, *, polygon: int | None) -> tuple[list[list[list[float]]], Phrase | None]:
    if not isinstance(raw, list) or not raw:
        if polygon is None:
            return [], _phrase(gettext_noop("Polygon 的坐标须为非空的环列表"))
        return [], _phrase(gettext_noop("第 %(polygon)d 个面须为非空的环列表"), polygon=polygon)
    rings = []
    for number, ring in enumerate(raw, start=1):
        where = _where(polygon, number)
        if not isinstance(ring, list) or len(ring) < MIN_RING_POSITIONS:
            return [], _phrase(
                gettext_noop("%(where)s须至少有 %(minimum)d 个坐标点"),
                where=where,
                minimum=MIN_RING_POSITIONS,
            )
        positions = []
        for point, position in enumerate(ring, start=1):
            parsed, problem = _position(position, where=where, point=point)
            if problem is not None:
                return [], problem
            positions.append(parsed)
        if positions[0] != positions[-1]:
            return [], _phrase(gettext_noop("%(where)s未闭合：首尾坐标须相同"), where=where)
        rings.append(positions)
    return rings, None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _position(raw: Any, *, where: Phrase, point: int) -> tuple[list[float], Phrase | None]:
    if not isinstance(raw, list) or len(raw) < 2 or not all(_number(value) for value in raw):
        return [], _phrase(
            gettext_noop("%(where)s的第 %(point)d 个坐标不是 [经度, 纬度] 数值对"), where=where, point=point
        )
    lon, lat = raw[0], raw[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [], _phrase(
            gettext_noop(
                "%(where)s的第 %(point)d 个坐标 [%(lon)s, %(lat)s] 超出范围"
                "（经度 -180 至 180，纬度 -90 至 90；顺序须为 [经度, 纬度]）"
            ),
            where=where,
            point=point,
            lon=lon,
            lat=lat,
        )
    return [lon, lat], None


# Matching -------------------------------------------------------------------------------


def match_features(
    features: Sequence[BoundaryFeature], townships: Sequence[KnownTownship], *, match: str
) -> tuple[dict[int, BoundaryFeature], list[Problem]]:
    """Pair each feature with its township: township pk -> feature, and the problems
    (no such township, a name shared by several townships, two features for one township)."""
    by_key: dict[str, list[KnownTownship]] = {}
    for township in townships:
        by_key.setdefault(township.code if match == MATCH_CODE else township.name, []).append(township)
    matched: dict[int, BoundaryFeature] = {}
    problems: list[Problem] = []
    for feature in features:
        candidates = by_key.get(feature.key, [])
        if not candidates:
            message = (
                gettext_noop("找不到该区划代码的镇（街道）")
                if match == MATCH_CODE
                else gettext_noop("找不到该名称的镇（街道）")
            )
            problems.append(Problem(Phrase(message), feature.index, feature.key))
        elif len(candidates) > 1:
            problem = _phrase(
                gettext_noop("有 %(count)d 个镇（街道）同名，请改按区划代码导入"), count=len(candidates)
            )
            problems.append(Problem(problem, feature.index, feature.key))
        elif candidates[0].pk in matched:
            first = matched[candidates[0].pk]
            problem = _phrase(
                gettext_noop("与第 %(first)d 个要素重复：都是「%(township)s」"),
                first=first.index,
                township=str(candidates[0]),
            )
            problems.append(Problem(problem, feature.index, feature.key))
        else:
            matched[candidates[0].pk] = feature
    return matched, problems


def problems_in_order(*groups: Sequence[Problem]) -> list[Problem]:
    """All problems, those of the whole file first, then by feature number."""
    every = [problem for group in groups for problem in group]
    return sorted(every, key=lambda problem: problem.index or 0)
