"""Model text (normalised body and title) and the numpy TF-IDF over character
n-grams, including the training corpus's words matched as substrings."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .data import Example

TITLE_MAX_CHARS = 50
LEAD_CHARS = 20  # no title given: the first characters of the text stand in
WORD_MIN_COUNT = 2

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


# Model files pickle this class by its dotted path: keep it the package's, so
# files saved before and after the package was split load alike.
CharNgramTfidf.__module__ = "gongzhi.intake.classify"


def word_vocabulary(examples: Iterable[Example], min_count: int = WORD_MIN_COUNT) -> list[str]:
    """Words of the segmented training text (2–4 characters, in at least
    ``min_count`` rows), normalised like the model text. They are matched as
    substrings, so raw messages need no word segmenter at inference."""
    counts: Counter[str] = Counter()
    for e in examples:
        if e.raw:  # not segmented: no words to take
            continue
        counts.update({normalize(w) for w in e.text.split()})
    return sorted(w for w, n in counts.items() if n >= min_count and 2 <= len(w) <= 4)
