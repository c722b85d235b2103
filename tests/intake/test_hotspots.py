"""Hotspots: similar messages cluster within the window, heat ranks them."""

from __future__ import annotations

from datetime import datetime

from django.core.management import call_command

from gongzhi.intake import hotspots as H


def msg(i, title, day, votes=0, month=6, place=""):
    when = datetime(2019, month, day, 9)  # noqa: DTZ001 (source times are naive)
    return H.Message(str(i), title, "", when, votes, f"u{i}", place)


def make():
    noise = ["学校门口交通拥堵", "社保卡补办流程", "公园健身器材损坏", "医院挂号难", "出租车拒载"]
    out = [msg(100 + k, t, 10 + k) for k, t in enumerate(noise)]
    out += [msg(i, "丽发新城小区搅拌站噪音扰民严重", 1 + i) for i in range(4)]
    out += [msg(10 + i, "伊景园滨河苑捆绑销售车位", 3 + i, votes=50) for i in range(3)]
    return out


def test_similar_messages_form_ranked_hotspots():
    found = H.find_hotspots(make())
    assert [h.size for h in found] == [3, 4] or [h.size for h in found] == [4, 3]
    assert found[0].heat >= found[1].heat
    # three messages with 150 votes outrank four with none
    assert found[0].representative.title == "伊景园滨河苑捆绑销售车位"
    assert all(h.size >= 2 for h in found)


def test_window_splits_far_apart_messages():
    far = [msg(1, "丽发新城小区搅拌站噪音扰民严重", 1, month=1),
           msg(2, "丽发新城小区搅拌站噪音扰民严重", 1, month=9)]  # fmt: skip
    assert H.find_hotspots(far, window_days=30) == []
    assert len(H.find_hotspots(far, window_days=365)) == 1


def test_different_places_do_not_merge():
    two = [msg(1, "小区搅拌站噪音扰民严重", 1, place="A3区"),
           msg(2, "小区搅拌站噪音扰民严重", 2, place="A7县")]  # fmt: skip
    assert H.find_hotspots(two) == []


def test_monthly_hard_problem_and_case_payload():
    monthly = H.monthly_hard_problems(make())
    assert list(monthly) == ["2019-06"]
    payload = H.case_payload(monthly["2019-06"][0])
    assert payload["proactive"] and payload["channel"] == "hotspot"
    assert payload["reporter_count"] == len(payload["member_refs"]) >= 2
    assert "未诉先办" in payload["title"]


def test_command_reads_the_votes_file_format(tmp_path, capsys):
    src = tmp_path / "m.csv"
    rows = ["留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数"]
    for i in range(3):
        rows.append(f"{i},u{i},A3区某小区垃圾站臭气熏天,2019/5/{i + 1} 10:00:00,臭,0,{i}")
    rows.append("9,u9,咨询社保缴费,2019/5/2 10:00:00,社保,0,0")
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    call_command("hotspots", input=src, json=True, monthly=True)
    out = capsys.readouterr().out
    assert '"size": 3' in out and '"votes": 3' in out
    assert H.read_messages(src)[0].place == "A3区"
