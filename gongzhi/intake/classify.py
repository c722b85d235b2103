"""Category classifier for citizen messages (capability 4).

Character n-gram TF-IDF + a linear SVM, calibrated (Platt, on cross-validated
scores) so every prediction carries a probability-like confidence. Training
text is jieba-segmented with stopwords removed while inference text arrives
raw; both are normalised the same way (NFKC, whitespace and punctuation
removed) and the features are character 1–2-grams, which barely notice the
difference (see docs/decisions/0030-intake-classifier.md).

The model is a versioned joblib file under ``models_dir()`` with a JSON
evaluation report beside it; ``current.json`` names the version in use.
"""

from __future__ import annotations

import csv
import json
import re
import time
import unicodedata
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
FORMAT_VERSION = 1
DEFAULT_TRIAGE_THRESHOLD = 0.6
# Train rows whose word TF-IDF cosine to an evaluation message reaches this
# are the same message (tokenized) and are kept out of training.
LEAK_SIMILARITY = 0.8

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


def normalize(text: str) -> str:
    """NFKC, lower case, whitespace and punctuation removed."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def model_text(text: str) -> str:
    # Cut the raw text first (punctuation removal shrinks it only a little).
    return normalize((text or "")[: MAX_CHARS * 2])[:MAX_CHARS]


def data_dir() -> Path:
    return Path(getattr(settings, "INTAKE_DATA_DIR", settings.BASE_DIR / "data/citizen-messages"))


def models_dir() -> Path:
    return Path(getattr(settings, "INTAKE_MODELS_DIR", Path(settings.DATA_DIR) / "models"))


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Example:
    text: str
    label: str


def read_tokenized(path: Path) -> list[Example]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [Example(r["tokens"], r["label"]) for r in csv.DictReader(fh) if r.get("label")]


def read_raw_labelled(path: Path) -> list[Example]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Example(f"{r.get('title', '')} {r.get('detail', '')}", r["label"])
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

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        return self.pipeline.predict_proba([model_text(t) for t in texts])

    def predict(
        self, texts: Iterable[str], threshold: float | None = None, subcategory: bool = True
    ) -> list[Prediction]:
        texts = list(texts)
        limit = self.threshold if threshold is None else threshold
        proba = self.predict_proba(texts)
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
        return self.predict([f"{title} {detail}"], threshold)[0]


def build_pipeline(calibration_folds: int = 3):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    return make_pipeline(
        TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32
        ),
        CalibratedClassifierCV(
            LinearSVC(C=0.5), method="sigmoid", cv=calibration_folds, ensemble=False
        ),
    )


def train(
    examples: Sequence[Example],
    threshold: float = DEFAULT_TRIAGE_THRESHOLD,
    calibration_folds: int = 3,
) -> CategoryModel:
    started = time.perf_counter()
    pipeline = build_pipeline(calibration_folds)
    pipeline.fit([model_text(e.text) for e in examples], [e.label for e in examples])
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
            "features": f"char 1-2-gram TF-IDF, normalised text, first {MAX_CHARS} chars",
            "estimator": "LinearSVC(C=0.5) + sigmoid calibration (3-fold)",
        },
    )


def evaluate(model: CategoryModel, examples: Sequence[Example]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    if not examples:
        return {}
    truth = [e.label for e in examples]
    started = time.perf_counter()
    preds = model.predict([e.text for e in examples], subcategory=False)
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


def suggest_subcategory(text: str, label: str) -> tuple[str, str] | None:
    """A keyword hint for the second/third level: the data has no labels below
    the first level, so this is only a literal match of a taxonomy name inside
    the message (longest first), never a trained prediction."""
    plain = normalize(text)
    best: tuple[int, tuple[str, str]] | None = None
    for second, third in taxonomy().get(label, ()):
        for name in (third, second):
            key = normalize(name)
            if len(key) >= 2 and key not in ("其他", "其它") and key in plain:
                if best is None or len(key) > best[0]:
                    best = (len(key), (second, third if name == third else ""))
                break
    return best[1] if best else None
