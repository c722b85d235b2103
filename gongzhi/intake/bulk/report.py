"""The import's counts and timings, and a progress bar."""

from __future__ import annotations

import sys
import time as _time
from dataclasses import dataclass, field


@dataclass
class Report:
    read: int = 0
    imported: int = 0
    triaged: int = 0
    merged: int = 0
    suggested: int = 0
    skipped_existing: int = 0
    repeated: int = 0
    files: int = 0
    routes_computed: int = 0
    errors: list = field(default_factory=list)  # (file, line, ref, reason)
    seconds: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "read": self.read,
            "imported": self.imported,
            "triaged": self.triaged,
            "merged": self.merged,
            "suggested": self.suggested,
            "skipped_existing": self.skipped_existing,
            "repeated_in_input": self.repeated,
            "errors": len(self.errors),
            "routes_computed": self.routes_computed,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


class Progress:
    """A text progress bar on stderr (no dependency)."""

    def __init__(self, total: int, enabled: bool, desc: str, unit: str = "件"):
        self.total, self.n, self.enabled, self.desc, self.unit = total, 0, enabled, desc, unit
        self.t0 = self.last = _time.monotonic()

    def update(self, k: int) -> None:
        self.n += k
        now = _time.monotonic()
        if self.enabled and (now - self.last > 0.5 or self.n >= self.total):
            self.last = now
            pct = 100 * self.n / max(self.total, 1)
            rate = self.n / max(now - self.t0, 1e-9)
            bar = "#" * int(pct / 4)
            sys.stderr.write(f"\r{self.desc} [{bar:<25}] {self.n:,}/{self.total:,} {pct:5.1f}% "
                             f"{rate:,.{0 if rate >= 10 else 1}f} {self.unit}/s")  # fmt: skip
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
