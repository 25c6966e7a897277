"""Pluggable travel-cost providers for the atlas: great-circle distance and imported OD matrices.

A cost provider turns two sets of points (origins, destinations) into an origin x destination cost
matrix. Two shapes are returned:

* a dense ``numpy.ndarray`` of shape ``(n_origins, n_destinations)``, where ``inf`` (or ``nan``) marks an
  unreachable pair;
* a ``scipy.sparse.csr_matrix`` of the same shape, where the *stored entries* (including explicit zeros,
  for co-located points) are the reachable pairs and every pair not stored is unreachable. Never use
  ``.nonzero()`` on it: a cost of 0 is a valid, reachable pair.

:func:`to_csr` normalises both to the sparse form that the accessibility code consumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_KM",
    "CostMatrix",
    "CostProvider",
    "CostUnit",
    "GreatCircle",
    "ODMatrix",
    "ODMatrixError",
    "Points",
    "Radians",
    "great_circle_km",
    "haversine_km",
    "to_csr",
    "unit_vectors",
    "within",
]

#: Mean earth radius in km (IUGG mean radius R1 = (2a + b) / 3 of the GRS80/WGS84 ellipsoid).
EARTH_RADIUS_KM = 6371.0088

CostUnit: TypeAlias = Literal["km", "min"]
FloatArray: TypeAlias = npt.NDArray[np.float64]
#: A cost matrix: scipy CSR (stored entries = reachable pairs) or a dense array (inf = unreachable).
CostMatrix: TypeAlias = sparse.csr_matrix | FloatArray


@dataclass(frozen=True, eq=False)
class Points:
    """A set of points on the globe (WGS84 degrees) with identifiers.

    Parameters
    ----------
    lat, lon : array_like of float, shape (n,)
        Latitude in [-90, 90] and longitude in [-180, 180], decimal degrees (WGS84).
    ids : array_like, shape (n,), optional
        Identifiers (strings or integers). Defaults to ``0 .. n-1``. They must be unique when the points
        are looked up in an :class:`ODMatrix`.
    """

    lat: FloatArray
    lon: FloatArray
    ids: npt.NDArray[np.generic] = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __post_init__(self) -> None:
        lat = np.ascontiguousarray(self.lat, dtype=np.float64).reshape(-1)
        lon = np.ascontiguousarray(self.lon, dtype=np.float64).reshape(-1)
        if lat.shape != lon.shape:
            raise ValueError(f"Points: lat has {lat.size} values but lon has {lon.size}")
        ids = np.asarray(self.ids)
        if ids.size == 0 and lat.size > 0:
            ids = np.arange(lat.size, dtype=np.int64)
        if ids.shape != lat.shape:
            raise ValueError(f"Points: {ids.size} ids for {lat.size} coordinates")
        if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
            raise ValueError("Points: coordinates must be finite (no NaN or inf)")
        if np.any(np.abs(lat) > 90.0) or np.any(np.abs(lon) > 180.0):
            raise ValueError("Points: latitude must be in [-90, 90] and longitude in [-180, 180] degrees")
        # Frozen dataclass: normalised arrays are stored through object.__setattr__ once, at creation.
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)
        object.__setattr__(self, "ids", ids)

    def __len__(self) -> int:
        return int(self.lat.size)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, id_col: str = "id", lat_col: str = "lat", lon_col: str = "lon"
    ) -> Points:
        """Build points from a DataFrame with id, latitude and longitude columns (degrees)."""
        missing = [c for c in (id_col, lat_col, lon_col) if c not in frame.columns]
        if missing:
            raise ValueError(f"Points.from_frame: missing column(s) {missing}")
        return cls(
            lat=frame[lat_col].to_numpy(dtype=np.float64),
            lon=frame[lon_col].to_numpy(dtype=np.float64),
            ids=frame[id_col].to_numpy(),
        )


@runtime_checkable
class CostProvider(Protocol):
    """Anything that returns an origin x destination cost matrix in one unit ("km" or "min")."""

    unit: CostUnit

    def matrix(self, origins: Points, destinations: Points, cutoff: float | None = None) -> CostMatrix:
        """Costs of shape ``(len(origins), len(destinations))``; pairs above ``cutoff`` are unreachable."""
        ...


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle (haversine) distance in km on a sphere of radius :data:`EARTH_RADIUS_KM`.

    Inputs are decimal degrees and broadcast against each other, so one origin (scalars) against many
    destinations (arrays of shape ``(n,)``) gives shape ``(n,)``, and ``lat1[:, None]`` against
    ``lat2[None, :]`` gives the full ``(m, n)`` matrix. The spherical model is within about 0.5 % of the
    ellipsoidal distance. Rounding costs at most about a metre next to the antipode (h -> 1) and far
    less elsewhere.
    """
    return haversine_km(Radians.of(lat1, lon1), Radians.of(lat2, lon2))


