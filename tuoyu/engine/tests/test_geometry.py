"""Tests for the demo-map geometry: outline, clipped Voronoi cells, GeoJSON export."""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoyu.engine.geometry import (
    approximate_outline,
    polygon_area,
    polygon_to_geojson,
    township_feature_collection,
    voronoi_cells,
)

FloatArray = npt.NDArray[np.float64]

# (name, lat, lon) — representative positions of Linhai's 19 townships and subdistricts.
LINHAI_TOWNSHIPS: list[tuple[str, float, float]] = [
    ("古城街道", 28.856, 121.118),
    ("大洋街道", 28.865, 121.160),
    ("江南街道", 28.835, 121.145),
    ("大田街道", 28.895, 121.175),
    ("邵家渡街道", 28.870, 121.225),
    ("杜桥镇", 28.770, 121.420),
    ("上盘镇", 28.770, 121.530),
    ("桃渚镇", 28.850, 121.560),
    ("小芝镇", 28.890, 121.370),
    ("东塍镇", 28.925, 121.290),
    ("汛桥镇", 28.930, 121.220),
    ("汇溪镇", 28.990, 121.080),
    ("括苍镇", 28.760, 120.960),
    ("永丰镇", 28.950, 120.990),
    ("河头镇", 28.990, 120.920),
    ("白水洋镇", 28.910, 120.870),
    ("涌泉镇", 28.760, 121.290),
    ("尤溪镇", 28.790, 121.050),
    ("沿江镇", 28.835, 121.030),
]

TOL = 1e-9


def signed_area(poly: FloatArray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def edge_distances(poly: FloatArray, pts: FloatArray) -> FloatArray:
    """Signed distance of each point to each edge line of a CCW polygon (positive = inside)."""
    a = poly
    edge = np.roll(poly, -1, axis=0) - a
    rel = pts[:, None, :] - a[None, :, :]
    cross = edge[None, :, 0] * rel[:, :, 1] - edge[None, :, 1] * rel[:, :, 0]
    return cross / np.hypot(edge[:, 0], edge[:, 1])[None, :]


def inside(poly: FloatArray, pts: FloatArray, tol: float = TOL) -> npt.NDArray[np.bool_]:
    return np.all(edge_distances(poly, pts) >= -tol, axis=1)


def strictly_inside(poly: FloatArray, pts: FloatArray, tol: float = TOL) -> npt.NDArray[np.bool_]:
    return np.all(edge_distances(poly, pts) > tol, axis=1)


def assert_tiling(points: FloatArray, outline: FloatArray, cells: list[FloatArray], rng_seed: int) -> None:
    assert len(cells) == len(points)
    outline_area = polygon_area(outline)
    for point, cell in zip(points, cells, strict=True):
        assert cell.ndim == 2 and cell.shape[1] == 2 and len(cell) >= 3
        assert signed_area(cell) > 0, "cells are counter-clockwise"
        assert inside(cell, point[None, :])[0], "each cell contains its point"
        assert inside(outline, cell).all(), "cell vertices stay inside the outline"
    total = sum(polygon_area(cell) for cell in cells)
    assert total == pytest.approx(outline_area, rel=1e-6)

    # No overlap and the right owner: random samples inside the outline lie strictly
    # inside the cell of their nearest point only.
    rng = np.random.default_rng(rng_seed)
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    samples = rng.uniform(lo, hi, size=(200, 2))
    samples = samples[strictly_inside(outline, samples, 1e-6)]
    dist = np.linalg.norm(samples[:, None, :] - points[None, :, :], axis=2)
    nearest = dist.argmin(axis=1)
    for k, cell in enumerate(cells):
        hits = strictly_inside(cell, samples, 1e-7)
        assert not np.any(hits & (nearest != k)), "a cell covers ground nearer to another point"


def test_four_points_in_a_square_give_the_four_quadrants() -> None:
    square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    points = np.array([[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5]])
    expected = [
        {(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)},
        {(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0)},
        {(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0)},
        {(0.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0)},
    ]
    cells = voronoi_cells(points, square)
    assert len(cells) == 4
    for cell, quadrant in zip(cells, expected, strict=True):
        assert {(round(x, 9) + 0.0, round(y, 9) + 0.0) for x, y in cell.tolist()} == quadrant
        assert len(cell) == 4
        assert polygon_area(cell) == pytest.approx(polygon_area(square) / 4)
        assert signed_area(cell) > 0
    assert_tiling(points, square, cells, rng_seed=0)


def test_clockwise_and_closed_outline_is_accepted() -> None:
    square_cw_closed = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 2.0], [2.0, 0.0], [0.0, 0.0]])
    points = np.array([[0.5, 1.0], [1.5, 1.0]])
    cells = voronoi_cells(points, square_cw_closed)
    assert [polygon_area(c) for c in cells] == [pytest.approx(2.0), pytest.approx(2.0)]
    assert all(signed_area(c) > 0 for c in cells)


def test_single_point_gets_the_whole_outline() -> None:
    outline = approximate_outline(np.array([[121.1, 28.8]]), margin=0.05)
    (cell,) = voronoi_cells(np.array([[121.1, 28.8]]), outline)
    assert polygon_area(cell) == pytest.approx(polygon_area(outline), rel=1e-12)


