"""Personal data typed into free text, masked for the public Open311 reads.

Residents write their own number, ID number and name into the description
("我是张三,电话13812345678"). Public reads mask:

- phone, ID-number and other 7+-digit runs with ``core.masking.mask_text``
  (138****5678, 340104********1234), also when spelt in Chinese numerals or
  full-width digits (一三九…, １３９…), as on every staff page;
- e-mail addresses (``***``), as decision 0040 promised;
- a name after a word that introduces one: 我叫/名叫/姓名/联系人 always;
  我是/本人 and a role (业主, 村民, 举报人, 投诉人, 申请人 …) only when the
  characters start with a common surname and are no everyday word or place
  (我是业主, 本人多次反映, 业主委员会, 我是高新区的) → the first character +
  ``*`` (``core.masking.mask_name``: 张*, 王**);
- a common surname (and up to two more characters) before 先生/女士/小姐/
  师傅/老师/阿姨 → the surname + ``*`` for the rest (王**, 张***), so neither
  the given name nor the sex is shown;
- a signature: a surname-led name of 2–3 characters standing alone at the end,
  before or after a date ("……谢谢!刘洋 2020年5月1日" → 刘*).

Matching names by pattern is a heuristic: a name with a rare surname after
我是/本人, or a name written without any of these cues ("张三反映…"), is still
shown (docs/privacy.md, residual risk, with the measured false positives).
"""

from __future__ import annotations

import re

from gongzhi.core.masking import mask_name, mask_text

_HAN = "\u4e00-\u9fff"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)

# Common surnames. COMMON_SURNAMES is the top 100 (101 here) of the
# household-register surname ranking of the Ministry of Public Security's
# 户政管理研究中心 (《二〇一九年全国姓名报告》, the "百家姓" list it publishes
# each year; together they cover about 85% of the population), compiled by
# hand, so the order and the cut-off are approximate. _MORE_SURNAMES adds the
# next ~150 of the same ranking's longer tail; those are also everyday words
# (高, 常, 金, 和, 时, 全 …), so they count only right after a strong cue.
# COMPOUND_SURNAMES are the ~20 most frequent two-character surnames.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶"
    "程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺"
    "毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)
_MORE_SURNAMES = (
    frozenset(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
        "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史"
        "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
        "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
        "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
        "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明"
        "佘池查麻苑迟邝"
    )
    - COMMON_SURNAMES
)
_COMPOUND_SURNAMES_TEXT = (
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 司徒 夏侯 "
    "公孙 尉迟 长孙 宇文 端木 独孤 南宫 呼延 申屠 万俟"
)
COMPOUND_SURNAMES = tuple(_COMPOUND_SURNAMES_TEXT.split())
_SURNAMES = COMMON_SURNAMES | _MORE_SURNAMES

