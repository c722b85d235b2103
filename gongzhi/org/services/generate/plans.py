"""What the planner decides for a county, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely


@dataclass
class NodePlan:
    code: str
    geometry: shapely.Geometry | None  # None: keep the stored (imported) boundary
    population: int


@dataclass
class GridPlan:
    code: str
    name: str
    community_code: str
    geometry: shapely.Geometry
    population: int


@dataclass
class BuildingPlan:
    code: str
    grid_code: str
    estate: str
    name: str
    address: str
    floors: int
    households: int
    lng: float
    lat: float


@dataclass
class CountyPlan:
    nodes: list[NodePlan] = field(default_factory=list)  # streets and communities
    grids: list[GridPlan] = field(default_factory=list)
    buildings: list[BuildingPlan] = field(default_factory=list)
    managed_communities: set[str] = field(default_factory=set)  # grids left to the user
