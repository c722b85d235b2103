"""Personal data in free text: numbers in any script (core.masking.mask_text)
and names (intake.open311.redaction.public_text, the public Open311 reads)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.masking import mask_text
from gongzhi.intake.open311.redaction import COMMON_SURNAMES, public_text

# How residents write each digit: ASCII, full width, Chinese numerals as
# written and as read aloud (幺 for 1, 两 for 2, 〇/零 for 0), financial forms.
FORMS = {
    "0": "0０〇零○",
    "1": "1１一幺壹",
    "2": "2２二两贰",
    "3": "3３三叁",
    "4": "4４四肆",
    "5": "5５五伍",
    "6": "6６六陆",
    "7": "7７七柒",
    "8": "8８八捌",
    "9": "9９九玖",
}
TO_ASCII = {form: digit for digit, forms in FORMS.items() for form in forms}
SEPARATORS = [" ", "-", "　", "－", "—"]


def as_ascii(text: str) -> str:
    """Every digit in any form as ASCII, separators dropped: what a reader
    could reconstruct from ``text``."""
    return "".join(TO_ASCII.get(c, c) for c in text if c not in SEPARATORS)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("电话一三九一二三四五六七八", "电话139****5678"),
        ("电话幺三八幺二三四五六七八", "电话138****5678"),
        ("手机１３９１２３４５６７８", "手机139****5678"),
        ("打139 一二三四 5678找我", "打139****5678找我"),
        ("打一三九-一二三四-五六七八", "打139****5678"),
        ("号码1391 234 5678", "号码139****5678"),
        ("一三九一二三四五六七八一楼", "139****5678一楼"),
        ("139一2345一5678", "139****5678"),
        ("座机〇五五一-六二三四五六七八", "座机055****5678"),
        ("身份证３４０１０４１９９００１０１１２３４", "身份证340104********1234"),
        ("身份证三四〇一〇四一九九〇〇一〇一一二三Ｘ号", "身份证340104********123X号"),
    ],
)
def test_numbers_spelt_in_chinese_or_full_width_are_masked(text, shown):
    assert mask_text(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "三栋十二号楼2020年一百多户两三天没水",
        "2019-08-11 一名普通的铁路职工",
        "我小区1107一101业主",
        "二〇一九年十月二日",
        "２０１９－０８－１１",
        "一一对应,三三两两,五一假期",
        "晚上22:00-23:00一直施工",
    ],
)
def test_ordinary_numbers_stay_as_written(text):
    assert mask_text(text) == text


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
# Surrounding text: Chinese and punctuation without any digit form.
plain_text = st.text(alphabet="的了在小区门口路灯电话号码请联系我,。:!()abc", max_size=12)


@st.composite
def written_mobiles(draw):
    phone = draw(mobiles)
    parts = []
    for i, digit in enumerate(phone):
        if i and draw(st.booleans()) and draw(st.booleans()):
            parts.append(draw(st.sampled_from(SEPARATORS)))
        parts.append(draw(st.sampled_from(FORMS[digit])))
    return phone, "".join(parts)


@given(written_mobiles(), plain_text, plain_text)
def test_a_mobile_never_survives_in_any_written_form(written, before, after):
    phone, text = written
    shown = mask_text(before + text + after)
    assert phone not in as_ascii(shown)
    assert shown.startswith(before) and shown.endswith(after)


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="".join(FORMS.values()), min_size=1, max_size=6),
            st.sampled_from(["栋", "号楼", "年", "户", "天", "层", "单元", "月", "元"]),
        ),
        max_size=6,
    )
)
def test_short_numbers_between_words_stay_as_written(pieces):
    text = "".join(number + word for number, word in pieces)
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("联系人张三,电话见附件", "联系人张*,电话见附件"),
        ("联系人:李小红。", "联系人:李**。"),
        ("业主李四反映漏水", "业主李*反映漏水"),
        ("302业主王怀启的违章搭建", "302业主王**的违章搭建"),
        ("村民:赵六,男", "村民:赵*,男"),
        ("姓名:王五", "姓名:王*"),
        ("我是王五", "我是王*"),
        ("举报人:申波中,男", "举报人:申**,男"),
        ("本人邹伏生,家住A9市", "本人邹**,家住A9市"),
        ("王先生说", "王**说"),
        ("高女士在地下车库", "高**在地下车库"),
        ("物业王师傅来看过", "物业王**来看过"),
        ("班主任张老师发来通知", "班主任张**发来通知"),
        ("楼下刘阿姨家", "楼下刘**家"),
        ("张三先生", "张***"),
        ("王丽华女士", "王****"),
        ("欧阳先生", "欧阳**"),
        ("……谢谢!刘洋 2020年5月1日", "……谢谢!刘* 2020年5月1日"),
        ("望领导解决。肖昱2019年11月17日", "望领导解决。肖*2019年11月17日"),
        ("万分感谢!2019-11-11刘春华", "万分感谢!2019-11-11刘**"),
        ("我叫王小明,电话一三九一二三四五六七八", "我叫王**,电话139****5678"),
    ],
)
def test_names_after_cues_before_titles_and_in_signatures_are_masked(text, shown):
    assert public_text(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "我是张家湾社区的居民",
        "业主王府井小区",
        "居民李村街道的",
        "我是高新区的业主",
        "我是常青街道的居民",
        "我是江山帝景a14栋的住户",
        "业主应该享有知情权",
        "业主和物业多次协商",
        "本人曾多次拨打热线,本人于去年入住",
        "姓名及个人情况,联系人均为虚假信息",
        "居民陆续收到通知",
        "班主任老师,历史老师,高中老师,任课老师,听从于老师",
        "我先生和市长先生,一位老先生",
        "请尽快解决。谢谢",
        "济损失共计19余万元。",
        "市民:您好!您的来信已收悉",
    ],
)
def test_places_and_everyday_words_stay_as_written(text):
    assert public_text(text) == text


given_names = st.text(
    alphabet="伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英", min_size=1, max_size=2
)


@given(
    st.sampled_from(sorted(COMMON_SURNAMES)),
    given_names,
    st.sampled_from(["我叫", "姓名:", "联系人:", "举报人:", "本人", "我是"]),
    st.sampled_from([",", "。", "(", "!", " 电话"]),
)
def test_a_self_introduced_name_never_survives(surname, given_name, cue, after):
    name = surname + given_name
    shown = public_text(f"小区路灯不亮,{cue}{name}{after}谢谢")
    assert name not in shown
    assert f"{cue}{surname}{'*' * len(given_name)}{after}" in shown


@given(st.sampled_from(sorted(COMMON_SURNAMES)), given_names)
def test_a_signature_name_never_survives(surname, given_name):
    name = surname + given_name
    shown = public_text(f"请尽快处理。{name} 2020年5月1日")
    assert re.search(f"{surname}[*]{{{len(given_name)}}} 2020年5月1日$", shown), shown
