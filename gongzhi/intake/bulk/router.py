"""``routing.route`` memoised for a whole import."""

from __future__ import annotations

from gongzhi.cases.constants import UnitType
from gongzhi.cases.models import Category
from gongzhi.org.constants import CODE_LENGTH, Level


class Router:
    """``routing.route`` memoised on (category, the part of the path rules can see)."""

    def __init__(self):
        from gongzhi.cases.models import RoutingRule

        rules = list(RoutingRule.objects.filter(is_active=True))
        fine = {UnitType.GRID, UnitType.COMMUNITY}
        lengths = [len(r.territory_prefix) for r in rules]
        self.full = (
            any(r.unit_type in fine for r in rules)
            or Category.objects.filter(default_unit_type__in=fine).exists()
        )
        self.n = max([CODE_LENGTH[Level.STREET], *lengths])
        self.memo: dict = {}
        self.cats = {c.pk: c for c in Category.objects.select_related("parent")}
        self.ruled = {r.category_id for r in rules}
        self.sig: dict[int, tuple] = {}

    def _signature(self, cat_id: int) -> tuple:
        """What routing can see of a category: the ancestors that have rules and
        the nearest default unit type; categories alike route alike."""
        if cat_id not in self.sig:
            ruled, default, node, seen = [], "", self.cats[cat_id], set()
            while node is not None and node.pk not in seen:
                seen.add(node.pk)
                if node.pk in self.ruled:
                    ruled.append(node.pk)
                if not default and node.default_unit_type:
                    default = node.default_unit_type
                node = self.cats.get(node.parent_id)
            self.sig[cat_id] = (tuple(ruled), default)
        return self.sig[cat_id]

    def __call__(self, cat_id: int, path: str):
        from gongzhi.cases.routing import route

        key = (self._signature(cat_id), path if self.full else path[: self.n])
        hit = self.memo.get(key, self)
        if hit is self:
            try:
                hit = route(category=self.cats[cat_id], division_path=path).as_payload()
            except ValueError:
                hit = None
            self.memo[key] = hit
        return hit
