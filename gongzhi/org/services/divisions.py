"""Importing the division tree (统计用区划代码) from CSV files.

The whole import is validated before anything is written and then written in
one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import ImportFailed
from gongzhi.core.textio import decode_strict

from ..constants import CODE_LENGTH, LEVEL_BY_LENGTH, LEVEL_ORDER, Kind, Level
from ..models import Division

MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    parent_code: str | None
    source: str  # "file:line", for error messages


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = []
        for level in LEVEL_ORDER:
            label = Level(level).label
            c, u, s = self.created[level], self.updated[level], self.unchanged[level]
            if c or u or s:
                out.append(
                    _("%(label)s:新增 %(c)d,更新 %(u)d,未变 %(s)d")
                    % {"label": label, "c": c, "u": u, "s": s}
                )
        return out


# (file name, level, columns: code, name, parent code)
ANHUI_FILES = [
    ("anhui_cities.csv", Level.CITY, ("code", "name", "provinceCode")),
    ("anhui_areas.csv", Level.COUNTY, ("code", "name", "cityCode")),
    ("anhui_streets.csv", Level.STREET, ("code", "name", "areaCode")),
    ("anhui_villages.csv", Level.COMMUNITY, ("code", "name", "streetCode")),
]


def kind_for(level: str, code: str, name: str) -> str:
    """The kind of unit, from the national code rules and the official name."""
    if level == Level.PROVINCE:
        return Kind.PROVINCE
    if level == Level.CITY:
        return Kind.CITY
    if level == Level.COUNTY:
        # 统计用区划代码: county-level 71–80 are development zones.
        if "71" <= code[4:6] <= "80":
            return Kind.DEV_ZONE
        if name.endswith("区"):
            return Kind.DISTRICT
        if name.endswith("县"):
            return Kind.COUNTY
        return Kind.COUNTY_CITY
    if level == Level.STREET:
        if name.endswith("街道"):
            return Kind.SUBDISTRICT
        if name.endswith("镇"):
            return Kind.TOWN
        if name.endswith("乡"):
            return Kind.TOWNSHIP
        return Kind.STREET_OTHER
    if level == Level.COMMUNITY:
        if "村民委员会" in name or name.endswith("村委会"):
            return Kind.VILLAGERS_COMMITTEE
        return Kind.RESIDENTS_COMMITTEE
    return Kind.GRID


def read_rows(directory: Path, *, province_code: str, province_name: str) -> list[DivisionRow]:
    """Read the four Anhui CSV files; raise ImportFailed naming the file and line."""
    rows = [DivisionRow(province_code, province_name, None, "province")]
    errors: list[str] = []
    for filename, level, (code_col, name_col, parent_col) in ANHUI_FILES:
        path = directory / filename
        if not path.exists():
            raise ImportFailed(_("缺少文件:%(path)s") % {"path": path})
        try:
            text = decode_strict(path.read_bytes())
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                _("文件 %(file)s 既不是 UTF-8 也不是 GBK 编码,无法读取。") % {"file": filename}
            ) from exc
        with io.StringIO(text, newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [
                c for c in (code_col, name_col, parent_col) if c not in (reader.fieldnames or [])
            ]
            if missing:
                raise ImportFailed(
                    _("文件 %(file)s 缺少列:%(cols)s")
                    % {"file": filename, "cols": "、".join(missing)}
                )
            for line_no, record in enumerate(reader, start=2):
                code = (record[code_col] or "").strip()
                name = (record[name_col] or "").strip()
                parent = (record[parent_col] or "").strip()
                where = f"{filename}:{line_no}"
                expected = CODE_LENGTH[level]
                # Village files carry the full 12-digit code; other levels may
                # carry the 12-digit form padded with zeros — keep the prefix.
                if len(code) == 12 and expected < 12 and code[expected:] == "0" * (12 - expected):
                    code = code[:expected]
                if not code.isdigit() or len(code) != expected:
                    errors.append(
                        _("%(where)s:代码“%(code)s”应为 %(n)d 位数字")
                        % {"where": where, "code": code, "n": expected}
                    )
                    continue
                if not name:
                    errors.append(_("%(where)s:名称为空") % {"where": where})
                    continue
                rows.append(DivisionRow(code, name, parent, where))
    if errors:
        raise ImportFailed(_format_errors(errors))
    return rows


def _format_errors(errors: list[str]) -> str:
    shown = "\n".join(errors[:MAX_REPORTED_ERRORS])
    more = len(errors) - MAX_REPORTED_ERRORS
    if more > 0:
        shown += "\n" + _("……另有 %(n)d 处错误") % {"n": more}
    return _("导入失败,未写入任何数据:\n") + shown


def validate_rows(rows: list[DivisionRow]) -> None:
    """Check lengths, duplicates and parent links across the whole batch."""
    errors: list[str] = []
    known = set(Division.objects.values_list("code", flat=True))
    seen: dict[str, str] = {}
    for row in rows:
        if len(row.code) not in LEVEL_BY_LENGTH:
            errors.append(_("%(where)s:代码长度不正确") % {"where": row.source})
            continue
        if row.code in seen:
            errors.append(
                _("%(where)s:代码 %(code)s 与 %(other)s 重复")
                % {"where": row.source, "code": row.code, "other": seen[row.code]}
            )
            continue
        seen[row.code] = row.source
    for row in rows:
        level = LEVEL_BY_LENGTH.get(len(row.code))
        if level is None or level == Level.PROVINCE:
            continue
        parent = row.parent_code or ""
        expected_parent_len = CODE_LENGTH[LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]]
        if len(parent) != expected_parent_len or not row.code.startswith(parent):
            errors.append(
                _("%(where)s:上级代码“%(parent)s”与代码 %(code)s 不对应")
                % {"where": row.source, "parent": parent, "code": row.code}
            )
        elif parent not in seen and parent not in known:
            errors.append(
                _("%(where)s:上级 %(parent)s 不存在") % {"where": row.source, "parent": parent}
            )
    if errors:
        raise ImportFailed(_format_errors(errors))


@transaction.atomic
def divisions_import(*, rows: list[DivisionRow]) -> ImportReport:
    """Create or update every row, level by level; idempotent."""
    validate_rows(rows)
    report = ImportReport()
    by_level: dict[str, list[DivisionRow]] = {}
    for row in rows:
        by_level.setdefault(LEVEL_BY_LENGTH[len(row.code)], []).append(row)
    for level in LEVEL_ORDER:
        level_rows = by_level.get(level, [])
        if not level_rows:
            continue
        parent_ids = (
            dict(
                Division.objects.filter(
                    code__in={r.parent_code for r in level_rows if r.parent_code}
                ).values_list("code", "id")
            )
            if level != Level.PROVINCE
            else {}
        )
        existing = {d.code: d for d in Division.objects.filter(level=level)}
        to_create, to_update = [], []
        for row in level_rows:
            kind = kind_for(level, row.code, row.name)
            parent_id = parent_ids.get(row.parent_code) if row.parent_code else None
            current = existing.get(row.code)
            if current is None:
                to_create.append(
                    Division(
                        code=row.code, name=row.name, level=level, kind=kind, parent_id=parent_id
                    )
                )
            elif (current.name, current.kind, current.parent_id) != (row.name, kind, parent_id):
                current.name, current.kind, current.parent_id = row.name, kind, parent_id
                to_update.append(current)
            else:
                report.unchanged[level] += 1
        Division.objects.bulk_create(to_create, batch_size=2000)
        Division.objects.bulk_update(to_update, ["name", "kind", "parent"], batch_size=2000)
        report.created[level] += len(to_create)
        report.updated[level] += len(to_update)
    return report
