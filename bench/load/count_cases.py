"""Run inside the load database: how many cases each source reference produced."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db.models import Count  # noqa: E402

from gongzhi.cases.models import Case  # noqa: E402

with open(sys.argv[1]) as fh:
    refs = set(json.load(fh))
counts = dict(
    Case.objects.filter(source_ref__startswith="load-")
    .values_list("source_ref")
    .annotate(n=Count("id"))
)
print(
    json.dumps(
        {
            "submitted": len(refs),
            "stored": sum(counts.values()),
            "missing": len(refs - counts.keys()),
            "duplicated": sum(1 for n in counts.values() if n > 1),
            "unexpected": len(counts.keys() - refs),
        }
    )
)
