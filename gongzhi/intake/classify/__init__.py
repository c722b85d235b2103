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

``features`` — normalisation, model text and the numpy TF-IDF blocks;
``data`` — the data and model directories and the labelled examples;
``model`` — the model, training, evaluation and the model files;
``taxonomy`` — the labels, their departments, the second-level hint.
"""

from .data import (
    LEAK_SIMILARITY,
    RAW_WEIGHT,
    Example,
    data_dir,
    drop_leaked,
    label_raw_copies,
    models_dir,
    read_raw_labelled,
    read_raw_unlabelled,
    read_tokenized,
)
from .features import (
    LEAD_CHARS,
    MAX_CHARS,
    TITLE_MAX_CHARS,
    WORD_MIN_COUNT,
    CharNgramTfidf,
    model_inputs,
    model_text,
    normalize,
    title_text,
    word_vocabulary,
)
from .model import (
    DEFAULT_TRIAGE_THRESHOLD,
    FORMAT_VERSION,
    GROUP_SIMILARITY,
    MODEL_KIND,
    SVM_C,
    TITLE_WEIGHT,
    CategoryModel,
    ModelMissing,
    Prediction,
    TextPipeline,
    build_pipeline,
    cross_validate,
    current_pointer,
    evaluate,
    load,
    load_current,
    near_duplicate_groups,
    save,
    train,
)
from .taxonomy import LABELS, RESPONSIBLE_UNITS, suggest_subcategory, taxonomy

__all__ = [
    "DEFAULT_TRIAGE_THRESHOLD",
    "FORMAT_VERSION",
    "GROUP_SIMILARITY",
    "LABELS",
    "LEAD_CHARS",
    "LEAK_SIMILARITY",
    "MAX_CHARS",
    "MODEL_KIND",
    "RAW_WEIGHT",
    "RESPONSIBLE_UNITS",
    "SVM_C",
    "TITLE_MAX_CHARS",
    "TITLE_WEIGHT",
    "WORD_MIN_COUNT",
    "CategoryModel",
    "CharNgramTfidf",
    "Example",
    "ModelMissing",
    "Prediction",
    "TextPipeline",
    "build_pipeline",
    "cross_validate",
    "current_pointer",
    "data_dir",
    "drop_leaked",
    "evaluate",
    "label_raw_copies",
    "load",
    "load_current",
    "model_inputs",
    "model_text",
    "models_dir",
    "near_duplicate_groups",
    "normalize",
    "read_raw_labelled",
    "read_raw_unlabelled",
    "read_tokenized",
    "save",
    "suggest_subcategory",
    "taxonomy",
    "title_text",
    "train",
    "word_vocabulary",
]
