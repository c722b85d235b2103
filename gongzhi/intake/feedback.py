"""Officers' triage decisions as classifier training rows.

A message the classifier was unsure about goes to the triage queue; the
officer who files it picks the category. Those decisions are labelled raw
messages — exactly the text the model sees at inference, which the tokenized
training file is not — so ``train_classifier`` adds them (weighted like
dev_raw.csv, ``classify.RAW_WEIGHT``) and the weekly ``retrain_classifier``
task retrains once enough new ones have come in (decision 0030).

The label is the case's *current* category, walked up to its citizen
first-level (T01…): a later re-categorisation of the case by the handling
unit corrects the row too. Cases filed under the GB/T 30428 classes (U…)
have no citizen first level and are left out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .classify import LABELS, RAW_WEIGHT, Example

# New decisions needed before the weekly task retrains.
RETRAIN_MIN_NEW = 50


def _first_level_names() -> dict[int, str]:
    """Category id → name of its citizen first level (only the 7 labels)."""
    from gongzhi.cases.models import Category

    rows = {pk: (parent, code, name) for pk, parent, code, name in
            Category.objects.values_list("id", "parent_id", "code", "name")}  # fmt: skip
    out = {}
    for pk in rows:
        node, seen = pk, 0
        while node is not None and seen < 8:
            parent, _code, name = rows[node]
            if parent is not None and rows.get(parent, (None, "", ""))[1] == "T":
                if name in LABELS:
                    out[pk] = name
                break
            node, seen = parent, seen + 1
    return out


def triage_examples(since: datetime | None = None) -> list[Example]:
    """Accepted triage items whose case sits under a citizen first level."""
    from .models import TriageItem

    labels = _first_level_names()
    items = TriageItem.objects.filter(
        state=TriageItem.State.ACCEPTED, case__isnull=False
    ).values_list("text", "case__category_id")
    if since is not None:
        items = items.filter(decided_at__gt=since)
    return [
        Example(text, labels[cat], "", weight=RAW_WEIGHT, raw=True)
        for text, cat in items.order_by("id").iterator()
        if cat in labels and text.strip()
    ]


def model_trained_at(directory=None) -> datetime | None:
    """When the model in use was trained (its version is a UTC timestamp)."""
    from .classify import current_pointer

    pointer = current_pointer(directory)
    if pointer is None:
        return None
    return datetime.strptime(pointer["version"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def retrain_due(minimum: int | None = None, directory=None) -> int:
    """How many decisions arrived since the model was trained, when at least
    ``minimum`` (default ``RETRAIN_MIN_NEW``) did (else 0)."""
    minimum = RETRAIN_MIN_NEW if minimum is None else minimum
    trained = model_trained_at(directory)
    if trained is None:
        return 0
    new = len(triage_examples(since=trained))
    return new if new >= minimum else 0
