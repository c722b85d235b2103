"""What a run of generate_grids did, as counts and Chinese report lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


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
