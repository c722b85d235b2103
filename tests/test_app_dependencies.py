"""Apps depend one way (docs/architecture.md, decisions 0014 and 0015).

Every module of every app under ``gongzhi/`` is parsed; each import of another
app — at the top of a module or inside a function, absolute or relative, or
``import_module("gongzhi.…")`` — must be allowed by ``ALLOWED`` (app → the
apps it may import) or named in ``EXCEPTIONS`` (one module → the apps it alone
may import). ``ALLOWED`` has no cycle and is the "depends on" column of the
Modules table in docs/architecture.md, so a new cycle needs a change to both,
and fails here first.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS_DIR = ROOT / "gongzhi"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "org": {"core"},
    "accounts": {"org", "core"},
    "insights": {"org", "core"},
    "web": {"accounts", "core"},
    "cases": {"accounts", "org", "insights", "core"},
    "intake": {"cases", "org", "core"},
    "cobuild": {"accounts", "org", "insights", "core"},
    "party": {"cobuild", "cases", "accounts", "org", "insights", "core"},
    "volunteering": {"party", "cobuild", "accounts", "org", "insights", "core"},
}

# Modules (or packages, ending in "/") that import more than their app may,
# each listed in docs/architecture.md with its reason.
EXCEPTIONS: dict[str, set[str]] = {
    # The demo command seeds every app in order.
    "accounts/management/commands/seed_demo.py": {
        "cases",
        "cobuild",
        "intake",
        "party",
        "volunteering",
    },
    # Key rotation writes an audit row.
    "core/management/commands/rotate_keys.py": {"accounts"},
}


def _apps() -> list[str]:
    return sorted(p.name for p in APPS_DIR.iterdir() if (p / "__init__.py").is_file())


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(source: str, path: Path) -> set[str]:
    """Dotted names of every module ``source`` (the text of ``path``) imports,
    wherever the import statement stands."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            found.add(".".join(module))
            # `from gongzhi import party`, `from .. import workflow`: submodules.
            found.update(".".join([*module, alias.name]) for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _target_app(module: str, apps: list[str]) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "gongzhi" and parts[1] in apps:
        return parts[1]
    return None


def cross_app_imports() -> dict[tuple[str, str], set[str]]:
    """(importing app, imported app) → the importing modules (paths under gongzhi/)."""
    apps = _apps()
    edges: dict[tuple[str, str], set[str]] = {}
    for app in apps:
        for path in sorted((APPS_DIR / app).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for module in imported_modules(source, path):
                target = _target_app(module, apps)
                if target is not None and target != app:
                    where = path.relative_to(APPS_DIR).as_posix()
                    edges.setdefault((app, target), set()).add(where)
    return edges


def _excepted(module: str, target: str) -> bool:
    return any(
        target in targets and (module == key or (key.endswith("/") and module.startswith(key)))
        for key, targets in EXCEPTIONS.items()
    )


def _documented_table() -> dict[str, set[str]]:
    """The Modules table of docs/architecture.md: app → its "depends on" apps."""
    apps = set(_apps())
    text = ARCHITECTURE.read_text(encoding="utf-8").split("## Modules", 1)[1]
    table: dict[str, set[str]] = {}
    for line in text.split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        head = re.fullmatch(r"`(\w+)`", cells[0]) if len(cells) >= 3 else None
        if head and head.group(1) in apps:
            table[head.group(1)] = set(re.findall(r"`(\w+)`", cells[-1])) & apps
    return table


def test_every_app_is_in_the_table():
    assert sorted(ALLOWED) == _apps()


def test_the_allowed_table_has_no_cycle():
    done: set[str] = set()

    def visit(app: str, path: tuple[str, ...]) -> None:
        assert app not in path, " -> ".join((*path, app))
        if app not in done:
            for dep in sorted(ALLOWED[app]):
                visit(dep, (*path, app))
            done.add(app)

    for app in sorted(ALLOWED):
        visit(app, ())


def test_the_table_is_the_one_in_docs_architecture():
    assert _documented_table() == ALLOWED


def test_the_exceptions_are_documented_and_reach_only_outside_the_table():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    for module, targets in EXCEPTIONS.items():
        assert f"`{module}`" in text, module
        assert not targets & ALLOWED[module.split("/", 1)[0]], module


def test_imports_between_apps_follow_the_table():
    offenders = sorted(
        f"{module} imports gongzhi.{target}"
        for (app, target), modules in cross_app_imports().items()
        if target not in ALLOWED[app]
        for module in modules
        if not _excepted(module, target)
    )
    assert offenders == []


def test_the_table_and_the_exceptions_name_only_imports_that_exist():
    """A dependency that went away is struck from the table (and the doc), so
    the table stays the real state."""
    edges = cross_app_imports()
    unused = sorted(f"{app} -> {dep}" for app, deps in ALLOWED.items() for dep in deps)
    unused = [e for e in unused if tuple(e.split(" -> ")) not in edges]
    stale = sorted(
        f"{key} -> {target}"
        for key, targets in EXCEPTIONS.items()
        for target in targets
        if not any(
            module == key or (key.endswith("/") and module.startswith(key))
            for module in edges.get((key.split("/", 1)[0], target), set())
        )
    )
    assert (unused, stale) == ([], [])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from gongzhi.party.models import ReportIn\n", "gongzhi.party.models"),
        ("import gongzhi.volunteering.selectors\n", "gongzhi.volunteering.selectors"),
        ("from gongzhi import volunteering\n", "gongzhi.volunteering"),
        ("from ...volunteering import models\n", "gongzhi.volunteering.models"),
        ("importlib.import_module('gongzhi.party.demo')\n", "gongzhi.party.demo"),
    ],
)
def test_lazy_relative_and_dynamic_imports_are_seen(source, expected):
    path = APPS_DIR / "party" / "services" / "x.py"
    assert expected in imported_modules(source, path)


def test_a_new_import_of_volunteering_from_party_would_fail():
    source = "def f():\n    from gongzhi.volunteering.models import SignUp\n"
    modules = imported_modules(source, APPS_DIR / "party" / "selectors.py")
    targets = {_target_app(m, _apps()) for m in modules}
    assert "volunteering" in targets and "volunteering" not in ALLOWED["party"]