@dataclass(frozen=True, eq=False)
class Radians:
    """Points in radians with the cosine of their latitude: what :func:`great_circle_km` derives from degrees
    on every call, kept for points measured from again and again (the finder's unit locations)."""

    phi: FloatArray
    lam: FloatArray
    cos_phi: FloatArray

    @classmethod
    def of(cls, lat: npt.ArrayLike, lon: npt.ArrayLike) -> Radians:
        phi, lam = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lat, lon))
        return cls(phi=phi, lam=lam, cos_phi=np.cos(phi))


def haversine_km(a: Radians, b: Radians) -> FloatArray:
    """:func:`great_circle_km` between points already in :class:`Radians` (the same values, bit for bit)."""
    h = np.sin((b.phi - a.phi) / 2.0) ** 2 + a.cos_phi * b.cos_phi * np.sin((b.lam - a.lam) / 2.0) ** 2
    h = np.clip(h, 0.0, 1.0)
    # atan2 form instead of arcsin(sqrt(h)): well conditioned near the antipode as well.
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arctan2(np.sqrt(h), np.sqrt(1.0 - h)), dtype=np.float64)


def unit_vectors(points: Points) -> FloatArray:
    """3-D unit vectors of shape ``(n, 3)`` (earth-centred, radius 1) for chord-distance KD-trees."""
    lat = np.radians(points.lat)
    lon = np.radians(points.lon)
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def chord_for_km(distance_km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km (capped at the antipode)."""
    angle = min(distance_km / EARTH_RADIUS_KM, np.pi)
    return float(2.0 * np.sin(angle / 2.0))


def km_for_chord(chord: npt.ArrayLike) -> FloatArray:
    """Great-circle distance in km for chord lengths on the unit sphere (inverse of :func:`chord_for_km`)."""
    half = np.clip(np.asarray(chord, dtype=np.float64) / 2.0, 0.0, 1.0)
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(half), dtype=np.float64)


@dataclass(frozen=True)
class GreatCircle:
    """Great-circle distance in km (the default cost provider; no road network needed)."""

    unit: CostUnit = "km"

    def matrix(self, origins: Points, destinations: Points, cutoff: float | None = None) -> CostMatrix:
        """Distances in km.

        Without ``cutoff`` a dense array of shape ``(n_o, n_d)`` (memory n_o * n_d * 8 bytes). With a
        cutoff (km) a CSR matrix holding only the pairs with distance <= cutoff, found with a KD-tree on
        3-D unit vectors, so the dense matrix is never built.
        """
        if cutoff is None:
            return great_circle_km(
                origins.lat[:, None],
                origins.lon[:, None],
                destinations.lat[None, :],
                destinations.lon[None, :],
            )
        if cutoff < 0:
            raise ValueError(f"cutoff must be >= 0 km, got {cutoff}")
        return self._sparse_within(origins, destinations, float(cutoff))

    @staticmethod
    def _sparse_within(origins: Points, destinations: Points, cutoff: float) -> sparse.csr_matrix:
        shape = (len(origins), len(destinations))
        if 0 in shape:
            return sparse.csr_matrix(shape, dtype=np.float64)
        # A slightly generous chord radius; the exact haversine filter below decides membership, so the
        # sparse result agrees bit-for-bit with great_circle_km on the same pairs.
        radius = chord_for_km(cutoff) * (1.0 + 1e-9) + 1e-12
        tree_o = cKDTree(unit_vectors(origins))
        tree_d = cKDTree(unit_vectors(destinations))
        pairs = tree_o.sparse_distance_matrix(tree_d, radius, output_type="ndarray")
        i = pairs["i"].astype(np.int64)
        j = pairs["j"].astype(np.int64)
        km = great_circle_km(origins.lat[i], origins.lon[i], destinations.lat[j], destinations.lon[j])
        keep = km <= cutoff
        return _csr_from_pairs(i[keep], j[keep], km[keep], shape)


def _csr_from_pairs(
    rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], values: FloatArray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """CSR from (row, col, value) triples that keeps explicit zeros (co-located points are reachable)."""
    order = np.lexsort((cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sparse.csr_matrix((values, cols, indptr), shape=shape)


def within(cost: sparse.csr_matrix, cutoff: float) -> sparse.csr_matrix:
    """Keep only the stored pairs of a CSR cost matrix with cost <= ``cutoff`` (same shape, order kept)."""
    keep = cost.data <= cutoff
    if keep.all():
        return cost
    rows = np.repeat(np.arange(cost.shape[0], dtype=np.int64), np.diff(cost.indptr))
    indptr = np.zeros(cost.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=cost.shape[0]), out=indptr[1:])
    return sparse.csr_matrix((cost.data[keep], cost.indices[keep], indptr), shape=cost.shape)


def to_csr(cost: CostMatrix) -> sparse.csr_matrix:
    """Normalise a cost matrix to CSR where stored entries are exactly the reachable pairs.

    Dense input: finite entries are reachable, ``inf``/``nan`` are not. Sparse input is converted to CSR
    with duplicates summed and explicit zeros kept; stored ``inf``/``nan`` entries are dropped.
    """
    if sparse.issparse(cost):
        csr = sparse.csr_matrix(cost, dtype=np.float64)
        csr.sum_duplicates()
        if np.all(np.isfinite(csr.data)):
            return csr
        coo = csr.tocoo()
        ok = np.isfinite(coo.data)
        return _csr_from_pairs(
            coo.row[ok].astype(np.int64),
            coo.col[ok].astype(np.int64),
            coo.data[ok],
            (csr.shape[0], csr.shape[1]),
        )
    dense = np.asarray(cost, dtype=np.float64)
    if dense.ndim != 2:
        raise ValueError(f"cost matrix must be 2-D, got shape {dense.shape}")
    rows, cols = np.nonzero(np.isfinite(dense))
    return _csr_from_pairs(rows.astype(np.int64), cols.astype(np.int64), dense[rows, cols], dense.shape)


class ODMatrixError(ValueError):
    """An OD-matrix file is invalid. The message names the file, the row (when known) and the field."""

    def __init__(
        self, source: str, message: str, *, row: int | None = None, field: str | None = None
    ) -> None:
        where = source if row is None else f"{source}, row {row}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.row = row
        self.field = field


@dataclass(frozen=True, eq=False)
class ODMatrix:
    """An imported origin-destination cost table (e.g. road travel times from a routing engine).

    The table is long-form, one reachable pair per row. Default columns (renameable with
    :meth:`from_file`): ``from_id`` (origin id), ``to_id`` (destination id), ``travel_time`` (a
    non-negative, finite cost in ``unit``). Pairs not in the table are unreachable. Ids are matched as
    strings against :attr:`Points.ids`.

    Use :meth:`from_file` (CSV, optionally gzip-compressed, or Parquet) or :meth:`from_frame`.
    """

    from_ids: npt.NDArray[np.str_]
    to_ids: npt.NDArray[np.str_]
    costs: FloatArray
    unit: CostUnit = "min"
    source: str = "<frame>"

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        from_col: str = "from_id",
        to_col: str = "to_id",
        cost_col: str = "travel_time",
        unit: CostUnit = "min",
    ) -> ODMatrix:
        """Read and validate an OD table from ``.csv``, ``.csv.gz`` or ``.parquet``.

        Row numbers in error messages are 1-based data rows (the CSV header is not counted, so data row
        ``r`` is on line ``r + 1`` of a CSV file).
        """
        path = Path(path)
        name = str(path)
        if not path.is_file():
            raise ODMatrixError(name, "file not found")
        try:
            if path.suffix.lower() in {".parquet", ".pq"}:
                frame = pd.read_parquet(path)
            else:
                frame = pd.read_csv(path, dtype={from_col: str, to_col: str}, keep_default_na=False)
        except (ValueError, OSError) as exc:
            raise ODMatrixError(name, f"cannot be read as a table ({exc})") from exc
        return cls.from_frame(
            frame, from_col=from_col, to_col=to_col, cost_col=cost_col, unit=unit, source=name
        )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        from_col: str = "from_id",
        to_col: str = "to_id",
        cost_col: str = "travel_time",
        unit: CostUnit = "min",
        source: str = "<frame>",
    ) -> ODMatrix:
        """Validate a long-form OD DataFrame (see the class docstring) and build the provider."""
        if unit not in ("km", "min"):
            raise ODMatrixError(source, f"unit must be 'km' or 'min', got {unit!r}")
        missing = [c for c in (from_col, to_col, cost_col) if c not in frame.columns]
        if missing:
            raise ODMatrixError(source, f"missing column(s) {missing}; found {list(frame.columns)}")
        from_ids = _validated_ids(frame[from_col], source, from_col)
        to_ids = _validated_ids(frame[to_col], source, to_col)
        costs = _validated_costs(frame[cost_col], source, cost_col)
        _reject_duplicate_pairs(from_ids, to_ids, source, from_col, to_col)
        return cls(from_ids=from_ids, to_ids=to_ids, costs=costs, unit=unit, source=source)

    def matrix(self, origins: Points, destinations: Points, cutoff: float | None = None) -> sparse.csr_matrix:
        """CSR costs of shape ``(len(origins), len(destinations))``; rows absent from the table are empty.

        Table rows whose ids are not among the given points are ignored. With ``cutoff`` (same unit as
        the table), pairs with cost > cutoff are dropped as unreachable.
        """
        rows = _positions(origins, self.from_ids, "origins")
        cols = _positions(destinations, self.to_ids, "destinations")
        keep = (rows >= 0) & (cols >= 0)
        matrix = _csr_from_pairs(rows[keep], cols[keep], self.costs[keep], (len(origins), len(destinations)))
        return matrix if cutoff is None else within(matrix, cutoff)


def _validated_ids(column: pd.Series, source: str, name: str) -> npt.NDArray[np.str_]:
    """Ids as strings; empty or missing ids are an error naming the first bad row (1-based)."""
    text = column.astype("string").str.strip()
    bad = text.isna() | (text == "")
    if bool(bad.any()):
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise ODMatrixError(source, "empty id", row=row, field=name)
    return np.asarray(text.to_numpy(dtype=str), dtype=np.str_)


def _validated_costs(column: pd.Series, source: str, name: str) -> FloatArray:
    """Costs as float64; non-numeric, non-finite or negative values name the first bad row (1-based)."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad_number = ~np.isfinite(values)
    if bad_number.any():
        row = int(np.flatnonzero(bad_number)[0])
        raise ODMatrixError(source, f"not a finite number: {column.iloc[row]!r}", row=row + 1, field=name)
    negative = values < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ODMatrixError(source, f"negative cost {values[row]}", row=row + 1, field=name)
    return values


def _reject_duplicate_pairs(
    from_ids: npt.NDArray[np.str_], to_ids: npt.NDArray[np.str_], source: str, from_col: str, to_col: str
) -> None:
    pairs = pd.MultiIndex.from_arrays([from_ids, to_ids])
    dup = pairs.duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((from_ids == from_ids[row]) & (to_ids == to_ids[row]))[0])
        raise ODMatrixError(
            source,
            f"duplicate pair ({from_ids[row]!r}, {to_ids[row]!r}), first seen in row {first + 1}",
            row=row + 1,
            field=f"{from_col}/{to_col}",
        )


def _positions(points: Points, table_ids: npt.NDArray[np.str_], role: str) -> npt.NDArray[np.int64]:
    """Index of each table id among the points' ids (as strings), -1 where absent."""
    index = pd.Index(points.ids.astype(str))
    if not index.is_unique:
        raise ValueError(f"ODMatrix.matrix: {role} ids must be unique to look them up in the OD table")
    return np.asarray(index.get_indexer(table_ids), dtype=np.int64)
