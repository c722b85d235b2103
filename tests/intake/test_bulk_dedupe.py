"""The bulk pipeline's array dedupe applies the rules of ``intake.dedupe``
(radius, window, category family, bigram cosine, thresholds; a merged record
is never a master) — checked on hand-made cases and against a brute-force
reference built from ``intake.dedupe``'s own functions."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from gongzhi.intake import dedupe as D
from gongzhi.intake.bulk.formats import Parsed
from gongzhi.intake.bulk.pipeline import dedupe

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
TEXT = "小区门口的路灯坏了一个多星期,晚上一片漆黑,老人孩子出行很不安全,请尽快修理"
OTHER = "菜市场旁边的垃圾桶满了没人清运,气味很大,苍蝇很多,影响周边居民生活"


def make(records) -> tuple[Parsed, np.ndarray]:
    """records: (hours after T0, metres east, metres north, category, title, text)."""
    cols = Parsed()
    for h, east, north, cat, title, text in records:
        cols.when.append(T0 + timedelta(hours=h))
        cols.lng.append(117.3 + east / (111_320 * math.cos(math.radians(31.8))))
        cols.lat.append(31.8 + north / 111_320)
        cols.category.append(cat)
        cols.title.append(title)
        cols.text.append(text)
        cols.ref.append(f"R{len(cols.ref)}")
    return cols, np.asarray([w.timestamp() for w in cols.when])


def test_hand_made_cases():
    near_text = TEXT.replace("一个多星期", "好几天了").replace("请尽快修理", "希望有人管管")
    cols, epoch = make([
        (0, 0, 0, "T01", "路灯坏了", TEXT),            # 0: first report
        (1, 50, 0, "UC01", "路灯坏了", TEXT),          # 1: other vocabulary → merged into 0
        (2, 0, 50, "T02", "路灯坏了", TEXT),           # 2: another citizen class → nothing
        (3, 500, 0, "T01", "路灯坏了", TEXT),          # 3: 500 m away → nothing
        (4, 10, 10, "T01", "路灯坏了", near_text),     # 4: similar text → suggestion or merge
        (5, 20, 0, "T01", "垃圾满了", OTHER),          # 5: another problem → nothing
        (24 * 8, 0, 0, "T01", "路灯坏了", TEXT),       # 6: 8 days later → out of window
        (6, 5, 0, "T01", "路灯坏了", TEXT),            # 7: merged into 0, never into 1
    ])  # fmt: skip
    d = dedupe(cols, epoch, [])
    assert d[1].master == 0 and d[1].score == 1.0 and abs(d[1].reasons["distance_m"] - 50) < 0.5
    assert 2 not in d and 3 not in d and 5 not in d
    assert 4 in d and (d[4].master == 0 or d[4].suggest == 0)
    score = D.cosine(D.bigrams(D.text_key("路灯坏了", TEXT)),
                     D.bigrams(D.text_key("路灯坏了", near_text)))  # fmt: skip
    assert d[4].score == pytest.approx(score, abs=1e-4)
    assert d[7].master in (0, 4) and d[7].master != 1
    assert 6 not in d  # everything else is more than 7 days older


def test_stored_cases_are_candidates():
    cols, epoch = make([(2, 30, 0, "T01", "路灯坏了", TEXT)])
    stored = [((T0 + timedelta(hours=1)).timestamp(), -42, 117.3, 31.8, "T01", "路灯坏了", TEXT)]
    d = dedupe(cols, epoch, stored)
    assert d[0].master == -42
    later = [((T0 + timedelta(hours=3)).timestamp(), -43, 117.3, 31.8, "T01", "路灯坏了", TEXT)]
    assert dedupe(cols, epoch, later) == {}  # a later case is not a candidate


def reference(cols, epoch):
    """The rules one pair at a time, with intake.dedupe's functions."""
    auto, suggest = D.thresholds()
    window, radius = D.window_days() * 86400, D.radius_m()
    order = sorted(range(len(cols)), key=lambda i: (epoch[i], i))
    masters, out = [], {}
    for i in order:
        best = None
        for j in masters:
            if not 0 <= epoch[i] - epoch[j] <= window:
                continue
            if not D.categories_compatible(cols.category[i], cols.category[j]):
                continue
            if D.haversine_m(cols.lng[i], cols.lat[i], cols.lng[j], cols.lat[j]) > radius:
                continue
            s = D.cosine(D.bigrams(D.text_key(cols.title[i], cols.text[i])),
                         D.bigrams(D.text_key(cols.title[j], cols.text[j])))  # fmt: skip
            if s >= suggest and (best is None or s > best):
                best = s
        if best is not None:
            out[i] = ("merge" if best >= auto else "suggest", round(best, 4))
            if best >= auto:
                continue
        masters.append(i)
    return out


def test_matches_the_reference_on_random_records():
    rnd = random.Random(7)
    texts = [TEXT, OTHER, TEXT[:20] + OTHER[20:], OTHER[:25] + "。" + TEXT[30:], TEXT + "!!"]
    cats = ["T01", "T02", "UC01", "UE03"]
    records = [(rnd.uniform(0, 24 * 20), rnd.uniform(-300, 300), rnd.uniform(-300, 300),
                rnd.choice(cats), "", rnd.choice(texts)) for _ in range(400)]  # fmt: skip
    cols, epoch = make(records)
    got = {i: ("merge" if d.master is not None else "suggest", d.score)
           for i, d in dedupe(cols, epoch, []).items()}  # fmt: skip
    want = reference(cols, epoch)
    assert set(got) == set(want)
    for i, (kind, score) in want.items():
        assert got[i][0] == kind and got[i][1] == pytest.approx(score, abs=1e-4)