# Words that follow a cue and start like a name but are none: 我是业主,
# 本人多次, 业主委员会, 居民生活, 村民代表, 谢谢 at the end of a letter ….
_NOT_NAMES_TEXT = """
    业主 居民 住户 租户 房东 房主 车主 商户 店主 家长 老人 代表 党员 群众
    市民 网格 物业 志愿 楼上 楼下 楼长 隔壁 对面 附近 周边 周围 周末 周一
    周二 周三 周四 周五 周六 周日 高层 马路 于昨 于今 于本 于上 于前 常年
    常住 常常 关于 向您 向有 何时 许多 余下 全职 全家 白天 金额 安全 文明
    方便 时常 时间 单位 单元 成员 明天 明年 明显 和家 师生 司机 电话 手机
    方式 号码 本人 一直 已经 多次 阳光 万科 华润 龙湖 金色 明珠 和平 安居
    康居 常青 了 过 他 她 它 你 人 一 付出 付费 付款 付钱 余万 姓名 日期 您好
    停车 陆续 许可 高一 金融 万般 任课 某某
    谢谢 谢了 万分 万谢 期盼 严查 严惩 严厉 严重 何在 何处 何去 何解 高兴
    高度 高中 高校 高速 高新 高铁 高价 高空 高压 高温 全体 全部 全面 全市
    全国 全区 全县 全年 全是 全力 安置 安装 安排 安宁 安静 安心 和谐 和睦
    金钱 时候 时期 时段 曾经 曾多 向上 向下 向前 江边 江景 石油 石化 龙头
    黄金 黄色 白色 白菜 毛坯 万元 万一 万人 于是 于此 任何 任意 任务 夏天
    夏季 冬季 方面 方案 方法 方向 史上 孔子 陈述 苏醒 钱款 石头 田地 田园
    林业 林地 江湖 范围 程序 程度 叶子 花园 宋体 余额 余款 任由 沈阳 钟点
    孙子 孙女 强烈 生活 同意 要求 诉求 委员 大会 小组 自治 会议 签名 签字
    联名 出行 利益 权益 集体 进行 投诉 维权 房屋 承包 组长 共有 子女
"""
_NOT_NAMES = tuple(_NOT_NAMES_TEXT.split())
# Characters that begin the next word, so a name ends before them (业主李四反映,
# 本人王五家住, 我是张三的家属, 刘严联系电话) rather than being its third
# character.
_AFTER_NAME = frozenset(
    "的了在说反向和与及等是住电手称于也已曾打来去到找要想请对从因被把给让为同跟这那们投表告"
    "今昨多一联原现系男女自不仅"
)
# Words that begin after a name (本人王五家住, 投诉人:黄某日期:) where their
# first character alone might still belong to it (陈展家).
_AFTER_NAME_WORDS_TEXT = (
    "家住 家里 家中 家人 家属 家门 日期 身份 性别 地址 年龄 籍贯 微信 邮箱 时间"
)
_AFTER_NAME_WORDS = tuple(_AFTER_NAME_WORDS_TEXT.split())
# A name never holds these; a place, an estate or a school does (张家湾社区,
# 王府井, 李村街道, 高新区, 金星村, 万科城, 马王堆, 高学校).
_PLACE_CHARS = frozenset(
    "村湾井府庄屯寨营桥街路道巷弄区镇乡县市省社苑园城坊港塘沟坝洲岛楼栋厦场站院局厂店所司校馆寺庙堡铺集堆"
)
_TITLES = ("先生", "女士", "小姐", "师傅", "老师", "阿姨")
# Two-character words ending in a surname character, which then is none
# before a title: 班主任老师, 历史老师, 对于老师, 其余老师, 低段老师.
_WORDS_BEFORE_TITLE_TEXT = (
    "主任 责任 信任 担任 前任 现任 历任 新任 历史 语文 人文 天文 中文 英文 日文 作文 公文 数学 "
    "化学 音乐 美术 体育 物理 地理 生物 政治 舞蹈 书法 对于 关于 由于 至于 属于 其余 多余 业余 "
    "低段 高段 学段 任课 从于 听于 在于 用于 等于 基于 善于 乐于 终于"
)
_WORDS_BEFORE_TITLE = frozenset(_WORDS_BEFORE_TITLE_TEXT.split())
# Surnames that are also everyday function words (业主向物业, 本人于去年,
# 本人曾多次, 业主方, 本人万般无奈): one counts only when the name is followed
# by punctuation (负责人曾云,), or before a title right after it (于老师).
_FUNCTION_SURNAMES = frozenset("向于曾方万常时和与同高何")

# How sure a cue is that a name follows:
# - 我叫, and 姓名/联系人 written with a colon, 是 or 为 (姓名:王五, 联系人为李四):
#   whatever 2–3 characters follow are the name;
# - any other cue with a colon (举报人:申某某, 投诉人:刘某): the name starts
#   with a surname (the longer list);
# - otherwise (业主王怀启的, 联系人王坚,, 本人邹伏生,) the name starts with a
#   common surname and ends where a sentence or a word does, which keeps
#   姓名及个人信息, 联系人均为, 业主应该, 本人是江山帝景的住户 as written.
_CUES_TEXT = (
    "我叫 我是 本人 名叫 姓名 联系人 业主 户主 住户 居民 村民 租户 房东 车主 市民 职工 代表 "
    "网格员 负责人 举报人 投诉人 申请人 发件人 诉求人 反映人 求助人 报告人 当事人 申诉人"
)
_NAMING_CUES = ("姓名", "联系人")
_CUE_RE = re.compile(
    "(?P<cue>" + "|".join(sorted(_CUES_TEXT.split(), key=len, reverse=True)) + ")"
    rf"(?P<sep>\s*(?:(?P<colon>[:：])|(?P<said>是|为))?\s*)(?=[{_HAN}])"
)
SURE, SURNAME, CONTEXT = "sure", "surname", "context"
_TITLE_RE = re.compile("|".join(_TITLES))
_STOPS = "。．.!！?？,，;；:：~～…、)）"
_DATE = r"(?:\d{4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?)"
# A signature: 2–4 characters alone at the end, before or after a date.
_SIGNATURE_RE = re.compile(
    rf"(?:^|(?<=[{_STOPS}\s\d]))(?P<chars>[{_HAN}]{{2,4}})\s*{_DATE}?[{_STOPS}\s]*\Z"
    rf"|{_DATE}\s*(?P<after>[{_HAN}]{{2,4}})[{_STOPS}\s]*\Z"
)
_HAN_RE = re.compile(f"[{_HAN}]")
_HAN_RUN = re.compile(f"[{_HAN}]+")


