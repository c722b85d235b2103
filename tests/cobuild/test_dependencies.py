"""cobuild is below party (docs/decisions/0014): it never imports party."""

from __future__ import annotations

import ast
from pathlib import Path

import gongzhi.cobuild


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_cobuild_never_imports_party():
    root = Path(gongzhi.cobuild.__file__).parent
    offenders = sorted(
        f"{path.relative_to(root)}: {module}"
        for path in root.rglob("*.py")
        for module in _imported_modules(path)
        if module == "gongzhi.party" or module.startswith("gongzhi.party.")
    )
    assert offenders == []
