"""Seeded random draws: every generator is keyed by (seed, code), so one
county's result never depends on which other counties are generated."""

from __future__ import annotations

import numpy as np
import shapely

from ...geo.shapes import random_points_in


def rng_for(seed: int, code: str, salt: int = 0) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(code), salt])


def unique_points(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Jitter until no two seed points coincide (a Voronoi split needs distinct seeds)."""
    while len(np.unique(points, axis=0)) < len(points):
        points = points + rng.normal(0, 1e-6, points.shape)
    return points


def seed_points(
    outline: shapely.Geometry,
    n_clustered: int,
    n_spread: int,
    center: tuple[float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    """Seeds: ``n_clustered`` around ``center`` (the urban core), the rest spread."""
    spread = random_points_in(outline, n_spread, rng)
    if n_clustered == 0:
        return spread
    sigma = np.sqrt(shapely.area(outline)) * 0.12
    found = np.empty((0, 2))
    for _round in range(20):
        pts = rng.normal(0, sigma, (n_clustered * 3 + 4, 2)) + np.asarray(center)
        pts = pts[shapely.contains_xy(outline, pts[:, 0], pts[:, 1])]
        found = np.concatenate([found, pts])[:n_clustered]
        if len(found) >= n_clustered:
            break
    if len(found) < n_clustered:
        found = np.concatenate([found, random_points_in(outline, n_clustered - len(found), rng)])
    return np.concatenate([found, spread])