def _surname_size(text: str, *, common_only: bool = False) -> int:
    """1 or 2 when ``text`` starts with a surname, else 0."""
    if text.startswith(COMPOUND_SURNAMES):
        return 2
    return int(text[:1] in (COMMON_SURNAMES if common_only else _SURNAMES))


def _ends_name(text: str, at: int) -> bool:
    """Whether the character at ``at`` cannot continue a name."""
    c = text[at : at + 1]
    return c in _PLACE_CHARS or c in _AFTER_NAME or text.startswith(_AFTER_NAME_WORDS, at)


def _name_at(text: str, start: int, *, level: str) -> str:
    """The name ``text`` has at ``start`` after a cue of ``level``, or ""."""
    chars = _HAN_RUN.match(text, start, start + 4)
    chars = chars.group(0) if chars else ""
    if chars.startswith(_NOT_NAMES):
        return ""
    size = _surname_size(chars, common_only=level == CONTEXT)
    if level != SURE and not size:
        return ""
    size = size or 1
    if chars[size:].startswith(_TITLES):
        return ""  # 王先生: the title rule masks it
    for given in (2, 1):
        name = chars[: size + given]
        if len(name) < size + given:
            continue
        if any(_ends_name(text, start + i) for i in range(size, len(name))):
            continue
        after = text[start + len(name) : start + len(name) + 1]
        if after in _PLACE_CHARS:
            continue  # 西地省, 金星村
        # A digit may follow (诉求人 刘某2019年…), a Latin letter rarely does
        # (余易贷P2P).
        ends = not after or not (_HAN_RE.match(after) or (after.isascii() and after.isalpha()))
        if level != CONTEXT or ends:
            return name
        if _ends_name(text, start + len(name)) and name[0] not in _FUNCTION_SURNAMES:
            return name
    return ""


def _mask_cues(text: str) -> str:
    out, done = [], 0
    for m in _CUE_RE.finditer(text):
        start = m.end()
        if start < done:
            continue
        if m.group("cue") == "我叫" or (m.group("cue") in _NAMING_CUES and m.group("sep").strip()):
            level = SURE
        elif m.group("colon"):
            level = SURNAME
        else:
            level = CONTEXT
        name = _name_at(text, start, level=level)
        if name:
            out.append(text[done:start] + mask_name(name))
            done = start + len(name)
    return "".join(out) + text[done:]


def _title_start(text: str, end: int) -> int:
    """Where the name before the title at ``end`` starts, or -1.

    The farthest common surname within reach wins (王丽华女士 is 王***, not
    王丽华**); words that end in a surname character (班主任老师) and
    function words (向王先生, 对于老师) start none.
    """
    for back in (4, 3, 2, 1):
        start = end - back
        if start < 0:
            continue
        chars = text[start:end]
        size = _surname_size(chars, common_only=True)
        if not size or size > back or not all(_HAN_RE.match(c) for c in chars):
            continue
        if (
            chars.startswith(_NOT_NAMES)
            or text[max(start - 1, 0) : start + 1] in _WORDS_BEFORE_TITLE
        ):
            continue
        given = chars[size:]
        if len(given) > 2 or any(c in _PLACE_CHARS or c in _AFTER_NAME for c in given):
            continue
        if given and chars[0] in _FUNCTION_SURNAMES:
            continue
        return start
    return -1


def _mask_titles(text: str) -> str:
    out, done = [], 0
    for m in _TITLE_RE.finditer(text):
        start = _title_start(text, m.start())
        if start < done:
            continue
        size = _surname_size(text[start : m.end()])
        out.append(text[done : start + size] + "*" * (m.end() - start - size))
        done = m.end()
    return "".join(out) + text[done:]


def _mask_signature(text: str) -> str:
    m = _SIGNATURE_RE.search(text)
    if not m:
        return text
    group = "chars" if m.group("chars") else "after"
    start = m.start(group)
    name = _name_at(text, start, level=CONTEXT)
    if name != m.group(group):
        return text  # more than a name stands there: not a signature
    return text[:start] + mask_name(name) + text[start + len(name) :]


def mask_names(text: str) -> str:
    """``text`` with names after cues, before titles and in a signature masked."""
    return _mask_signature(_mask_titles(_mask_cues(text)))


def public_text(text: str | None) -> str:
    """Free text as an anonymous Open311 reader may see it."""
    if not text:
        return ""
    return mask_names(mask_text(_EMAIL.sub("***", str(text))))
