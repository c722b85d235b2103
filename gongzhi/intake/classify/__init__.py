"""Category classifier for citizen messages (capability 4).

Three TF-IDF blocks — body character 1–2-grams, the training corpus's words
found as substrings of the body, and the title's character 1–2-grams — feed a
linear SVM calibrated (Platt, on cross-validated scores) so every prediction
carries a probability-like confidence. Training text is jieba-segmented with
stopwords removed while inference text arrives raw; both are normalised the
same way (NFKC, whitespace and punctuation removed), and matching words as
substrings needs no segmenter at inference (see
docs/decisions/0030-intake-classifier-hotspots.md).

The model is a versioned joblib file under ``models_dir()`` with a JSON
evaluation report beside it; ``current.json`` names the version in use.
"""

from __future__ import annotations

import csv
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

MODEL_KIND = "intake-category"
FORMAT_VERSION = 2
DEFAULT_TRIAGE_THRESHOLD = 0.6
# Train rows whose word TF-IDF cosine to an evaluation message reaches this
# are the same message (tokenized) and are kept out of training.
LEAK_SIMILARITY = 0.8
# Chosen on grouped 5-fold cross-validation inside the training file (see
# docs/decisions/0030-intake-classifier-hotspots.md), never on dev_raw.
SVM_C = 1.0
# Training rows this similar are one message (reposts, edits): one CV group.
GROUP_SIMILARITY = 0.5
# The title, weighted as its own block, sums a message up better than its body.
TITLE_WEIGHT = 0.7
TITLE_MAX_CHARS = 50
LEAD_CHARS = 20  # no title given: the first characters of the text stand in
WORD_MIN_COUNT = 2

LABELS = ("城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输")

# First-level category → responsible county departments (names as in
# gongzhi.org.services.staffing.COUNTY_DEPARTMENTS), primary first.
RESPONSIBLE_UNITS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("住房和城乡建设局", "城市管理局", "自然资源和规划分局", "水务局"),
    "劳动和社会保障": ("人力资源和社会保障局", "民政局"),
    "教育文体": ("教育体育局",),
    "商贸旅游": ("市场监督管理局",),
    "环境保护": ("生态环境分局",),
    "卫生计生": ("卫生健康委员会",),
    "交通运输": ("交通运输局", "公安分局"),
}

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
# The model reads the title and the first part of the detail: bounded cost per
# message (the longest messages run to thousands of characters).
MAX_CHARS = 600


# Whitespace and common ASCII/CJK punctuation, removed before NFKC: each maps to
# something _STRIP removes anyway, and without them NFKC takes its fast path on
# most messages (same output, ~3x faster; checked on 11,468 messages).
_PRE_STRIP = re.compile(
    r"[\s!-/:-@\[-`{-~\u00b7\u2014\u2018\u2019\u201c\u201d\u2026\u3001\u3002"
    r"\u3008-\u3011\u3014-\u301b\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
)


def normalize(text: str) -> str:
    """NFKC, lower case, whitespace and punctuation removed."""
    plain = unicodedata.normalize("NFKC", _PRE_STRIP.sub("", text or ""))
    return _STRIP.sub("", plain.lower())


def model_text(text: str) -> str:
    # Cut the raw text first (punctuation removal shrinks it only a little).
    return normalize((text or "")[: MAX_CHARS * 2])[:MAX_CHARS]


def title_text(text: str, title: str = "") -> str:
    """The title, normalised; without one, the first ``LEAD_CHARS`` characters
    of the text (free text from chat or the phone line has no title)."""
    short = normalize(title[: TITLE_MAX_CHARS * 2])[:TITLE_MAX_CHARS] if title else ""
    return short or model_text(text)[:LEAD_CHARS]


def model_inputs(
    texts: Sequence[str], titles: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """(body, title) pairs as the feature blocks read them."""
    titles = titles if titles is not None else [""] * len(texts)
    out = []
    for text, title in zip(texts, titles, strict=True):
        body = model_text(text)
        short = normalize(title[: TITLE_MAX_CHARS * 2])[:TITLE_MAX_CHARS] if title else ""
        out.append((body, short or body[:LEAD_CHARS]))
    return out


def data_dir() -> Path:
    return Path(getattr(settings, "INTAKE_DATA_DIR", settings.BASE_DIR / "data/citizen-messages"))


def models_dir() -> Path:
    return Path(getattr(settings, "INTAKE_MODELS_DIR", Path(settings.DATA_DIR) / "models"))


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Example:
    text: str
    label: str
    title: str = ""


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
            Example(f"{r.get('title', '')} {r.get('detail', '')}", r["label"], r.get("title", ""))
            for r in csv.DictReader(fh)
            if r.get("label")
        ]


