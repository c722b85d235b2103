"""The ``intake.dedupe`` rules over a whole import at once, with arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dedupe as D
from . import formats as F

CELL_DEG_LAT = 0.0019  # ≈ 211 m
CELL_DEG_LNG = 0.0022  # ≈ 211 m at 31° N
EARTH_R = 6371008.8  # org.geo.coords.EARTH_RADIUS_M


@dataclass
class Decision:
    master: int | None = None  # record index, or -(case id) for a case already stored
    score: float = 0.0
    reasons: dict | None = None
    suggest: int | None = None


def _bigram_matrix(texts: list[str]):
    """Rows of character-bigram counts (``dedupe.bigrams``; a one-character
    text is its own single token), built with arrays."""
    from scipy import sparse

    rows, grams = [], []
    for r, text in enumerate(texts):
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        # a one-character text: a negative token, which no bigram can equal
        g = codes[:-1] * 0x110000 + codes[1:] if len(codes) >= 2 else -(codes + 1)
        rows.append(np.full(len(g), r, dtype=np.int64))
        grams.append(g)
    if not grams or not sum(len(g) for g in grams):
        return sparse.csr_matrix((len(texts), 1))
    r = np.concatenate(rows)
    cols, inv = np.unique(np.concatenate(grams), return_inverse=True)
    return sparse.csr_matrix(
        (np.ones(len(r)), (r, inv.ravel())), shape=(len(texts), len(cols))
    )  # duplicates are summed: counts


def dedupe(cols: F.Parsed, epoch: np.ndarray, existing: list[tuple]) -> dict[int, Decision]:
    """The ``intake.dedupe`` rules over the whole import at once; a Decision per
    record index (master: record index, or -(case id) of a stored case).

    Candidate pairs are found with arrays: every item (record or stored open
    case, ``existing``: (epoch, -id, lng, lat, category code, title,
    description)) gets a rank in time order and a ~210 m cell; for each of a
    record's 9 neighbouring cells one ``searchsorted`` gives the earlier items
    of the last 7 days. Category family and haversine distance filter the
    pairs as arrays, the bigram cosine is one sparse row product per distinct
    text pair. Only pairs at or above the suggestion threshold reach the
    sequential pass, which applies the one rule that depends on order: a
    merged duplicate is never a master itself.
    """
    from scipy import sparse

    auto, suggest = D.thresholds()
    window = D.window_days() * 86400.0
    radius = D.radius_m()
    n, m = len(cols), len(existing)
    if n == 0:
        return {}
    # items: records 0..n-1, stored cases n..n+m-1
    x = np.asarray(cols.lng + [e[2] for e in existing], dtype=np.float64)
    y = np.asarray(cols.lat + [e[3] for e in existing], dtype=np.float64)
    t = np.concatenate([epoch, np.asarray([e[0] for e in existing], dtype=np.float64)])
    fam_id: dict[str, int] = {}
    fam = np.asarray(
        [fam_id.setdefault(D.category_family(c), len(fam_id)) for c in cols.category]
        + [fam_id.setdefault(D.category_family(e[4]), len(fam_id)) for e in existing],
        dtype=np.int64,
    )
    names = sorted(fam_id, key=fam_id.get)
    compat = np.array([[D.categories_compatible(a, b) for b in names] for a in names], dtype=bool)
    pair_id: dict[tuple[str, str], int] = {}
    key_id: dict[str, int] = {}
    keys: list[str] = []

    def text_id(title: str, text: str) -> int:
        j = pair_id.get((title, text))
        if j is None:
            k = D.text_key(title, text)
            j = key_id.get(k)
            if j is None:
                j = key_id[k] = len(keys)
                keys.append(k)
            pair_id[(title, text)] = j
        return j

    tid = np.asarray(
        [text_id(a, b) for a, b in zip(cols.title, cols.text, strict=True)]
        + [text_id(e[5], e[6]) for e in existing],
        dtype=np.int64,
    )
    # rank: time order; a stored case before a record of the same second
    kind = np.concatenate([np.ones(n, dtype=np.int8), np.zeros(m, dtype=np.int8)])
    by_rank = np.lexsort((np.arange(n + m), kind, t))
    rank = np.empty(n + m, dtype=np.int64)
    rank[by_rank] = np.arange(n + m)
    t_by_rank = t[by_rank]
    cx = np.floor(x / CELL_DEG_LNG).astype(np.int64)
    cy = np.floor(y / CELL_DEG_LAT).astype(np.int64)
    cx0, cy0 = cx.min() - 1, cy.min() - 1
    span = int(cy.max() - cy0) + 2
    cell = (cx - cx0) * span + (cy - cy0)
    big = np.int64(n + m + 1)
    skey = cell * big + rank
    sorder = np.argsort(skey, kind="stable")
    skey_sorted = skey[sorder]
    rec = np.arange(n)
    first = np.searchsorted(t_by_rank, t[:n] - window, side="left")  # oldest rank in window
    ii, jj = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            nc = cell[:n] + dx * span + dy
            lo = np.searchsorted(skey_sorted, nc * big + first, side="left")
            hi = np.searchsorted(skey_sorted, nc * big + rank[:n], side="left")
            cnt = hi - lo
            total = int(cnt.sum())
            if not total:
                continue
            starts = np.repeat(lo - np.cumsum(cnt) + cnt, cnt)
            ii.append(np.repeat(rec, cnt))
            jj.append(sorder[np.arange(total) + starts])
    if not ii:
        return {}
    i = np.concatenate(ii)
    j = np.concatenate(jj)
    keep = compat[fam[i], fam[j]]
    i, j = i[keep], j[keep]
    # haversine (org.geo.coords.haversine_m), as arrays
    r = np.pi / 180
    h = (
        np.sin((y[j] - y[i]) * r / 2) ** 2
        + np.cos(y[i] * r) * np.cos(y[j] * r) * np.sin((x[j] - x[i]) * r / 2) ** 2
    )
    dist = 2 * EARTH_R * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    keep = dist <= radius
    i, j, dist = i[keep], j[keep], dist[keep]
    if not len(i):
        return {}
    # cosine of bigram counts, once per distinct text pair
    a, b = np.minimum(tid[i], tid[j]), np.maximum(tid[i], tid[j])
    nk = np.int64(len(keys))
    uniq, inverse = np.unique(a * nk + b, return_inverse=True)
    used = np.unique(np.concatenate([uniq // nk, uniq % nk]))
    row_of = np.full(len(keys), -1, dtype=np.int64)
    row_of[used] = np.arange(len(used))
    X = _bigram_matrix([keys[k] for k in used.tolist()])
    norm = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norm[norm == 0] = np.inf  # an empty text: cosine 0 (dedupe.cosine)
    X = sparse.csr_matrix(X.multiply(1 / norm[:, None]))
    ua, ub = row_of[uniq // nk], row_of[uniq % nk]
    scores = np.empty(len(uniq))
    for s in range(0, len(uniq), 100_000):
        e = s + 100_000
        scores[s:e] = np.asarray(X[ua[s:e]].multiply(X[ub[s:e]]).sum(axis=1)).ravel()
    score = scores[inverse]
    keep = score >= suggest - 1e-12
    i, j, dist, score = i[keep], j[keep], dist[keep], score[keep]
    # sequential: records in time order; a merged record is no one's master
    order = np.lexsort((-score, rank[i]))
    merged = np.zeros(n, dtype=bool)
    decisions: dict[int, Decision] = {}
    k, total = 0, len(order)
    order_l = order.tolist()
    i_l, j_l = i.tolist(), j.tolist()
    while k < total:
        rec_i = i_l[order_l[k]]
        best = None
        while k < total and i_l[order_l[k]] == rec_i:
            p = order_l[k]
            k += 1
            cand = j_l[p]
            if best is None and (cand >= n or not merged[cand]):
                best = p
        if best is None:
            continue
        cand, sc = j_l[best], float(score[best])
        ref = cand if cand < n else existing[cand - n][1]
        reasons = {"distance_m": round(float(dist[best]), 1),
                   "days": round(float(t[rec_i] - t[cand]) / 86400, 2),
                   "text": round(sc, 4), "bulk": True}  # fmt: skip
        if sc >= auto - 1e-12:
            decisions[rec_i] = Decision(master=ref, score=round(sc, 4), reasons=reasons)
            merged[rec_i] = True
        else:
            decisions[rec_i] = Decision(suggest=ref, score=round(sc, 4), reasons=reasons)
    return decisions
