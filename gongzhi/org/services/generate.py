"""Generated (plausible, not real) territory geometry for the demo and tests.

No public polygons exist for Anhui's streets, communities or grids, so this
module generates them deterministically from a seed (docs/decisions/
0003-generated-grids.md): streets as Voronoi cells of seeded points inside each
county outline, communities inside each street, grids inside each urban
community, buildings inside each grid, and population numbers aggregated up
the tree. Every random draw comes from a generator seeded by (seed, code), so a
county's result does not depend on which other counties are generated, and a
re-run with the same seed writes byte-identical geometry and codes.

A boundary whose source is IMPORTED (the user's real data) is never
overwritten: it is used as the outline its children are generated in, and the
generated siblings are fitted around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ImportFailed

from ..constants import CODE_LENGTH, GeometrySource, Kind, Level
from ..geo.shapes import (
    KM_PER_DEG,
    area_km2,
    as_multipolygon,
    centers_of,
    random_points_in,
    split_by_seeds,
    to_wkb,
)
from ..models import Building, Division

DEFAULT_SEED = 2024
# Seed article: "全省97%的社区开展了网格化管理,共划分网格2.4万个".
GRIDDED_SHARE = 0.97
# Residents per grid, calibrated so that Anhui's ~4,600 gridded residents'
# committees (3,000–15,000 residents each) give about 24,000 grids.
PEOPLE_PER_GRID = 1730
URBAN_POPULATION = (3000, 15000)
VILLAGE_POPULATION = (1000, 4000)
BUILDINGS_PER_GRID = (5, 10)
FLOOR_CHOICES = np.array([6, 6, 6, 7, 11, 11, 18, 18, 26, 33])
ESTATE_SUFFIXES = [
    "苑", "花园", "小区", "家园", "新村", "雅苑", "嘉园", "公寓", "名邸", "佳苑", "华庭", "新城",
]  # fmt: skip
ESTATE_PHASES = ["", "二期", "三期", "四期", "五期"]
NAME_SUFFIXES = [
    "社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区委员会", "村民委员会", "村委会",
    "社区", "村",
]  # fmt: skip

# Development zones without a published outline and the district they are
# carved out of (where the zone really lies); other zones use a district of
# the same city in code order.
DEV_ZONE_SEED = 34
DEV_ZONE_HOSTS = {
    "340176": "340104",  # 合肥高新区 — 蜀山区
    "340177": "340104",  # 合肥经开区 — 蜀山区 (south)
    "340178": "340102",  # 合肥新站区 — 瑶海区
    "340271": "340207",  # 芜湖经开区 — 鸠江区
    "340272": "340209",  # 三山经开区 — 弋江区
}
DEV_ZONE_KM2_PER_STREET = 30.0


def _rng(seed: int, code: str, salt: int = 0) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(code), salt])


# --- development zones ---------------------------------------------------------------


def _blob(center: tuple[float, float], radius_deg: float, rng: np.random.Generator):
    """An irregular 24-gon around ``center`` (radius in degrees of latitude)."""
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    r = (
        radius_deg
        * (1 + 0.25 * np.sin(angles * 2 + rng.uniform(0, 6.3)))
        * rng.uniform(0.85, 1.15, 24)
    )
    k = np.cos(np.radians(center[1]))
    xs = center[0] + r * np.cos(angles) / k
    ys = center[1] + r * np.sin(angles)
    return shapely.Polygon(np.column_stack([xs, ys]))


def carve_dev_zones(
    *,
    zones: list[tuple[str, int]],
    hosts: dict[str, shapely.Geometry],
    fixed: dict[str, shapely.Geometry] | None = None,
    seed: int = DEV_ZONE_SEED,
) -> tuple[dict[str, shapely.Geometry], dict[str, shapely.Geometry]]:
    """Carve each development zone (code, number of streets) out of a host
    district of its city. Returns (zone outlines, host outlines that changed).
    Zones in ``fixed`` (the user's real outlines) are only subtracted."""
    fixed = fixed or {}
    remaining = dict(hosts)
    for code, geom in sorted(fixed.items()):
        for host in sorted(h for h in hosts if h[:4] == code[:4]):
            if shapely.intersects(remaining[host], geom):
                remaining[host] = as_multipolygon(shapely.difference(remaining[host], geom))
    carved: dict[str, shapely.Geometry] = {}
    by_city: dict[str, int] = {}
    for code, n_streets in sorted(zones):
        if code in fixed:
            continue
        city_hosts = sorted(h for h in hosts if h[:4] == code[:4])
        if not city_hosts:
            continue
        nth = by_city.get(code[:4], 0)
        by_city[code[:4]] = nth + 1
        host = DEV_ZONE_HOSTS.get(code)
        if host not in remaining:
            host = city_hosts[nth % len(city_hosts)]
        avail = remaining[host]
        shapely.prepare(avail)
        rng = _rng(seed, code)
        # The most interior of a few candidate points keeps the zone compact.
        candidates = random_points_in(avail, 16, rng)
        dist = shapely.distance(shapely.points(candidates), avail.boundary)
        center = tuple(candidates[int(np.argmax(dist))])
        avail_km2 = float(area_km2(avail))
        target = min(max(n_streets, 1) * DEV_ZONE_KM2_PER_STREET, 0.35 * avail_km2)
        radius = np.sqrt(target / np.pi) / KM_PER_DEG
        zone = as_multipolygon(shapely.intersection(_blob(center, radius, rng), avail))
        got = float(area_km2(zone))
        if got > 0:
            radius *= np.sqrt(target / got)
            zone = as_multipolygon(
                shapely.intersection(_blob(center, radius, _rng(seed, code)), avail)
            )
        carved[code] = zone
        remaining[host] = as_multipolygon(shapely.difference(avail, zone))
    changed = {h: g for h, g in remaining.items() if g is not hosts[h]}
    return carved, changed


# --- names -------------------------------------------------------------------------------------


def name_core(name: str) -> str:
    """蜀麓社区居民委员会 → 蜀麓 (the part estate names are made from)."""
    core = name
    for suffix in NAME_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            core = core[: -len(suffix)]
            break
    return core or name


def short_name(name: str, kind: str) -> str:
    core = name_core(name)
    return core + ("村" if kind == Kind.VILLAGERS_COMMITTEE else "社区") if core != name else name


def estate_names(core: str, n: int, rng: np.random.Generator) -> list[str]:
    order = rng.permutation(len(ESTATE_SUFFIXES))
    out = []
    for i in range(n):
        phase = ESTATE_PHASES[min(i // len(ESTATE_SUFFIXES), len(ESTATE_PHASES) - 1)]
        out.append(f"{core}{ESTATE_SUFFIXES[order[i % len(ESTATE_SUFFIXES)]]}{phase}")
    return out


# --- plan ----------------------------------------------------------------------------------------


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


def _unique(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    while len(np.unique(points, axis=0)) < len(points):
        points = points + rng.normal(0, 1e-6, points.shape)
    return points


def _seed_points(
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


def _split_children(
    outline: shapely.Geometry,
    children: list[dict],
    clustered: set[str],
    center: tuple[float, float],
    rng: np.random.Generator,
) -> dict[str, tuple[shapely.Geometry, tuple[float, float]]]:
    """Outline → {child code: (polygon, seed point)} for children without an
    imported boundary; imported siblings are cut out first."""
    imported = [c["geom"] for c in children if c["geom"] is not None]
    free = [c for c in children if c["geom"] is None]
    if not free:
        return {}
    area = outline
    if imported:
        area = as_multipolygon(
            shapely.difference(outline, shapely.union_all(np.array(imported, dtype=object)))
        )
        if area.is_empty:
            return {}
    shapely.prepare(area)
    # Clustered children first (in code order), then the spread ones.
    ordered = [c for c in free if c["code"] in clustered] + [
        c for c in free if c["code"] not in clustered
    ]
    n_clustered = len(ordered) - sum(1 for c in free if c["code"] not in clustered)
    seeds = _unique(_seed_points(area, n_clustered, len(ordered) - n_clustered, center, rng), rng)
    cells = split_by_seeds(area, seeds)
    return {
        c["code"]: (cell, (float(s[0]), float(s[1])))
        for c, cell, s in zip(ordered, cells, seeds, strict=True)
    }


def plan_county(
    *,
    county: dict,
    streets: list[dict],
    communities: dict[str, list[dict]],
    grid_sources: dict[str, set[str]],
    seed: int,
) -> CountyPlan:
    """Geometry, population, grids and buildings for one county (pure function)."""
    plan = CountyPlan()
    outline = county["geom"]
    center = county["center"]
    street_cells = _split_children(
        outline,
        streets,
        {s["code"] for s in streets if s["kind"] == Kind.SUBDISTRICT},
        center,
        _rng(seed, county["code"]),
    )
    for street in streets:
        s_outline, s_center = (
            (street["geom"], None)
            if street["geom"] is not None
            else street_cells.get(street["code"], (None, None))
        )
        if s_outline is None:
            continue
        if s_center is None:
            s_center = tuple(float(v[0]) for v in centers_of([s_outline]))
        members = communities.get(street["code"], [])
        rng = _rng(seed, street["code"])
        cells = _split_children(
            s_outline,
            members,
            {m["code"] for m in members if m["kind"] == Kind.RESIDENTS_COMMITTEE},
            s_center,
            rng,
        )
        street_pop = 0
        for comm in members:
            c_outline = (
                comm["geom"] if comm["geom"] is not None else cells.get(comm["code"], (None,))[0]
            )
            crng = _rng(seed, comm["code"])
            urban = comm["kind"] == Kind.RESIDENTS_COMMITTEE
            low, high = URBAN_POPULATION if urban else VILLAGE_POPULATION
            pop = int(crng.integers(low, high + 1))
            street_pop += pop
            plan.nodes.append(
                NodePlan(
                    code=comm["code"],
                    geometry=None if comm["geom"] is not None else c_outline,
                    population=pop,
                )
            )
            gridded = urban and crng.random() < GRIDDED_SHARE
            if GeometrySource.IMPORTED in grid_sources.get(comm["code"], set()):
                plan.managed_communities.add(comm["code"])
                continue
            if not gridded or c_outline is None:
                continue
            _plan_grids(plan, street, comm, c_outline, pop, crng)
        plan.nodes.append(
            NodePlan(
                code=street["code"],
                geometry=None if street["geom"] is not None else s_outline,
                population=street_pop,
            )
        )
    return plan


def _plan_grids(
    plan: CountyPlan,
    street: dict,
    comm: dict,
    outline: shapely.Geometry,
    population: int,
    rng: np.random.Generator,
) -> None:
    k = max(1, round(population / PEOPLE_PER_GRID))
    shapely.prepare(outline)
    seeds = _unique(random_points_in(outline, k, rng), rng)
    cells = split_by_seeds(outline, seeds)
    weights = rng.uniform(0.7, 1.3, k)
    pops = np.floor(population * weights / weights.sum()).astype(int)
    pops[0] += population - int(pops.sum())
    short = short_name(comm["name"], comm["kind"])
    core = name_core(comm["name"])
    n_buildings = rng.integers(BUILDINGS_PER_GRID[0], BUILDINGS_PER_GRID[1] + 1, k)
    n_estates = rng.integers(1, 3, k)
    estates = estate_names(core, int(n_estates.sum()), rng)
    e = 0
    for i, cell in enumerate(cells):
        grid_code = f"{comm['code']}{i + 1:03d}"
        plan.grids.append(
            GridPlan(
                code=grid_code,
                name=_("%(community)s第%(n)d网格") % {"community": short, "n": i + 1},
                community_code=comm["code"],
                geometry=cell,
                population=int(pops[i]),
            )
        )
        shapely.prepare(cell)
        nb = int(n_buildings[i])
        pts = np.round(random_points_in(cell, nb, rng), 6)
        floors = rng.choice(FLOOR_CHOICES, nb)
        per_floor = rng.integers(2, 5, nb) * rng.integers(1, 3, nb)
        grid_estates = estates[e : e + int(n_estates[i])]
        e += int(n_estates[i])
        numbers = dict.fromkeys(grid_estates, 0)
        for j in range(nb):
            estate = grid_estates[j % len(grid_estates)]
            numbers[estate] += 1
            label = _("%(estate)s%(n)d栋") % {"estate": estate, "n": numbers[estate]}
            plan.buildings.append(
                BuildingPlan(
                    code=f"{grid_code}{j + 1:04d}",
                    grid_code=grid_code,
                    estate=estate,
                    name=label,
                    address=f"{street['name']}{short}{label}",
                    floors=int(floors[j]),
                    households=int(min(floors[j] * per_floor[j], 32767)),
                    lng=float(pts[j, 0]),
                    lat=float(pts[j, 1]),
                )
            )


# --- the service ----------------------------------------------------------------


@dataclass
class GenerateReport:
    counties: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # counties without an outline
    nodes_updated: int = 0
    grids_created: int = 0
    grids_updated: int = 0
    grids_deleted: int = 0
    buildings_created: int = 0
    buildings_updated: int = 0
    buildings_deleted: int = 0
    grids_total: int = 0
    buildings_total: int = 0

    def lines(self) -> list[str]:
        out = [
            _("已生成 %(n)d 个县级单位的街道、社区、网格与楼栋") % {"n": len(self.counties)},
            _("街道与社区边界/人口:更新 %(n)d") % {"n": self.nodes_updated},
            _("网格:共 %(t)d,新增 %(c)d,更新 %(u)d,删除 %(d)d")
            % {
                "t": self.grids_total,
                "c": self.grids_created,
                "u": self.grids_updated,
                "d": self.grids_deleted,
            },
            _("楼栋:共 %(t)d,新增 %(c)d,更新 %(u)d,删除 %(d)d")
            % {
                "t": self.buildings_total,
                "c": self.buildings_created,
                "u": self.buildings_updated,
                "d": self.buildings_deleted,
            },
        ]
        if self.skipped:
            out.append(
                _("以下县级单位没有边界,已跳过(请先运行 import_boundaries):%(codes)s")
                % {"codes": "、".join(self.skipped)}
            )
        return out


def _geom(blob) -> shapely.Geometry | None:
    return shapely.from_wkb(bytes(blob)) if blob else None


def _prefix_q(codes: list[str]) -> Q:
    q = Q()
    for code in codes:
        q |= Q(code__startswith=code)
    return q


NODE_FIELDS = ["boundary", "boundary_source", "area_km2", "center_lng", "center_lat", "population"]
BUILDING_FIELDS = ["grid", "estate", "name", "address", "floors", "households", "lng", "lat"]


def _geometry_values(geoms: list[shapely.Geometry]) -> list[tuple]:
    if not geoms:
        return []
    arr = np.array(geoms, dtype=object)
    areas = area_km2(arr)
    xs, ys = centers_of(arr)
    return [
        (to_wkb(g), round(float(a), 4), round(float(x), 7), round(float(y), 7))
        for g, a, x, y in zip(geoms, areas, xs, ys, strict=True)
    ]


def generate_grids(
    *, seed: int = DEFAULT_SEED, counties: list[str] | None = None
) -> GenerateReport:
    """Generate streets, communities, grids and buildings for the given county
    codes (all counties when None); see the module docstring."""
    report = GenerateReport()
    county_qs = Division.objects.filter(level=Level.COUNTY)
    if counties:
        wanted = sorted(set(counties))
        found = set(county_qs.filter(code__in=wanted).values_list("code", flat=True))
        unknown = [c for c in wanted if c not in found]
        if unknown:
            raise ImportFailed(_("县级区划代码不存在:%(codes)s") % {"codes": "、".join(unknown)})
        county_qs = county_qs.filter(code__in=wanted)
    county_rows = list(
        county_qs.values("id", "code", "name", "boundary", "center_lng", "center_lat").order_by(
            "code"
        )
    )
    todo = []
    for c in county_rows:
        if not c["boundary"]:
            report.skipped.append(c["code"])
            continue
        geom = _geom(c["boundary"])
        shapely.prepare(geom)
        todo.append(
            {
                "code": c["code"],
                "geom": geom,
                "center": (c["center_lng"], c["center_lat"]),
            }
        )
    codes = [c["code"] for c in todo]
    report.counties = codes
    if not codes:
        return report
    scope = _prefix_q(codes)

    rows = list(
        Division.objects.filter(scope, level__in=[Level.STREET, Level.COMMUNITY])
        .values("id", "code", "name", "kind", "level", "boundary_source", *NODE_FIELDS[2:])
        .order_by("code")
    )
    imported = {
        code: _geom(blob)
        for code, blob in Division.objects.filter(
            scope,
            level__in=[Level.STREET, Level.COMMUNITY],
            boundary_source=GeometrySource.IMPORTED,
        ).values_list("code", "boundary")
    }
    streets: dict[str, list[dict]] = {}
    communities: dict[str, list[dict]] = {}
    for r in rows:
        r["geom"] = imported.get(r["code"])
        if r["level"] == Level.STREET:
            streets.setdefault(r["code"][:6], []).append(r)
        else:
            communities.setdefault(r["code"][:9], []).append(r)
    grid_sources: dict[str, set[str]] = {}
    for code, source in Division.objects.filter(scope, level=Level.GRID).values_list(
        "code", "boundary_source"
    ):
        grid_sources.setdefault(code[:12], set()).add(source)

    plans = [
        plan_county(
            county=c,
            streets=streets.get(c["code"], []),
            communities=communities,
            grid_sources=grid_sources,
            seed=seed,
        )
        for c in todo
    ]
    with transaction.atomic():
        _write(plans=plans, rows=rows, scope=scope, report=report)
        _aggregate_population(codes)
    from ..geo.index import invalidate

    transaction.on_commit(invalidate)
    return report


def _db_now(model) -> object:
    """``now`` as the database wants it for ``updated_at`` (prepared once)."""
    field = model._meta.get_field("updated_at")
    return field.get_db_prep_save(timezone.now(), connection)


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT many rows with one executemany per batch.

    Django's bulk_create prepares every value of every row through the field
    machinery; for the ~200,000 rows of a province that alone took longer than
    the whole 60-second budget. The values here are plain numbers, strings and
    bytes, so they go to the driver as they are (same SQL on SQLite and
    PostgreSQL)."""
    if not rows:
        return
    now = _db_now(model)
    names = [*rows[0], "created_at", "updated_at"]
    columns = [model._meta.get_field(n).column for n in names]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [(*r.values(), now, now) for r in rows[start : start + 5000]])


def _update_rows(model, rows: list[dict]) -> None:
    """UPDATE many rows by id with executemany (see :func:`_insert_rows`;
    bulk_update builds a CASE expression per row and field, which is slower
    still). Every row has the same keys, ``id`` first."""
    if not rows:
        return
    now = _db_now(model)
    names = [k for k in rows[0] if k != "id"]
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(model._meta.get_field(n).column)} = %s" for n in names)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets}, {qn('updated_at')} = %s WHERE id = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                sql,
                [(*(r[n] for n in names), now, r["id"]) for r in rows[start : start + 5000]],
            )


def _write(*, plans: list[CountyPlan], rows: list[dict], scope: Q, report: GenerateReport) -> None:
    by_code = {r["code"]: r for r in rows}

    # Streets and communities: boundary (unless imported) and population.
    nodes = [n for p in plans for n in p.nodes]
    geo_nodes = [n for n in nodes if n.geometry is not None]
    values = dict(
        zip(
            [n.code for n in geo_nodes],
            _geometry_values([n.geometry for n in geo_nodes]),
            strict=True,
        )
    )
    current_wkb = dict(
        Division.objects.filter(scope, level__in=[Level.STREET, Level.COMMUNITY]).values_list(
            "code", "boundary"
        )
    )
    full, pop_only = [], []
    for n in nodes:
        r = by_code[n.code]
        if n.code in values:
            wkb, area, x, y = values[n.code]
            new = {
                "id": r["id"],
                "boundary": wkb,
                "boundary_source": GeometrySource.GENERATED.value,
                "area_km2": area,
                "center_lng": x,
                "center_lat": y,
                "population": n.population,
            }
            old = current_wkb.get(n.code)
            same = (
                old is not None
                and bytes(old) == wkb
                and (r["area_km2"], r["center_lng"], r["center_lat"], r["population"])
                == (area, x, y, n.population)
                and r["boundary_source"] == GeometrySource.GENERATED
            )
            if not same:
                full.append(new)
        elif r["population"] != n.population:
            pop_only.append({"id": r["id"], "population": n.population})
    _update_rows(Division, full)
    _update_rows(Division, pop_only)
    report.nodes_updated = len(full) + len(pop_only)
    del current_wkb

    # Grids: upsert by code, so ids (and what hangs on them) survive a re-run.
    community_ids = {r["code"]: r["id"] for r in rows if r["level"] == Level.COMMUNITY}
    grids = [g for p in plans for g in p.grids]
    managed = set().union(*(p.managed_communities for p in plans))
    gvalues = _geometry_values([g.geometry for g in grids])
    existing = {
        r["code"]: r
        for r in Division.objects.filter(scope, level=Level.GRID).values(
            "id", "code", "name", "parent_id", "boundary_source", "boundary", *NODE_FIELDS[2:]
        )
    }
    to_create, to_update = [], []
    for g, (wkb, area, x, y) in zip(grids, gvalues, strict=True):
        fields = {
            "name": g.name,
            "parent_id": community_ids[g.community_code],
            "boundary": wkb,
            "boundary_source": GeometrySource.GENERATED.value,
            "area_km2": area,
            "center_lng": x,
            "center_lat": y,
            "population": g.population,
        }
        old = existing.get(g.code)
        if old is None:
            to_create.append(
                {"code": g.code, "level": Level.GRID.value, "kind": Kind.GRID.value, **fields}
            )
            continue
        if old["boundary_source"] == GeometrySource.IMPORTED:
            continue
        old_fields = {k: old[k] for k in fields}
        old_fields["boundary"] = bytes(old["boundary"]) if old["boundary"] else None
        if old_fields != fields:
            to_update.append({"id": old["id"], **fields})
    planned = {g.code for g in grids}
    stale = [
        r["id"]
        for code, r in existing.items()
        if code not in planned
        and code[:12] not in managed
        and r["boundary_source"] != GeometrySource.IMPORTED
    ]
    if stale:
        Division.objects.filter(id__in=stale).delete()
    _insert_rows(Division, to_create)
    _update_rows(Division, to_update)
    report.grids_created, report.grids_updated = len(to_create), len(to_update)
    report.grids_deleted = len(stale)
    del existing

    # Buildings: upsert by code as well.
    grid_ids = dict(Division.objects.filter(scope, level=Level.GRID).values_list("code", "id"))
    buildings = [b for p in plans for b in p.buildings]
    old_buildings = {
        r["code"]: r
        for r in Building.objects.filter(scope).values(
            "id", "code", "grid_id", *BUILDING_FIELDS[1:]
        )
    }
    b_create, b_update = [], []
    for b in buildings:
        fields = {
            "grid_id": grid_ids[b.grid_code],
            "estate": b.estate,
            "name": b.name,
            "address": b.address,
            "floors": b.floors,
            "households": b.households,
            "lng": b.lng,
            "lat": b.lat,
        }
        old = old_buildings.get(b.code)
        if old is None:
            b_create.append({"code": b.code, **fields})
        elif {k: old[k] for k in fields} != fields:
            b_update.append({"id": old["id"], **fields})
    planned_b = {b.code for b in buildings}
    # Buildings of regenerated grids that the plan no longer has (buildings of
    # deleted grids went with them; those of user-managed grids stay).
    stale_b = [
        r["id"]
        for code, r in old_buildings.items()
        if code not in planned_b and code[:15] in planned
    ]
    if stale_b:
        Building.objects.filter(id__in=stale_b).delete()
    _insert_rows(Building, b_create)
    _update_rows(Building, b_update)
    report.buildings_created, report.buildings_updated = len(b_create), len(b_update)
    report.buildings_deleted = len(stale_b)
    report.grids_total = len(grids)
    report.buildings_total = len(buildings)


def _aggregate_population(county_codes: list[str]) -> None:
    """Street = sum of its communities (written with them); county = sum of its
    streets; city = sum of its counties; province = sum of its cities."""
    now = timezone.now()

    def write(level: str, sums: dict[str, int]) -> None:
        objs = [
            d
            for d in Division.objects.filter(level=level, code__in=list(sums)).only(
                "id", "code", "population"
            )
            if d.population != sums[d.code]
        ]
        for d in objs:
            d.population = sums[d.code]
            d.updated_at = now
        Division.objects.bulk_update(objs, ["population", "updated_at"], batch_size=500)

    def sums_of(level: str, length: int, scope: Q | None = None) -> dict[str, int]:
        out: dict[str, int] = {}
        qs = Division.objects.filter(level=level)
        if scope is not None:
            qs = qs.filter(scope)
        for code, pop in qs.values_list("code", "population"):
            out[code[:length]] = out.get(code[:length], 0) + pop
        return out

    county_sums = sums_of(Level.STREET, 6, _prefix_q(county_codes))
    write(Level.COUNTY, {c: county_sums.get(c, 0) for c in county_codes})
    write(Level.CITY, sums_of(Level.COUNTY, CODE_LENGTH[Level.CITY]))
    write(Level.PROVINCE, sums_of(Level.CITY, CODE_LENGTH[Level.PROVINCE]))