def drop_leaked(train: list[Example], held_out: Sequence[Example]) -> tuple[list[Example], int]:
    """Remove training rows that are (tokenized copies of) held-out messages."""
    if not held_out or not train:
        return train, 0
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer

    jieba.setLogLevel(60)
    vec = TfidfVectorizer(tokenizer=str.split, lowercase=False, token_pattern=None)
    x = vec.fit_transform([e.text for e in train])
    q = vec.transform([" ".join(jieba.lcut(e.text)) for e in held_out])
    leaked = set(((q @ x.T).tocsr() >= LEAK_SIMILARITY).nonzero()[1].tolist())
    return [e for i, e in enumerate(train) if i not in leaked], len(leaked)


# --- features -----------------------------------------------------------------------------------

_BMP = 0x10000  # characters beyond the Basic Multilingual Plane (emoji) are ignored
_DENSE = 1024  # bigrams of the 1,024 most frequent characters: a dense lookup table (4 MB)


class CharNgramTfidf:
    """TF-IDF over character n-grams, computed with numpy for a whole batch.

    The same numbers as sklearn's ``TfidfVectorizer(analyzer="char",
    sublinear_tf=True)`` (smooth idf, l2 rows), without its per-message Python
    loop: 4–6× faster at inference. ``vocabulary=None`` keeps every n-gram in
    ``ngram_range`` found in at least ``min_df`` training texts; with a
    ``vocabulary`` (e.g. the words of the segmented training corpus) only those
    strings count, wherever they occur — word features without running a word
    segmenter on the incoming text.
    """

    def __init__(self, ngram_range=(1, 2), min_df=2, vocabulary=None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.vocabulary = vocabulary

    @staticmethod
    def _codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        docs = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        return np.minimum(cps, _BMP - 1), docs

    def _char_ids(self) -> np.ndarray:
        """Code point → 1-based character id (0: unknown), most frequent first."""
        table = self.__dict__.get("_ids")
        if table is None:
            table = np.zeros(_BMP, dtype=np.int64)
            bmp = self.chars_ < _BMP
            table[self.chars_[bmp]] = np.arange(1, len(self.chars_) + 1)[bmp]
            self._ids = table
        return table

    def _key_of(self, s: str) -> int | None:
        table, key = self._char_ids(), 0
        for ch in s:
            c = ord(ch)
            if c >= _BMP or not table[c]:
                return None
            key = key * self.base_ + int(table[c])
        return key

    def fit(self, texts, y=None):
        texts = list(texts)
        self.__dict__.pop("_ids", None)
        cps, docs = self._codes(texts)
        chars, freq = np.unique(cps, return_counts=True)
        self.chars_ = chars[np.argsort(-freq, kind="stable")].astype(np.int64)
        self.base_ = len(self.chars_) + 1
        ids = self._char_ids()[cps]
        lo, hi = self.ngram_range
        wanted = None
        if self.vocabulary is not None:
            found = (self._key_of(s) for s in self.vocabulary if lo <= len(s) <= hi)
            wanted = np.unique(np.array([k for k in found if k is not None], dtype=np.int64))
        keys, owners = [], []
        start, key, ok = np.arange(len(ids)), ids.copy(), ids > 0
        for n in range(1, hi + 1):
            if n > 1:  # extend every n-1-gram by one character
                start = start[start + n - 1 < len(ids)]
                end = start + n - 1
                key, ok = key[: len(start)] * self.base_ + ids[end], ok[: len(start)]
                ok = ok & (ids[end] > 0) & (docs[start] == docs[end])
            if n >= lo:
                k, s = key[ok], start[ok]
                if wanted is not None:
                    hit = np.isin(k, wanted)
                    k, s = k[hit], s[hit]
                keys.append(k)
                owners.append(docs[s])
        keys, owners = np.concatenate(keys), np.concatenate(owners)
        order = np.lexsort((keys, owners))
        keys, owners = keys[order], owners[order]
        first = np.ones(len(keys), dtype=bool)  # first occurrence of a key in its text
        first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        uniq, df = np.unique(keys[first], return_counts=True)  # document frequency
        keep = df >= (1 if wanted is not None else self.min_df)
        self.keys_ = uniq[keep]
        self.idf_ = (np.log((1 + len(texts)) / (1 + df[keep])) + 1).astype(np.float32)
        self._build_tables()
        return self

    def _build_tables(self) -> None:
        """Per n ≥ 2: sorted node keys (features and prefixes of longer features),
        each with its feature column (or -1) and whether a longer feature continues it."""
        lengths, k = np.ones(len(self.keys_), dtype=np.int64), self.keys_ // self.base_
        while k.any():
            lengths += k > 0
            k //= self.base_
        cols = np.arange(len(self.keys_))
        self._uni = np.full(self.base_, -1, dtype=np.int64)
        self._uni[self.keys_[lengths == 1]] = cols[lengths == 1]
        self._nodes = {}
        for n in range(2, self.ngram_range[1] + 1):
            longer = lengths > n
            prefixes = np.unique(self.keys_[longer] // self.base_ ** (lengths[longer] - n))
            nodes = np.union1d(self.keys_[lengths == n], prefixes)
            col = np.full(len(nodes), -1, dtype=np.int64)
            col[np.searchsorted(nodes, self.keys_[lengths == n])] = cols[lengths == n]
            self._nodes[n] = (nodes, col, np.isin(nodes, prefixes))
        # value = ±(column + 2): 0 no node, negative: a longer feature continues it
        d = min(_DENSE, self.base_)
        self._dense = np.zeros((d, d), dtype=np.int32)
        if 2 in self._nodes:
            nodes, col, is_prefix = self._nodes[2]
            a, b = np.divmod(nodes, self.base_)
            inside = (a < d) & (b < d)
            self._dense[a[inside], b[inside]] = np.where(is_prefix[inside], -1, 1) * (
                col[inside] + 2
            )

    def __getstate__(self):
        # the lookup tables are rebuilt on load: the model file stays small
        return {
            k: v for k, v in self.__dict__.items() if k not in ("_ids", "_uni", "_nodes", "_dense")
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "keys_" in state:
            self._build_tables()

    def _search(self, n: int, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nodes, col, is_prefix = self._nodes[n]
        if not len(nodes):
            return np.full(len(key), -1, dtype=np.int64), np.zeros(len(key), dtype=bool)
        pos = np.minimum(np.searchsorted(nodes, key), len(nodes) - 1)
        hit = nodes[pos] == key
        return np.where(hit, col[pos], -1), hit & is_prefix[pos]

    def _bigrams(self, first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, ...]:
        key = first * self.base_ + second
        d = self._dense.shape[0]
        inside = (first < d) & (second < d)
        value = self._dense[first[inside], second[inside]].astype(np.int64)
        col = np.full(len(key), -1, dtype=np.int64)
        prefix = np.zeros(len(key), dtype=bool)
        col[inside], prefix[inside] = np.abs(value) - 2, value < 0
        if not inside.all():
            col[~inside], prefix[~inside] = self._search(2, key[~inside])
        return key, col, prefix

    def transform(self, texts):
        from scipy.sparse import csr_matrix

        texts = list(texts)
        cps, docs = self._codes(texts)
        ids = self._char_ids()[cps]
        lo, hi = self.ngram_range
        found_docs, found_cols = [], []
        if lo <= 1:
            col = self._uni[ids]
            found_docs.append(docs[col >= 0])
            found_cols.append(col[col >= 0])
        if hi >= 2 and len(ids) > 1:
            ok = (ids[:-1] > 0) & (ids[1:] > 0) & (docs[:-1] == docs[1:])
            start = np.flatnonzero(ok)
            key, col, prefix = self._bigrams(ids[start], ids[start + 1])
            for n in range(2, hi + 1):
                if n > 2:  # only where a longer feature can still match
                    start, key = start[prefix], key[prefix]
                    end = start + n - 1
                    inside = end < len(ids)
                    start, key, end = start[inside], key[inside], end[inside]
                    ok = (ids[end] > 0) & (docs[end] == docs[start])
                    start, key = start[ok], key[ok] * self.base_ + ids[end[ok]]
                    col, prefix = self._search(n, key)
                if n >= lo:
                    found_docs.append(docs[start[col >= 0]])
                    found_cols.append(col[col >= 0])
        nrows, nfeat = len(texts), len(self.keys_)
        flat = np.concatenate([*found_docs, np.zeros(0, np.int64)]) * nfeat + np.concatenate(
            [*found_cols, np.zeros(0, np.int64)]
        )
        flat, counts = np.unique(flat, return_counts=True)
        rows, cols = np.divmod(flat, nfeat)
        values = (1 + np.log(counts)) * self.idf_[cols]
        norms = np.sqrt(np.bincount(rows, weights=values**2, minlength=nrows))
        values = (values / np.where(norms > 0, norms, 1)[rows]).astype(np.float32)
        indptr = np.searchsorted(rows, np.arange(nrows + 1))
        return csr_matrix((values, cols.astype(np.int32), indptr), shape=(nrows, nfeat))


# --- model --------------------------------------------------------------------------------------


@dataclass
class Prediction:
    label: str
    confidence: float
    needs_triage: bool
    units: tuple[str, ...] = ()
    subcategory: tuple[str, str] | None = None
    alternatives: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class CategoryModel:
    pipeline: object
    version: str
    threshold: float = DEFAULT_TRIAGE_THRESHOLD
    meta: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def predict_proba(
        self, texts: Iterable[str], titles: Sequence[str] | None = None
    ) -> np.ndarray:
        """``texts`` are whole messages (title + detail); ``titles``, when known,
        are weighted as a separate block (else the text's first characters are)."""
        return self.pipeline.predict_proba(model_inputs(list(texts), titles))

    def predict(
        self,
        texts: Iterable[str],
        threshold: float | None = None,
        subcategory: bool = True,
        titles: Sequence[str] | None = None,
    ) -> list[Prediction]:
        texts = list(texts)
        limit = self.threshold if threshold is None else threshold
        proba = self.predict_proba(texts, titles)
        labels = self.labels
        out = []
        for text, row in zip(texts, proba, strict=True):
            order = np.argsort(row)[::-1]
            label, conf = labels[order[0]], float(row[order[0]])
            out.append(
                Prediction(
                    label=label,
                    confidence=conf,
                    needs_triage=conf < limit,
                    units=RESPONSIBLE_UNITS.get(label, ()),
                    subcategory=suggest_subcategory(text, label) if subcategory else None,
                    alternatives=[(labels[i], float(row[i])) for i in order[1:3]],
                )
            )
        return out

    def predict_one(self, title: str, detail: str = "", threshold: float | None = None):
        return self.predict([f"{title} {detail}"], threshold, titles=[title])[0]


class TextPipeline:
    """Weighted feature blocks side by side, then one classifier. Inputs are
    (body, title) pairs; each block reads one of the two. sklearn-like, but
    sklearn is imported only to fit: modules that import ``normalize`` stay light."""

    def __init__(self, blocks: Sequence[tuple[int, CharNgramTfidf, float]], classifier):
        self.blocks = list(blocks)
        self.classifier = classifier

    @property
    def classes_(self) -> np.ndarray:
        return self.classifier.classes_

    def transform(self, docs: Sequence[tuple[str, str]]):
        from scipy.sparse import hstack

        parts = [w * b.transform([d[f] for d in docs]) for f, b, w in self.blocks]
        return hstack(parts, format="csr", dtype=np.float32)

    def fit(self, docs: Sequence[tuple[str, str]], labels: Sequence[str]) -> TextPipeline:
        docs = list(docs)
        for f, block, _w in self.blocks:
            block.fit([d[f] for d in docs])
        self.classifier.fit(self.transform(docs), list(labels))
        return self

    def predict_proba(self, docs: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.classifier.predict_proba(self.transform(list(docs)))

    def predict(self, docs: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.classes_[self.predict_proba(docs).argmax(axis=1)]


def word_vocabulary(examples: Iterable[Example], min_count: int = WORD_MIN_COUNT) -> list[str]:
    """Words of the segmented training text (2–4 characters, in at least
    ``min_count`` rows), normalised like the model text. They are matched as
    substrings, so raw messages need no word segmenter at inference."""
    counts: Counter[str] = Counter()
    for e in examples:
        counts.update({normalize(w) for w in e.text.split()})
    return sorted(w for w, n in counts.items() if n >= min_count and 2 <= len(w) <= 4)


def build_pipeline(
    calibration_folds: int = 3, vocabulary: Sequence[str] = (), c: float = SVM_C
) -> TextPipeline:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    body, title = 0, 1
    blocks = [(body, CharNgramTfidf(ngram_range=(1, 2), min_df=2), 1.0)]
    if vocabulary:
        blocks.append((body, CharNgramTfidf(ngram_range=(2, 4), vocabulary=list(vocabulary)), 1.0))
    blocks.append((title, CharNgramTfidf(ngram_range=(1, 2), min_df=2), TITLE_WEIGHT))
    svm = LinearSVC(C=c)
    calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=calibration_folds, ensemble=False)
    return TextPipeline(blocks, calibrated)


def train(
    examples: Sequence[Example],
    threshold: float = DEFAULT_TRIAGE_THRESHOLD,
    calibration_folds: int = 3,
) -> CategoryModel:
    started = time.perf_counter()
    vocabulary = word_vocabulary(examples)
    pipeline = build_pipeline(calibration_folds, vocabulary)
    docs = model_inputs([e.text for e in examples], [e.title for e in examples])
    pipeline.fit(docs, [e.label for e in examples])
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return CategoryModel(
        pipeline=pipeline,
        version=version,
        threshold=threshold,
        meta={
            "kind": MODEL_KIND,
            "format": FORMAT_VERSION,
            "training_examples": len(examples),
            "fit_seconds": round(time.perf_counter() - started, 2),
            "features": (
                f"body (normalised, first {MAX_CHARS} chars): char 1-2-gram TF-IDF + TF-IDF "
                f"of {len(vocabulary)} training-corpus words (2-4 chars, matched as substrings); "
                f"title (or first {LEAD_CHARS} chars): char 1-2-gram TF-IDF x {TITLE_WEIGHT}"
            ),
            "estimator": f"LinearSVC(C={SVM_C}) + sigmoid calibration ({calibration_folds}-fold)",
        },
    )


def evaluate(model: CategoryModel, examples: Sequence[Example]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    if not examples:
        return {}
    truth = [e.label for e in examples]
    started = time.perf_counter()
    preds = model.predict(
        [e.text for e in examples], subcategory=False, titles=[e.title for e in examples]
    )
    seconds = time.perf_counter() - started
    guess = [p.label for p in preds]
    labels = sorted(set(truth) | set(guess))
    per_class = f1_score(truth, guess, labels=labels, average=None, zero_division=0)
    confident = [p for p in preds if not p.needs_triage]
    conf_truth = [t for t, p in zip(truth, preds, strict=True) if not p.needs_triage]
    return {
        "examples": len(examples),
        "accuracy": round(float(accuracy_score(truth, guess)), 4),
        "macro_f1": round(float(f1_score(truth, guess, average="macro", zero_division=0)), 4),
        "per_class_f1": {lab: round(float(f), 4) for lab, f in zip(labels, per_class, strict=True)},
        "triage_threshold": model.threshold,
        "triage_share": round(1 - len(confident) / len(preds), 4),
        "accuracy_above_threshold": round(
            float(np.mean([p.label == t for p, t in zip(confident, conf_truth, strict=True)]))
            if confident
            else 0.0,
            4,
        ),
        "messages_per_second": round(len(examples) / seconds, 1) if seconds else None,
    }


def near_duplicate_groups(examples: Sequence[Example], similarity: float = GROUP_SIMILARITY):
    """Group ids joining training rows whose word TF-IDF cosine reaches
    ``similarity`` (reposts and edited copies of one message), transitively."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(tokenizer=str.split, lowercase=False, token_pattern=None)
    x = vec.fit_transform([e.text for e in examples])
    linked = (x @ x.T).tocsr() >= similarity
    return connected_components(linked, directed=False)[1]


def cross_validate(examples: Sequence[Example], folds: int = 5, seed: int = 0) -> dict:
    """Grouped stratified k-fold estimate of the whole training recipe: near
    duplicates never sit on both sides of a split (plain k-fold on this file
    reads about 0.006 higher)."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.array([e.label for e in examples])
    groups = near_duplicate_groups(examples)
    guess = np.empty(len(examples), dtype=object)
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    for fit_idx, test_idx in splitter.split(labels, labels, groups):
        model = train([examples[i] for i in fit_idx])
        held = [examples[i] for i in test_idx]
        guess[test_idx] = model.pipeline.predict(
            model_inputs([e.text for e in held], [e.title for e in held])
        )
    guess = guess.astype(str)
    names = sorted(set(labels))
    per_class = f1_score(labels, guess, labels=names, average=None, zero_division=0)
    return {
        "folds": folds,
        "grouping": f"word TF-IDF cosine >= {GROUP_SIMILARITY}, connected components",
        "groups": int(groups.max() + 1),
        "accuracy": round(float(accuracy_score(labels, guess)), 4),
        "macro_f1": round(float(f1_score(labels, guess, average="macro")), 4),
        "per_class_f1": {n: round(float(f), 4) for n, f in zip(names, per_class, strict=True)},
    }


# --- files --------------------------------------------------------------------------------------


def save(model: CategoryModel, report: dict, directory: Path | None = None) -> Path:
    directory = Path(directory or models_dir())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{MODEL_KIND}-{model.version}.joblib"
    joblib.dump(
        {"pipeline": model.pipeline, "version": model.version, "threshold": model.threshold,
         "meta": model.meta},
        path,
        compress=3,
    )  # fmt: skip
    report_path = path.with_suffix(".report.json")
    report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    current = {"version": model.version, "file": path.name, "report": report_path.name}
    (directory / f"{MODEL_KIND}-current.json").write_text(
        json.dumps(current, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    load_current.cache_clear()
    return path


class ModelMissing(RuntimeError):
    pass


def load(path: Path) -> CategoryModel:
    blob = joblib.load(path)
    if blob.get("meta", {}).get("format") != FORMAT_VERSION:
        raise ModelMissing(_("模型文件格式不兼容:%(path)s,请重新训练") % {"path": path})
    return CategoryModel(blob["pipeline"], blob["version"], blob["threshold"], blob["meta"])


@lru_cache(maxsize=4)
def load_current(directory: Path | None = None) -> CategoryModel:
    directory = Path(directory or models_dir())
    pointer = directory / f"{MODEL_KIND}-current.json"
    if not pointer.exists():
        raise ModelMissing(
            _("分类模型不存在(%(dir)s),请先运行 manage.py train_classifier") % {"dir": directory}
        )
    return load(directory / json.loads(pointer.read_text(encoding="utf-8"))["file"])


# --- taxonomy (second level) ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, list[tuple[str, str]]]:
    """First-level → [(second, third)] from taxonomy.csv (empty if absent)."""
    path = data_dir() / "taxonomy.csv"
    tree: dict[str, list[tuple[str, str]]] = {}
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                tree.setdefault(row["一级分类"], []).append((row["二级分类"], row["三级分类"]))
    return tree


@lru_cache(maxsize=1)
def _subcategory_keys() -> dict[str, list[list[tuple[str, tuple[str, str]]]]]:
    """Per first level, per taxonomy row: its normalised names worth matching
    (third level first) with the hint each yields."""
    keys: dict[str, list[list[tuple[str, tuple[str, str]]]]] = {}
    for label, rows in taxonomy().items():
        for second, third in rows:
            names = [(normalize(n), (second, third if n == third else "")) for n in (third, second)]
            keys.setdefault(label, []).append(
                [(k, hint) for k, hint in names if len(k) >= 2 and k not in ("其他", "其它")]
            )
    return keys


def suggest_subcategory(text: str, label: str) -> tuple[str, str] | None:
    """A keyword hint for the second/third level: the data has no labels below
    the first level, so this is only a literal match of a taxonomy name inside
    the message (longest first), never a trained prediction."""
    plain = normalize(text)
    best: tuple[int, tuple[str, str]] | None = None
    for names in _subcategory_keys().get(label, ()):
        for key, hint in names:
            if key in plain:
                if best is None or len(key) > best[0]:
                    best = (len(key), hint)
                break
    return best[1] if best else None