def test_collinear_points() -> None:
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    outline = approximate_outline(points, margin=0.1)
    assert_tiling(points, outline, voronoi_cells(points, outline), rng_seed=1)


def test_bad_input_is_rejected() -> None:
    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="distinct"):
        voronoi_cells(np.array([[0.2, 0.2], [0.2, 0.2], [0.7, 0.7]]), square)
    with pytest.raises(ValueError, match="outside"):
        voronoi_cells(np.array([[0.2, 0.2], [1.5, 0.5]]), square)
    with pytest.raises(ValueError, match="convex"):
        voronoi_cells(np.array([[0.2, 0.2]]), np.array([[0, 0], [2, 0], [1, 0.2], [2, 2], [0, 2]]))
    with pytest.raises(ValueError, match="span no area"):
        approximate_outline(np.array([[0.0, 0.0], [1.0, 1.0]]), margin=0)
    with pytest.raises(ValueError, match="margin"):
        approximate_outline(np.array([[0.0, 0.0]]), margin=-1)


def test_outline_is_ccw_convex_and_keeps_its_margin() -> None:
    rng = np.random.default_rng(7)
    points = rng.uniform([120.8, 28.7], [121.6, 29.0], size=(30, 2))
    margin = 0.06
    outline = approximate_outline(points, margin)
    assert signed_area(outline) > 0
    assert not np.array_equal(outline[0], outline[-1]), "not closed"
    dist = edge_distances(outline, points)
    assert dist.min() >= margin * np.cos(np.pi / 16) - 1e-12
    edges = np.roll(outline, -1, axis=0) - outline
    turns = edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)
    assert (turns > 0).all(), "strictly convex"


def _well_separated(pts: list[tuple[float, float]]) -> bool:
    arr = np.array(pts)
    dist = np.linalg.norm(arr[:, None, :] - arr[None, :, :], axis=2)
    np.fill_diagonal(dist, np.inf)
    return bool(dist.min() >= 0.02)


point_sets = st.lists(
    st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    min_size=3,
    max_size=15,
).filter(_well_separated)


@settings(deadline=None, max_examples=150)
@given(
    pts=point_sets,
    margin=st.floats(0.005, 0.3),
    offset=st.sampled_from([(0.0, 0.0), (121.0, 28.8)]),
    fixed_square=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_cells_tile_the_outline(
    pts: list[tuple[float, float]],
    margin: float,
    offset: tuple[float, float],
    fixed_square: bool,
    seed: int,
) -> None:
    points = np.array(pts) + np.array(offset)
    if fixed_square:
        lo = np.array(offset) - margin
        hi = np.array(offset) + 1.0 + margin
        outline = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    else:
        outline = approximate_outline(points, margin)
    cells = voronoi_cells(points, outline)
    assert_tiling(points, outline, cells, rng_seed=seed)


def _linhai() -> tuple[list[str], FloatArray]:
    names = [name for name, _, _ in LINHAI_TOWNSHIPS]
    points = np.array([[lon, lat] for _, lat, lon in LINHAI_TOWNSHIPS])
    return names, points


def test_linhai_townships_get_nineteen_cells() -> None:
    names, points = _linhai()
    assert len(set(names)) == 19
    outline = approximate_outline(points)
    cells = voronoi_cells(points, outline)
    assert len(cells) == 19
    assert all(polygon_area(cell) > 0 for cell in cells)
    assert_tiling(points, outline, cells, rng_seed=19)

    collection = township_feature_collection(names, cells, [{"code": f"T{i:02d}"} for i in range(len(names))])
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in collection["features"]] == names
    assert collection["features"][0]["properties"]["code"] == "T00"
    for feature in collection["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon"
        assert ring[0] == ring[-1] and len(ring) >= 4
    # Serialisable as-is, for the map endpoint.
    assert "古城街道" in json.dumps(collection, ensure_ascii=False)


def test_polygon_area() -> None:
    triangle = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]])
    assert polygon_area(triangle) == 6.0
    assert polygon_area(triangle[::-1]) == 6.0
    assert polygon_area(np.array([[0.0, 0.0], [1.0, 1.0]])) == 0.0


def test_polygon_to_geojson_closes_rounds_and_orients() -> None:
    # Clockwise, with a vertex that coincides with its neighbour once rounded to 5 decimals.
    clockwise = np.array(
        [[121.0000049, 28.0], [121.0, 28.1], [121.1, 28.1], [121.1, 28.0], [121.000001, 28.0000012]]
    )
    geometry = polygon_to_geojson(clockwise)
    ring = geometry["coordinates"][0]
    assert geometry["type"] == "Polygon"
    assert ring == [[121.0, 28.0], [121.1, 28.0], [121.1, 28.1], [121.0, 28.1], [121.0, 28.0]]
    assert signed_area(np.array(ring[:-1])) > 0


def test_feature_collection_checks_its_inputs() -> None:
    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="length"):
        township_feature_collection(["a", "b"], [square], [{}])
    with pytest.raises(ValueError, match="disagrees"):
        township_feature_collection(["a"], [square], [{"name": "b"}])
    same = township_feature_collection(["a"], [square], [{"name": "a", "x": 1}])
    assert same["features"][0]["properties"] == {"name": "a", "x": 1}
