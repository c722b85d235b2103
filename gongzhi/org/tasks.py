"""Background work of the territory app (huey)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def rebuild_geometry_index() -> int:
    """Rebuild and warm this worker's geometry index; returns the leaf count."""
    from .geo.index import get_index, invalidate

    invalidate()
    return len(get_index())


@db_task()
def generate_grids_task(seed: int = 2024, counties: list[str] | None = None) -> list[str]:
    """Run the grid generator off the request path; returns its report lines."""
    from .services.generate import generate_grids

    report = generate_grids(seed=seed, counties=counties)
    rebuild_geometry_index()
    return report.lines()
