"""The import's counts and timings, and its progress bar."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from tqdm import tqdm


@dataclass
class Report:
    read: int = 0
    imported: int = 0
    triaged: int = 0
    merged: int = 0
    suggested: int = 0
    pushed: int = 0  # outbox rows: status pushes to the source platforms
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
            "pushed": self.pushed,
            "skipped_existing": self.skipped_existing,
            "repeated_in_input": self.repeated,
            "errors": len(self.errors),
            "routes_computed": self.routes_computed,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def progress_bar(total: int, enabled: bool, desc: str, unit: str = "件") -> tqdm:
    """A progress bar on stderr (tqdm); a no-op when ``enabled`` is false."""
    return tqdm(total=total, disable=not enabled, desc=desc, unit=unit, file=sys.stderr)
