"""Names of generated grids and housing estates, made from the real
community names."""

from __future__ import annotations

import numpy as np

from ...constants import Kind

ESTATE_SUFFIXES = [
    "苑", "花园", "小区", "家园", "新村", "雅苑", "嘉园", "公寓", "名邸", "佳苑", "华庭", "新城",
]  # fmt: skip
ESTATE_PHASES = ["", "二期", "三期", "四期", "五期"]
NAME_SUFFIXES = [
    "社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区委员会", "村民委员会", "村委会",
    "社区", "村",
]  # fmt: skip


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
