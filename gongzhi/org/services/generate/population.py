"""Population summed up the tree after a run."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from ...constants import CODE_LENGTH, Level
from ...models import Division
from .sql import prefix_q


def aggregate_population(county_codes: list[str]) -> None:
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

    county_sums = sums_of(Level.STREET, 6, prefix_q(county_codes))
    write(Level.COUNTY, {c: county_sums.get(c, 0) for c in county_codes})
    write(Level.CITY, sums_of(Level.COUNTY, CODE_LENGTH[Level.CITY]))
    write(Level.PROVINCE, sums_of(Level.CITY, CODE_LENGTH[Level.PROVINCE]))
