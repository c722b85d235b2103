"""Where the data and models live, and the labelled examples read from the
training and evaluation files (and the raw messages matched to training rows)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from .features import TITLE_MAX_CHARS, normalize

# Train rows whose word TF-IDF cosine to an evaluation message reaches this
# are the same message (tokenized) and are kept out of training; a raw message
# this close to a train row is that row, written as sent (label_raw_copies).
LEAK_SIMILARITY = 0.8


def data_dir() -> Path:
    return Path(getattr(settings, "INTAKE_DATA_DIR", settings.BASE_DIR / "data/citizen-messages"))


def models_dir() -> Path:
    return Path(getattr(settings, "INTAKE_MODELS_DIR", Path(settings.DATA_DIR) / "models"))


# A labelled message written the way residents write (dev_raw.csv, officers'
# triage decisions) counts this many times a tokenized training row: raw
# examples are the inference domain (decision 0030: +0.015 macro-F1 on held-out
# raw halves with 223 raw rows at weight 1, +0.018 at 2-4).
RAW_WEIGHT = 3.0


@dataclass
class Example:
    text: str
    label: str
    title: str = ""
    weight: float = 1.0
    raw: bool = False  # as written, not jieba-segmented


# In train_tokenized.csv a run of spaces usually ends the title (79% of rows).
_TITLE_END = re.compile(r"\s{3,}")


def read_tokenized(path: Path) -> list[Example]:
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            if r.get("label"):
                end = _TITLE_END.search(r["tokens"])
                title = r["tokens"][: end.start()] if end else ""
                if len(normalize(title)) > TITLE_MAX_CHARS:  # a gap further on: no title
                    title = ""
                out.append(Example(r["tokens"], r["label"], title))
    return out


def read_raw_labelled(path: Path) -> list[Example]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Example(
                f"{r.get('title', '')} {r.get('detail', '')}",
                r["label"],
                r.get("title", ""),
                weight=RAW_WEIGHT,
                raw=True,
            )
            for r in csv.DictReader(fh)
            if r.get("label")
        ]


def read_raw_unlabelled(path: Path) -> list[tuple[str, str]]:
    """(title, detail) of a raw message file (留言主题, 留言详情 columns)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [(r.get("留言主题") or "", r.get("留言详情") or "") for r in csv.DictReader(fh)]


def word_tfidf(train: Sequence[Example]):
    """Word TF-IDF fitted on the segmented training rows: (vectorizer, rows).
    The space in which a raw message and its tokenized copy are compared."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(tokenizer=str.split, lowercase=False, token_pattern=None)
    return vec, vec.fit_transform([e.text for e in train])


def segmented(vec, texts: Iterable[str]):
    """Raw texts, segmented with jieba like the training file, in ``vec``'s space."""
    import jieba

    jieba.setLogLevel(60)
    return vec.transform([" ".join(jieba.lcut(t)) for t in texts])


def label_raw_copies(
    train: Sequence[Example],
    raw: Sequence[tuple[str, str]],
    held_out: Sequence[Example] = (),
) -> list[Example]:
    """Raw messages whose tokenized copy is a training row (word TF-IDF cosine
    ≥ ``LEAK_SIMILARITY``), labelled like that row: more text written the way
    residents write. Messages close to a held-out one (cosine ≥ 0.5) are left
    out so they cannot carry it into training; repeats count once."""
    if not train or not raw:
        return []
    vec, x = word_tfidf(train)
    q = segmented(vec, (f"{t} {d}" for t, d in raw))
    sim = (q @ x.T).tocsr()
    best, score = sim.argmax(axis=1).A1, sim.max(axis=1).toarray().ravel()
    if held_out:
        h = segmented(vec, (e.text for e in held_out))
        near_held = (q @ h.T).tocsr().max(axis=1).toarray().ravel() >= 0.5
    else:
        near_held = np.zeros(len(raw), dtype=bool)
    seen, out = set(), []
    for i, (title, detail) in enumerate(raw):
        key = (title, detail[:50])
        if score[i] < LEAK_SIMILARITY or near_held[i] or key in seen:
            continue
        seen.add(key)
        label = train[best[i]].label
        out.append(Example(f"{title} {detail}", label, title, weight=RAW_WEIGHT, raw=True))
    return out


def drop_leaked(
    train: list[Example], held_out: Sequence[Example]
) -> tuple[list[Example], list[Example]]:
    """Split training rows into (kept, removed): removed are (tokenized copies
    of) held-out messages."""
    if not held_out or not train:
        return train, []
    vec, x = word_tfidf(train)
    q = segmented(vec, (e.text for e in held_out))
    leaked = set(((q @ x.T).tocsr() >= LEAK_SIMILARITY).nonzero()[1].tolist())
    kept = [e for i, e in enumerate(train) if i not in leaked]
    return kept, [e for i, e in enumerate(train) if i in leaked]
