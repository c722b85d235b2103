"""Run inside the load database: how many cases each source reference produced.

argv[1]: the JSON written by the locustfile ({"acked": {ref: number}, "failed": [ref]}).
Every acknowledged report must be stored exactly once (with the number the
server answered); no source_ref may be stored twice; a failed report may be
stored at most once; nothing else may appear."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db.models import Count  # noqa: E402

from gongzhi.cases.models import Case  # noqa: E402

with open(sys.argv[1]) as fh:
    sent = json.load(fh)
acked: dict[str, str] = sent["acked"]
failed = set(sent["failed"])
counts = dict(
    Case.objects.filter(source_ref__startswith="load-")
    .values_list("source_ref")
    .annotate(n=Count("id"))
)
numbers = dict(Case.objects.filter(source_ref__in=list(acked)).values_list("source_ref", "number"))
print(
    json.dumps(
        {
            "acknowledged": len(acked),
            "failed_requests": len(failed),
            "stored": sum(counts.values()),
            "stored_acknowledged": sum(1 for r in acked if counts.get(r, 0) == 1),
            "missing": sum(1 for r in acked if r not in counts),
            "number_mismatch": sum(1 for r, n in acked.items() if numbers.get(r, n) != n),
            "duplicated": sum(1 for n in counts.values() if n > 1),
            "stored_after_failure": len(failed & counts.keys()),
            "unexpected": len(counts.keys() - acked.keys() - failed),
        }
    )
)
