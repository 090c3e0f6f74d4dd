"""Masking customers' personal information (脱敏) in case records. Pure: no Flask, no database.

What is found and how it is written (kinds in the order they are looked for):

    email     zhang.wei88@163.com        -> z***@163.com          first character of the local part
    id_card   11010519491231002X         -> 110105********002X    first 6 and last 4 (15-digit: 6 + 5 stars + 4)
    bank_card 6222 0212 3456 7894        -> 6222 **** **** 7894   first 4 and last 4, grouping kept; Luhn-checked
    phone     +86 139-1234-5678          -> +86 139-****-5678     mobiles: first 3 and last 4
              010-62345678, 0755-8123456 -> 010-****5678, 0755-****456   landlines: area code kept, the
                                                                   first 4 digits of the local number hidden
    name      王建国 (a known name)       -> 王先生 / 王女士 when the record says so, else 王**
              姓名：李小红, 客户张伟来电   -> 姓名：李**, 客户张**来电   after a label
              陈晓明先生                  -> 陈先生                 before an honorific

Digits are found however they are written: with spaces or dashes, after +86/0086, in full-width
form (１３９…); kept characters are copied as written, hidden ones become "*". Masking is
idempotent (masked text masks to itself) and leaves no digit run of the original longer than the
kept parts. Each kind is claimed once, in the order above, whether its switch is on or off: an ID
number whose rule is off stays as it is, it is not masked as a bank card instead.

Bank cards and order numbers: order, waybill and transaction numbers in these records are long
digit runs too (18-19 digits is common) and the case needs them readable. So a 16-19 digit run
counts as a card only when it passes the Luhn check that every bank card number passes (about 1 in
10 other numbers does by chance), starts with a card issuer's digit (3, 4, 5, 6, 8, 9 or 22-27:
not a date-stamped 2024... order number), and does not follow an order label (订单号, 运单号,
流水号...). A Luhn-valid unlabelled number that starts like a card is masked: better an order
number shown as 3512***********4565 than a card number in clear.

Names: a customer's name is masked wherever it occurs when the record names it (known_names, or
the record's name fields); elsewhere a name is recognised only next to a label (姓名, 客户, 我叫...)
or an honorific (先生, 女士, 小姐), starting with a listed surname, never with a character that
does not occur in given names (来, 说, 的...), and never as a listed common word (王者, 张家,
余额...): "客户服务", "王者荣耀", "张家界", "客户余额不足" are left alone. An unlabelled name in
free text that the record does not name is not found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping, NamedTuple

KINDS = ("phone", "id_card", "bank_card", "email", "name")
HONORIFICS = ("先生", "女士", "小姐")


class Finding(NamedTuple):
    kind: str  # one of KINDS, or "contact" (an IM handle in a contact field, under the phone switch)
    original: str
    masked: str


@dataclass(frozen=True)
class Masked:
    text: str
    found: list[Finding]


@dataclass(frozen=True)
class MaskRules:
    """Which kinds are masked; name_hints are labels, beside the built-in ones, that precede a name."""
    phone: bool = True
    id_card: bool = True
    bank_card: bool = True
    email: bool = True
    name: bool = True
    name_hints: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Mapping, name_hints: Iterable[str] = ()) -> "MaskRules":
        """The privacy.mask_* switches; name_hints are extra labels such as 车主 or 乘客."""
        def on(key):
            return settings.get(f"privacy.{key}", True)
        return cls(phone=on("mask_phone"), id_card=on("mask_id_card"), bank_card=on("mask_bank_card"),
                   email=on("mask_email"), name=on("mask_names"), name_hints=tuple(name_hints))

    def on(self, kind: str) -> bool:
        return getattr(self, "phone" if kind == "contact" else kind)


# ---------------------------------------------------------------- word lists

def _chars(text: str) -> frozenset[str]:
    return frozenset(text.replace(" ", ""))


# Common surnames, Simplified then Traditional forms. Left out on purpose: surnames that are
# everyday words after 客户/用户 (向 时 和 明 全 应 单 安 常 申 包 关 成 费 解 车 路 房 ...).
SURNAMES = _chars(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤温康施"
    "牛樊葛邢齐易乔伍庞倪庄聂章鲁岳翟殷詹欧耿兰焦俞左柳甘祝宁符舒阮柯梅童裴霍涂苗谷盛翁冉骆蓝辛靳柴鲍华喻祁"
    "蒲滕屈饶牟艾穆卓古吉缪褚娄窦戚岑宫卜晏席柏宗瞿桂佟臧闵苟邬卞姬栾隋刁巫寇桑郎甄仲虞敖巩佘苑邝"
    " 陳張劉黃趙吳孫馬鄭羅謝許韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒閆龍賀顧龔萬錢嚴湯溫莊聶魯歐蘭喬龐駱藍鮑楊蔣齊寧"
    "塗饒華繆婁竇宮閔鄔欒鞏鄺")
COMPOUND_SURNAMES = frozenset("欧阳 司马 诸葛 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 轩辕 端木 歐陽 司馬 諸葛 軒轅".split())
# Characters (almost) never in a given name that often follow a name: 张伟来电 is 张伟 + 来电.
NOT_GIVEN = _chars(
    "的了是在说称表反要来去于对和与及或也都又还就已曾再被把给让向从打致咨询问想需希认觉拒不没很非您你我他她们"
    "这那个先女士电话号账户卡单等过后时会该请帮因为所但却并而且则即便着吗呢吧啊呀哦嗯讲告知提出求申退换付买购"
    "收寄到联系回复处投诉评价客服经部门老师总姐哥叔姨映示今昨上下里外内一两二几每各多些有此其之以情手订地发"
    "可能最未只十通物商查满挂 說稱來對與還經過後時會該請幫為們這個電話號賬帳戶單問認覺沒嗎聯繫係處訴評價門師總應"
    "滿訂買購發")
# Common words that start with a surname: after a label they are not a name (客户余额不足, 我是江苏的).
NOT_NAMES_START = frozenset("""
    王者 张家 余额 余下 付款 付费 曾经 马上 高兴 高级 高端 高速 高铁 方面 方便 方式 方案 方法 金额 金卡 金牌
    黄金 黄色 白金 白色 白天 钱包 钱款 任何 任务 许多 许久 江苏 江西 苏州 郑州 沈阳 徐州 温州 吉林 吉祥 石家
    韩国 周末 周一 周二 周三 周四 周五 周六 周日 周期 周年 周边 孙子 谢谢 严重 严格 程序 程度 华为 毛病 顾问
    顾虑 莫名 万一 万元 易碎 齐全 宁愿 宁可 左右 岳父 岳母 夏天 夏季 史上 范围 陆续 欧洲 欧元 焦虑 焦急 舒服
    舒适 符合 温度 温馨 文件 文字 胡乱 董事 杜绝 熊猫 武汉 康复 施工 牛奶 乔迁 邢台 童年 童装 祝福 甘心 卓越
    谷歌 蓝牙 蓝色 金色 杨浦 黄浦 龙岗 罗湖 秦皇 孟买 梅花 雷同 石头 丁点 田地 万达
    張家 餘額 謝謝 嚴重 華為 週末 錢包 馬上 蘇州 鄭州 溫度 """.split())
# Field values that are not a customer's name.
NOT_NAMES = frozenset("客户 顾客 用户 会员 游客 匿名 未知 不详 暂无 未提供 本人 同上 无 客戶 顧客 用戶 會員".split())
# Characters that end the word before a name (感谢|张伟先生, 联系|王建国先生, 这位|李女士).
BEFORE_NAME = _chars("的了是位个给向和与及跟同找对为叫称请问让被把由替帮见到过将户客员系电谢知诉告复访好亲敬爱致"
                     " 給與對為稱請問讓幫見過將戶員係電謝訴復訪親愛個")
# Labels a name follows, with or without a colon: 姓名：李小红, 客户张伟, 我叫陈晓明.
NAME_LABELS = tuple("""姓名 客户姓名 联系人 收件人 收货人 持卡人 户名 开户名 开户人 投诉人 来电人 报修人 申请人 客户
    顾客 用户 会员 买家 业主 我叫 我是 名叫 本人 客戶姓名 聯繫人 聯絡人 開戶名 投訴人 來電人 申請人 客戶 顧客 用戶
    會員 買家 業主""".split())
CONTACT_LABELS = frozenset("wechat weixin mobile phone email".split())


# ---------------------------------------------------------------- patterns (over the folded text)
# Digit patterns are re.ASCII: after folding, a digit is 0-9 (and only those are starred).

# Full-width forms (０-９, Ａ-Ｚ, ＋, －, ＠, （）, ：) and the ideographic space read as their ASCII
# twins, one character for one, so positions in the text and in its folded reading agree.
_FOLD = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}

# local-part @ domain.tld
_EMAIL = re.compile(r"(?P<local>[A-Za-z0-9._%+-]+)(?P<at>@)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 18 digits: region (6), birth date YYYYMMDD, sequence (3), check digit or X; optionally spaced 6-8-4.
# 15 digits (issued before 1999): region (6), birth date YYMMDD, sequence (3).
_BIRTH8 = r"(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_BIRTH6 = r"\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID = re.compile(rf"(?<!\d)(?:[1-9]\d{{5}}[ -]?{_BIRTH8}[ -]?\d{{3}}[\dXx]|[1-9]\d{{5}}{_BIRTH6}\d{{3}})(?![\dXx])",
                 re.ASCII)
# 16-19 digits in one run, or in groups of 4 (the last group 1-3 digits for 17-19) split by spaces or dashes.
_CARD = re.compile(r"(?<!\d)(?:\d{16,19}(?!\d)|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?(?![ -]?\d))", re.ASCII)
# Card numbers start with an issuer's major industry digit: 3 (Amex, JCB), 4 (Visa), 5 and 2221-2720
# (Mastercard), 6 (UnionPay 62, Discover), 8 (UnionPay 81), 9 (domestic cards, e.g. 9558). Order
# numbers that start with a date (2024...) or with 0, 1 or 7 are not cards.
_CARD_ISSUER = re.compile(r"[345689]|2[2-7]")
# Order, waybill and transaction labels right before a number: it is not a card.
_ORDER_LABEL = re.compile(r"(?:(?:订单|訂單)(?:号|號|编号|編號)?|(?:单|單|流水|交易|编|編)(?:号|號))\s*[:#]?\s*$")
# Mainland mobile: optional +86 / 0086 / (+86), then 1[3-9]x xxxx xxxx with optional space or dash between groups.
_MOBILE = re.compile(r"(?<!\d)(?P<cc>\(?(?:\+|00)?86\)?[ -]?)?(?P<num>1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?!\d)", re.ASCII)
# Landline: area code 010 / 02x / 0xxx (in brackets or not), optional space or dash, 7-8 digit local number.
_LANDLINE = re.compile(r"(?<!\d)(?P<area>\(0(?:10|2\d|[3-9]\d\d)\)|0(?:10|2\d|[3-9]\d\d))(?P<sep>[ -]?)"
                       r"(?P<local>\d{7,8})(?!\d)", re.ASCII)
# In a contact field, whatever else is there: a number of 5+ digits (HK, Taiwan, QQ...) or an IM handle.
_CONTACT_NUMBER = re.compile(r"(?<![\d*])\+?\d(?:[ -]?\d){4,}(?![\d*])", re.ASCII)
_CONTACT_HANDLE = re.compile(r"(?<![A-Za-z0-9_.*@-])[A-Za-z][A-Za-z0-9_.-]{3,}(?![A-Za-z0-9_.*-])(?!\s*:)")
# The leading word of a name field: 王建国 in "王建国（先生）", "王建国 VIP".
_NAME_TOKEN = re.compile(r"\s*([^\s()\[\]【】<>《》/\\|,，、;；:*]+)")
_BRACKETED_HONORIFIC = re.compile(r"\s*\(?(先生|女士|小姐)\)?")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


# ---------------------------------------------------------------- known names

@dataclass(frozen=True)
class _Known:
    name: str
    surname: str
    honorific: str  # "" unless the record says 先生/女士/小姐

    @property
    def masked(self) -> str:
        return self.surname + (self.honorific or "**")


def _surname(name: str) -> str:
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]


def _parse_known(value: str) -> _Known | None:
    """The customer's name in a name field ("王建国", "王建国先生", "王建国（女士）", "淘气包123");
    None when there is none to mask (empty, "匿名", or already masked: 王**, 王先生)."""
    value = (value or "").translate(_FOLD)
    match = _NAME_TOKEN.match(value)
    if not match or value[match.end():match.end() + 1] == "*":
        return None
    token = match.group(1)
    honorific = next((h for h in HONORIFICS if token.endswith(h)), "")
    name = token[:len(token) - len(honorific)]
    if not honorific:
        after = _BRACKETED_HONORIFIC.match(value, match.end())
        honorific = after.group(1) if after else ""
    if len(name) < 2 or name in COMPOUND_SURNAMES or name in NOT_NAMES or not re.search(r"[^\W\d_]", name):
        return None
    return _Known(name, _surname(name), honorific)


def _with_honorific(known: _Known, text: str) -> _Known:
    """The honorific the record uses for this customer: 王建国先生 or 王先生 somewhere in it."""
    if known.honorific:
        return known
    for honorific in HONORIFICS:
        if known.name + honorific in text or known.surname + honorific in text:
            return replace(known, honorific=honorific)
    return known


# ---------------------------------------------------------------- the scan

class _Scan:
    """One text being masked. `free` is the folded text with every claimed span blanked out, so a
    later rule never looks at what an earlier one took."""

    def __init__(self, text: str, rules: MaskRules):
        self.text, self.rules = text, rules
        self.free = text.translate(_FOLD)
        self.spans: list[tuple[int, int, Finding]] = []

    def keep_ends(self, start: int, end: int, head: int, tail: int) -> str:
        """text[start:end] with its digits (and an ID's X) starred but the first `head` and last `tail`."""
        positions = [i for i in range(start, end) if self.free[i] in "0123456789Xx"]
        hidden = set(positions[head:len(positions) - tail])
        return "".join("*" if i in hidden else self.text[i] for i in range(start, end))

    def claim(self, start: int, end: int, kind: str, masked: str) -> None:
        self.free = self.free[:start] + "\0" * (end - start) + self.free[end:]
        original = self.text[start:end]
        if self.rules.on(kind) and masked != original:
            self.spans.append((start, end, Finding(kind, original, masked)))

    def result(self) -> Masked:
        parts, last = [], 0
        self.spans.sort(key=lambda span: span[0])
        for start, end, finding in self.spans:
            parts += [self.text[last:start], finding.masked]
            last = end
        return Masked("".join(parts) + self.text[last:], [finding for _s, _e, finding in self.spans])


def _numbers(scan: _Scan) -> None:
    """E-mail addresses (their local part may be a phone number), then ID, card, mobile, landline."""
    for m in _EMAIL.finditer(scan.free):
        scan.claim(m.start(), m.end(), "email", scan.text[m.start()] + "***" + scan.text[m.start("at"):m.end()])
    for m in _ID.finditer(scan.free):
        scan.claim(m.start(), m.end(), "id_card", scan.keep_ends(m.start(), m.end(), 6, 4))
    for m in _CARD.finditer(scan.free):
        digits = re.sub(r"\D", "", m.group())
        if (_CARD_ISSUER.match(digits) and _luhn(digits)
                and not _ORDER_LABEL.search(scan.free, max(0, m.start() - 8), m.start())):
            scan.claim(m.start(), m.end(), "bank_card", scan.keep_ends(m.start(), m.end(), 4, 4))
    for m in _MOBILE.finditer(scan.free):
        masked = scan.text[m.start():m.start("num")] + scan.keep_ends(m.start("num"), m.end(), 3, 4)
        scan.claim(m.start(), m.end(), "phone", masked)
    for m in _LANDLINE.finditer(scan.free):
        local = m.group("local")
        separated = m.group("sep") or m.group("area").endswith(")")
        if local[0] == "0" or (local[0] == "1" and not separated):  # local numbers start 2-9 (1 tolerated after a dash)
            continue
        masked = scan.text[m.start():m.start("local")] + scan.keep_ends(m.start("local"), m.end(), 0, len(local) - 4)
        scan.claim(m.start(), m.end(), "phone", masked)


def _contact_rest(scan: _Scan) -> None:
    """A contact field is personal whatever it holds: other numbers keep their last 4 digits (last 2
    if shorter than 8), IM handles their first character."""
    for m in _CONTACT_NUMBER.finditer(scan.free):
        digits = sum(char.isdigit() for char in m.group())
        scan.claim(m.start(), m.end(), "phone", scan.keep_ends(m.start(), m.end(), 0, 4 if digits >= 8 else 2))
    for m in _CONTACT_HANDLE.finditer(scan.free):
        handle = m.group()
        if re.search(r"[\d_-]", handle) or (len(handle) >= 6 and handle.lower() not in CONTACT_LABELS):
            scan.claim(m.start(), m.end(), "contact", scan.text[m.start()] + "***")


def _known_names(scan: _Scan, known: Iterable[_Known]) -> None:
    for person in sorted(known, key=lambda k: -len(k.name)):
        name = person.name.translate(_FOLD)
        edge = r"(?<![A-Za-z0-9])" if name[0].isascii() else ""
        close = r"(?![A-Za-z0-9])" if name[-1].isascii() else ""
        pattern = rf"{edge}{re.escape(name)}{close}(?:\s?\(?(先生|女士|小姐)\)?)?"
        for m in re.finditer(pattern, scan.free):
            scan.claim(m.start(), m.end(), "name", person.surname + (m.group(1) or person.honorific or "**"))


def _name_at(free: str, start: int, length: int) -> str | None:
    """The surname when free[start:start+length] reads as surname + a 1-2 character given name."""
    name = free[start:start + length]
    if len(name) != length or not all(_is_cjk(c) for c in name) or name[:2] in NOT_NAMES_START:
        return None
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[0]
    given = name[len(surname):]
    if (surname not in SURNAMES and surname not in COMPOUND_SURNAMES) or not 1 <= len(given) <= 2:
        return None
    return None if any(c in NOT_GIVEN for c in given) else surname


def _boundary(free: str, start: int) -> str:
    """How surely a name may start here: strong after punctuation or a word end (的, 给, 客户...),
    weak after another character, none after a surname (is 谢张伟 a name? 王林: 王 + 林?)."""
    before = free[start - 1] if start else ""
    if not before or not _is_cjk(before) or before in BEFORE_NAME:
        return "strong"
    return "none" if before in SURNAMES else "weak"


def _honorific_names(scan: _Scan) -> None:
    """陈晓明先生 -> 陈先生: the 2-4 characters before an honorific, when they read as a name."""
    for m in re.finditer("先生|女士|小姐", scan.free):
        at = m.start()
        if at and scan.free[at - 1] in SURNAMES and _boundary(scan.free, at - 1) != "none":
            continue  # 王先生 already
        readings = [(n, _boundary(scan.free, at - n)) for n in (2, 3, 4) if at >= n and _name_at(scan.free, at - n, n)]
        strong = [n for n, boundary in readings if boundary == "strong"]
        weak = [n for n, boundary in readings if boundary == "weak"]
        length = strong[0] if strong else (weak[-1] if weak else 0)  # 感谢|张伟先生, not 感|谢张伟先生
        if length:
            start = at - length
            scan.claim(start, m.end(), "name", _name_at(scan.free, start, length) + m.group())


def _labelled_names(scan: _Scan) -> None:
    """姓名：李小红, 客户张伟来电, 我叫陈晓明 -> the surname + **."""
    labels = sorted(set(NAME_LABELS) | set(scan.rules.name_hints), key=len, reverse=True)
    for m in re.finditer(rf"(?:{'|'.join(map(re.escape, labels))})[:\s]*", scan.free):
        start = m.end()
        if any(scan.free.startswith(h, start + k) for h in HONORIFICS for k in (1, 2)):
            continue  # 客户王先生, 客户欧阳女士: already the masked form
        for length in (4, 3, 2):  # the longest reading: 陈晓明 over 陈晓
            surname = _name_at(scan.free, start, length)
            if surname and scan.free[start + length:start + length + 1] != "*":
                scan.claim(start, start + length, "name", surname + "**")
                break


def _mask(text: str, rules: MaskRules, known: Iterable[_Known] = (), contact: bool = False) -> Masked:
    scan = _Scan(text or "", rules)
    _numbers(scan)
    if contact:
        _contact_rest(scan)
    if rules.name:
        _known_names(scan, known)
        _honorific_names(scan)
        _labelled_names(scan)
    return scan.result()


# ---------------------------------------------------------------- public

def mask_text(text: str, rules: MaskRules, known_names: Iterable[str] = ()) -> Masked:
    """Mask one free text. known_names are the record's customer names as its name fields hold them
    ("王建国", "王建国（先生）"); each is masked wherever it occurs."""
    text = text or ""
    known = [k for k in map(_parse_known, known_names) if k]
    return _mask(text, rules, [_with_honorific(k, text.translate(_FOLD)) for k in known])


def mask_record(fields: Mapping[str, str], rules: MaskRules, name_fields: Iterable[str] = ("customer",),
                contact_fields: Iterable[str] = ("contact",)) -> tuple[dict, list[Finding]]:
    """Mask every field of a record. The names in name_fields are masked wherever they occur in the
    record; a contact field is masked whatever it holds. Returns the masked record and the findings,
    field by field."""
    name_fields, contact_fields = tuple(name_fields), tuple(contact_fields)
    whole = "\n".join(v for v in fields.values() if isinstance(v, str)).translate(_FOLD)
    known = [_with_honorific(k, whole) for k in (_parse_known(fields.get(f) or "") for f in name_fields) if k]
    masked, found = {}, []
    for key, value in fields.items():
        if not isinstance(value, str) or not value:
            masked[key] = value
            continue
        result = _mask(value, rules, known, contact=key in contact_fields)
        masked[key] = result.text
        found += result.found
    return masked, found
