"""The model: feature blocks + calibrated linear SVM; training, evaluation
(held-out and grouped cross-validation), and the versioned model files."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
from django.utils.translation import gettext as _

from .data import Example, models_dir, segmented, word_tfidf
from .features import LEAD_CHARS, MAX_CHARS, CharNgramTfidf, model_inputs, word_vocabulary
from .taxonomy import RESPONSIBLE_UNITS, suggest_subcategory

MODEL_KIND = "intake-category"
FORMAT_VERSION = 2
DEFAULT_TRIAGE_THRESHOLD = 0.6
# Chosen on grouped 5-fold cross-validation inside the training file (see
# docs/decisions/0030-intake-classifier-hotspots.md), never on dev_raw.
SVM_C = 1.0
# Training rows this similar are one message (reposts, edits): one CV group.
GROUP_SIMILARITY = 0.5
# The title, weighted as its own block, sums a message up better than its body.
TITLE_WEIGHT = 0.7


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

    def fit(
        self,
        docs: Sequence[tuple[str, str]],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> TextPipeline:
        docs = list(docs)
        for f, block, _w in self.blocks:
            block.fit([d[f] for d in docs])
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.classifier.fit(self.transform(docs), list(labels), sample_weight=weights)
        return self

    def predict_proba(self, docs: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.classifier.predict_proba(self.transform(list(docs)))

    def predict(self, docs: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.classes_[self.predict_proba(docs).argmax(axis=1)]


# Model files pickle this class by its dotted path: keep it the package's, so
# files saved before and after the package was split load alike.
TextPipeline.__module__ = "gongzhi.intake.classify"


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
    weights = [e.weight for e in examples]
    pipeline.fit(docs, [e.label for e in examples], weights if len(set(weights)) > 1 else None)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return CategoryModel(
        pipeline=pipeline,
        version=version,
        threshold=threshold,
        meta={
            "kind": MODEL_KIND,
            "format": FORMAT_VERSION,
            "training_examples": len(examples),
            "raw_examples": sum(1 for e in examples if e.raw),
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
    """Group ids joining rows whose word TF-IDF cosine reaches ``similarity``
    (reposts and edited copies of one message), transitively. Raw rows are
    segmented into the tokenized rows' word space first, so a raw copy shares
    its tokenized row's group and never sits on the other side of a split."""
    from scipy.sparse import vstack
    from scipy.sparse.csgraph import connected_components
    from sklearn.preprocessing import normalize as l2_rows

    tokenized = [i for i, e in enumerate(examples) if not e.raw]
    raw = [i for i, e in enumerate(examples) if e.raw]
    if not tokenized:  # no word space to compare raw rows in: each is its own group
        return np.arange(len(examples))
    vec, x = word_tfidf([examples[i] for i in tokenized])
    if raw:
        x = vstack([x, segmented(vec, (examples[i].text for i in raw))], format="csr")
    x = l2_rows(x)
    linked = (x @ x.T).tocsr() >= similarity
    groups = np.empty(len(examples), dtype=np.int64)
    groups[tokenized + raw] = connected_components(linked, directed=False)[1]
    return groups


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
    raw = np.array([e.raw for e in examples])
    raw_scores = {}
    if raw.any():  # messages as residents write them, each scored by a model without its copies
        raw_scores = {
            "raw_examples": int(raw.sum()),
            "raw_accuracy": round(float(accuracy_score(labels[raw], guess[raw])), 4),
            "raw_macro_f1": round(float(f1_score(labels[raw], guess[raw], average="macro")), 4),
        }
    return {
        **raw_scores,
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
    # Atomic switch: processes reading the pointer (load_current) see the old
    # file or the new one, never half a JSON document.
    pointer = directory / f"{MODEL_KIND}-current.json"
    tmp = pointer.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(current, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, pointer)
    load_current.cache_clear()
    return path


class ModelMissing(RuntimeError):
    pass


def load(path: Path) -> CategoryModel:
    blob = joblib.load(path)
    if blob.get("meta", {}).get("format") != FORMAT_VERSION:
        raise ModelMissing(_("模型文件格式不兼容:%(path)s,请重新训练") % {"path": path})
    return CategoryModel(blob["pipeline"], blob["version"], blob["threshold"], blob["meta"])


def load_current(directory: Path | None = None) -> CategoryModel:
    """The model ``current.json`` names. Cached per process and re-read when
    the pointer changes (a retrain by the weekly task or an operator)."""
    directory = Path(directory or models_dir())
    pointer = directory / f"{MODEL_KIND}-current.json"
    try:
        stamp = pointer.stat().st_mtime_ns
    except FileNotFoundError:
        raise ModelMissing(
            _("分类模型不存在(%(dir)s),请先运行 manage.py train_classifier") % {"dir": directory}
        ) from None
    return _load_pointed(directory, stamp)


def current_pointer(directory: Path | None = None) -> dict | None:
    """``current.json``: the version in use, its model file and report (None
    before the first training)."""
    pointer = Path(directory or models_dir()) / f"{MODEL_KIND}-current.json"
    if not pointer.exists():
        return None
    return json.loads(pointer.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _load_pointed(directory: Path, stamp: int) -> CategoryModel:
    return load(directory / current_pointer(directory)["file"])


load_current.cache_clear = _load_pointed.cache_clear  # type: ignore[attr-defined]
