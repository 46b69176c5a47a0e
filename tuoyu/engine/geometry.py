"""Approximate township shapes for the synthetic demo map.

The demo has no real boundary data (official township boundaries are not public), only
one representative position per township. From those positions this module builds a
plausible map: a convex outline around all of them, cut into Voronoi cells so each
township gets the area closest to its position. The result is exported as GeoJSON for
ECharts' ``registerMap``.

Pure Python + numpy + scipy: no Django. Coordinates are ``(lon, lat)`` in degrees and
are treated as planar; at the scale of one county the distortion does not matter for an
illustrative map.

Polygons are ``(m, 2)`` float arrays, counter-clockwise, with the first vertex *not*
repeated at the end (GeoJSON rings, which must be closed, are made by
:func:`polygon_to_geojson`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import ConvexHull, QhullError, Voronoi

FloatArray = npt.NDArray[np.float64]

# Directions used to approximate a disc of radius ``margin`` when buffering the hull.
# 16 keeps the outline smooth enough for a demo map while the polygon stays small; the
# buffer is therefore between cos(pi/16) ≈ 0.98 and 1 times the requested margin.
_BUFFER_DIRECTIONS = 16

# Relative tolerance (times the size of the figure) for "on the boundary" decisions, so
# points lying exactly on the outline are not rejected because of rounding.
_REL_TOL = 1e-9

_GEOJSON_DECIMALS = 5


def _as_points(points: npt.ArrayLike, what: str) -> FloatArray:
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{what} must have shape (n, 2), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite")
    return arr


def _signed_area(poly: FloatArray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    # Shoelace on coordinates relative to the first vertex: same result, but it avoids
    # cancelling large products when the polygon sits far from the origin (lon ≈ 121).
    x = x - x[0]
    y = y - y[0]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _scale(poly: FloatArray) -> float:
    """A length typical of the figure, for relative tolerances."""
    return max(float(np.ptp(poly, axis=0).max()), 1.0)


def polygon_area(poly: npt.ArrayLike) -> float:
    """Area of a simple polygon (shoelace formula), whatever its orientation.

    ``poly`` is an ``(m, 2)`` array of vertices; a repeated closing vertex is harmless.
    Fewer than 3 vertices give 0.
    """
    arr = _as_points(poly, "poly")
    if len(arr) < 3:
        return 0.0
    return abs(_signed_area(arr))


def approximate_outline(points: npt.ArrayLike, margin: float = 0.06) -> FloatArray:
    """A convex polygon around ``points``, at roughly ``margin`` degrees from them.

    It is the convex hull of the points grown by ``margin`` (the Minkowski sum of the
    hull with a disc of radius ``margin`` sampled in 16 directions), so every point lies
    at least ``0.98 * margin`` inside it. Because of the buffer it works for any
    non-empty set of points, including one point or collinear ones, as long as
    ``margin > 0``; with ``margin == 0`` it is the plain hull, which needs at least 3
    non-collinear points.

    Returns a ``(k, 2)`` array, counter-clockwise, not closed.
    """
    pts = _as_points(points, "points")
    if len(pts) == 0:
        raise ValueError("points must not be empty")
    if not (math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    if margin > 0:
        angles = np.arange(_BUFFER_DIRECTIONS) * (2 * np.pi / _BUFFER_DIRECTIONS)
        disc = margin * np.column_stack([np.cos(angles), np.sin(angles)])
        pts = (pts[:, None, :] + disc[None, :, :]).reshape(-1, 2)
    # Hull around a local origin: qhull's tolerances are relative to coordinate size, and
    # lon/lat values near (121, 28) would waste precision on the offset.
    origin = pts.mean(axis=0)
    try:
        hull = ConvexHull(pts - origin)
    except QhullError as exc:
        raise ValueError("the points span no area; use margin > 0") from exc
    outline = pts[hull.vertices]
    # scipy documents 2-D hull vertices as counter-clockwise; make sure anyway, since the
    # clipping below relies on it.
    if _signed_area(outline) < 0:
        outline = outline[::-1]
    return np.ascontiguousarray(outline)


def _checked_outline(outline: npt.ArrayLike) -> FloatArray:
    poly = _as_points(outline, "outline")
    if len(poly) >= 2 and np.array_equal(poly[0], poly[-1]):
        poly = poly[:-1]  # accept a closed ring too
    # Repeated vertices would make zero-length edges, which have no direction to test against.
    poly = _drop_repeats(poly, 0.0)
    if len(poly) < 3:
        raise ValueError("outline needs at least 3 vertices")
    area = _signed_area(poly)
    if area == 0:
        raise ValueError("outline has no area")
    if area < 0:
        poly = poly[::-1]
    edges = np.roll(poly, -1, axis=0) - poly
    turns = edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)
    if np.any(turns < -_REL_TOL * _scale(poly) ** 2):
        raise ValueError("outline must be convex")
    return np.ascontiguousarray(poly)


def _inside_convex(poly: FloatArray, pts: FloatArray, tol: float) -> npt.NDArray[np.bool_]:
    """Whether each point is inside the CCW convex polygon, boundary included (± tol)."""
    a = poly
    b = np.roll(poly, -1, axis=0)
    edge = b - a
    lengths = np.hypot(edge[:, 0], edge[:, 1])
    rel = pts[:, None, :] - a[None, :, :]
    # Signed distance of each point to each edge's line; positive means inside (left).
    dist = (edge[None, :, 0] * rel[:, :, 1] - edge[None, :, 1] * rel[:, :, 0]) / lengths[None, :]
    inside: npt.NDArray[np.bool_] = np.all(dist >= -tol, axis=1)
    return inside


def _clip_halfplane(poly: FloatArray, normal: FloatArray, offset: float) -> FloatArray:
    """Sutherland–Hodgman step: the part of a convex polygon where ``normal · x <= offset``."""
    if len(poly) == 0:
        return poly
    side = poly @ normal - offset
    if np.all(side <= 0):
        return poly
    if np.all(side > 0):
        return np.empty((0, 2))
    out: list[FloatArray] = []
    m = len(poly)
    for i in range(m):
        j = (i + 1) % m
        si, sj = side[i], side[j]
        if si <= 0:
            out.append(poly[i])
        if (si <= 0) != (sj <= 0):
            t = si / (si - sj)
            out.append(poly[i] + t * (poly[j] - poly[i]))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def _drop_repeats(poly: FloatArray, tol: float) -> FloatArray:
    """Remove vertices that coincide with their predecessor (left by clipping through a vertex)."""
    if len(poly) < 2:
        return poly
    step = np.hypot(*(poly - np.roll(poly, 1, axis=0)).T)
    kept = poly[step > tol]
    return kept if len(kept) > 0 else poly[:1]


def _voronoi_neighbours(pts: FloatArray, reach: float) -> list[set[int]]:
    """For each point, the points whose Voronoi cell borders its own.

    Four far-away sentinel points are added around the set. They make qhull's input
    non-degenerate even for 1, 2 or collinear points, and, being more than twice as far
    from the outline as its diameter, they never own any part of it, so the adjacencies
    among the real points inside the outline are the true ones.
    """
    n = len(pts)
    far = 10.0 * reach
    sentinels = np.array([[far, far], [-far, far], [-far, -far], [far, -far]])
    vor = Voronoi(np.vstack([pts, sentinels]))
    neighbours: list[set[int]] = [set() for _ in range(n)]
    for i, j in vor.ridge_points:
        if i < n and j < n:
            neighbours[i].add(int(j))
            neighbours[j].add(int(i))
    # Qhull can set aside a point that nearly coincides with another ("coplanar" in its
    # terms), leaving it with no ridges. Such a point would get the whole outline, so
    # compare everyone with everyone instead: exact, only slower.
    ridged = np.zeros(n + 4, dtype=bool)
    ridged[vor.ridge_points.ravel()] = True
    if n > 1 and not ridged[:n].all():
        return [set(range(n)) - {i} for i in range(n)]
    return neighbours


def voronoi_cells(points: npt.ArrayLike, outline: npt.ArrayLike) -> list[FloatArray]:
    """The Voronoi cell of each point, clipped to a convex ``outline``.

    ``points`` is ``(n, 2)`` with distinct points, all inside the outline (the boundary
    counts). ``outline`` is a convex polygon, either orientation, closed or not, such as
    the result of :func:`approximate_outline`.

    Returns one ``(m, 2)`` counter-clockwise, not closed polygon per point, in the order
    of ``points``. The cells tile the outline: each contains its point, they do not
    overlap, and their areas add up to the outline's.

    scipy's Voronoi supplies which points are neighbours; each cell is then the outline
    clipped (Sutherland–Hodgman) by the perpendicular bisector with every neighbour.
    Working from the bisectors, rather than from qhull's Voronoi vertices, keeps cells
    exact when three points are nearly collinear (their Voronoi vertex is then far away
    and badly conditioned) and sidesteps infinite regions and vertex ordering entirely.
    """
    pts = _as_points(points, "points")
    poly = _checked_outline(outline)
    n = len(pts)
    if n == 0:
        return []
    # Work around a local origin for precision (see approximate_outline).
    origin = poly.mean(axis=0)
    pts_local = pts - origin
    poly_local = poly - origin
    scale = _scale(np.vstack([poly_local, pts_local]))
    tol = _REL_TOL * scale

    if len(np.unique(pts, axis=0)) != n:
        raise ValueError("points must be distinct")
    outside = ~_inside_convex(poly_local, pts_local, tol)
    if outside.any():
        raise ValueError(f"points outside the outline: indices {np.flatnonzero(outside).tolist()}")

    reach = float(np.max(np.hypot(*np.vstack([poly_local, pts_local]).T)))
    neighbours = _voronoi_neighbours(pts_local, max(reach, tol))

    cells: list[FloatArray] = []
    for i in range(n):
        cell = poly_local
        for j in sorted(neighbours[i]):
            # The bisector is computed from the pair in a fixed order and only its sign
            # flipped, so two neighbouring cells are cut by exactly the same line and
            # cannot overlap or leave a gap through rounding.
            lo, hi = (i, j) if i < j else (j, i)
            normal = pts_local[hi] - pts_local[lo]
            offset = 0.5 * float(normal @ (pts_local[hi] + pts_local[lo]))
            if i == hi:
                normal, offset = -normal, -offset
            cell = _clip_halfplane(cell, normal, offset)
        cells.append(np.ascontiguousarray(_drop_repeats(cell, tol) + origin))
    return cells


def polygon_to_geojson(poly: npt.ArrayLike) -> dict[str, Any]:
    """A GeoJSON ``Polygon`` geometry for ``poly`` (``(m, 2)`` lon/lat, not closed).

    Coordinates are rounded to 5 decimals (about 1 m); vertices that become equal to
    their predecessor after rounding are dropped, and the ring is closed by repeating
    the first vertex, as GeoJSON requires. The exterior ring is counter-clockwise
    (RFC 7946 §3.1.6).
    """
    arr = _as_points(poly, "poly")
    if len(arr) >= 2 and np.array_equal(arr[0], arr[-1]):
        arr = arr[:-1]
    if len(arr) >= 3 and _signed_area(arr) < 0:
        arr = arr[::-1]
    ring: list[list[float]] = []
    for lon, lat in np.round(arr, _GEOJSON_DECIMALS).tolist():
        vertex = [float(lon), float(lat)]
        if not ring or ring[-1] != vertex:
            ring.append(vertex)
    if len(ring) > 1 and ring[-1] == ring[0]:
        ring.pop()
    if len(ring) < 3:
        raise ValueError("polygon is degenerate at 5-decimal precision")
    ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


def township_feature_collection(
    names: Sequence[str],
    cells: Sequence[npt.ArrayLike],
    properties: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` with one ``Polygon`` feature per township.

    ``names``, ``cells`` and ``properties`` run in parallel. Each feature's properties
    are the given mapping plus ``"name"``, which ECharts uses to join series data to
    map regions; a ``"name"`` already in the mapping must agree with it.
    """
    if not (len(names) == len(cells) == len(properties)):
        raise ValueError(
            f"names, cells and properties differ in length: {len(names)}, {len(cells)}, {len(properties)}"
        )
    features: list[dict[str, Any]] = []
    for name, cell, props in zip(names, cells, properties, strict=True):
        if "name" in props and props["name"] != name:
            raise ValueError(f"properties name {props['name']!r} disagrees with {name!r}")
        features.append(
            {
                "type": "Feature",
                "properties": {**props, "name": name},
                "geometry": polygon_to_geojson(cell),
            }
        )
    return {"type": "FeatureCollection", "features": features}
