"""Personal data typed into free text, masked for the public Open311 reads.

Residents write their own number, ID number and name into the description
("我是张三,电话13812345678"). Public reads mask:

- phone, ID-number and other 7+-digit runs with ``core.masking.mask_text``
  (138****5678, 340104********1234), as on every staff page;
- e-mail addresses (``***``), as decision 0040 promised;
- names in the usual self-introductions: 我叫/名叫/姓名/联系人 followed by
  2–3 Chinese characters (4 after a compound surname) always; 我是/本人 only
  when those characters start with a common surname (these two words open
  many sentences that are no introduction: 我是业主, 本人多次反映) → the
  first character + ``*``
  (``core.masking.mask_name``: 张*, 王**);
- a surname before 先生/女士/师傅 → the surname + ``**`` (张**), so neither
  the name nor the sex is shown.

Matching names by pattern is a heuristic: a name after 我是/本人 with a rare
surname, or a name written without any of these words, is still shown
(docs/privacy.md, residual risk).
"""

from __future__ import annotations

import re

from gongzhi.core.masking import mask_name, mask_text

_HAN = "\u4e00-\u9fff"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)

# The commonest surnames, single and compound.
_COMPOUND_SURNAMES_TEXT = "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 司徒 夏侯"
_COMPOUND_SURNAMES = tuple(_COMPOUND_SURNAMES_TEXT.split())
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
    "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
    "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明"
    "佘池查麻苑迟邝"
)
# Words that follow 我是/本人/联系人 … and start like a name but are none:
# 我是业主, 本人多次, 我是高层住户, 本人周末, 联系人电话 ….
_NOT_NAMES_TEXT = (
    "业主 居民 住户 租户 房东 房主 车主 商户 店主 家长 老人 代表 党员 群众 "
    "市民 网格 物业 志愿 楼上 楼下 楼长 隔壁 对面 附近 周边 周围 周末 周一 "
    "周二 周三 周四 周五 周六 周日 高层 马路 于昨 于今 于本 于上 于前 常年 "
    "常住 常常 关于 向您 向有 何时 许多 余下 全职 全家 白天 金额 安全 文明 "
    "方便 时常 时间 单位 单元 成员 明天 明年 明显 和家 师生 司机 电话 手机 "
    "方式 号码 本人 一直 已经 多次 阳光 万科 华润 龙湖 金色 明珠 和平 安居 "
    "康居 常青 了 过 他 她 它 你 人"
)
_NOT_NAMES = tuple(_NOT_NAMES_TEXT.split())
# After these a name follows; after 我是/本人 only a surname makes it one.
_NAME_RE = re.compile(
    rf"(?P<trigger>我叫|名叫|姓名|联系人|我是|本人)(?P<sep>[::]?\s*(?:是|为)?\s*)"
    rf"(?P<name>[{_HAN}]{{2,4}})"
)
_WEAK_TRIGGERS = ("我是", "本人")
# 张先生 → 张**; not after 老/各/位/这/那/某/该/此 (老先生, 各位女士, 这位师傅).
_TITLE_RE = re.compile(rf"(?P<surname>[{_HAN}])(?:先生|女士|师傅)")
_NOT_SURNAMES = set("老各位这那某该此每")


def _is_surname_start(text: str) -> bool:
    return text[0] in _SURNAMES or text.startswith(_COMPOUND_SURNAMES)


def _mask_intro(m: re.Match) -> str:
    # A name is 2–3 characters, 4 with a compound surname (欧阳娜娜).
    text = m.group("name")
    size = 4 if text.startswith(_COMPOUND_SURNAMES) else 3
    name, rest = text[:size], text[size:]
    if name.startswith(_NOT_NAMES):
        return m.group(0)
    if m.group("trigger") in _WEAK_TRIGGERS and not _is_surname_start(name):
        return m.group(0)
    return f"{m.group('trigger')}{m.group('sep')}{mask_name(name)}{rest}"


def _mask_title(m: re.Match) -> str:
    surname = m.group("surname")
    if surname in _NOT_SURNAMES:
        return m.group(0)
    return f"{surname}**"


def mask_names(text: str) -> str:
    """``text`` with self-introduced names and 某先生/女士/师傅 masked."""
    return _TITLE_RE.sub(_mask_title, _NAME_RE.sub(_mask_intro, text))


def public_text(text: str | None) -> str:
    """Free text as an anonymous Open311 reader may see it."""
    if not text:
        return ""
    return mask_names(mask_text(_EMAIL.sub("***", str(text))))
