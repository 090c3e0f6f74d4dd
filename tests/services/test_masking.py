"""Masking personal data in case records, on realistic lines from the centres' records."""
import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.config import load_settings
from lms.services.masking import KINDS, MaskRules, mask_record, mask_text

RULES = MaskRules()

# (text, the record's known customer names, the exact masked text)
LINES = [
    # mobiles, however written
    ("客户手机13912345678，要求下午回电", (), "客户手机139****5678，要求下午回电"),
    ("备用号码139-1234-5678", (), "备用号码139-****-5678"),
    ("联系电话：139 1234 5678（白天）", (), "联系电话：139 **** 5678（白天）"),
    ("国外来电+86 138 0013 8000，已回拨", (), "国外来电+86 138 **** 8000，已回拨"),
    ("来电显示8613800138000", (), "来电显示86138****8000"),
    ("电话：１３９１２３４５６７８", (), "电话：１３９****５６７８"),
    # landlines: area code kept, the first four digits of the local number hidden
    ("座机010-62345678，转客服", (), "座机010-****5678，转客服"),
    ("深圳门店0755-1234567", (), "深圳门店0755-****567"),
    ("公司电话（021）64381234", (), "公司电话（021）****1234"),
    # resident ID numbers: 18 digits (X or x last) and the old 15
    ("身份证号：11010519491231002X，已核验", (), "身份证号：110105********002X，已核验"),
    ("证件号51010819850612231x", (), "证件号510108********231x"),
    ("老身份证110105491231002还在用", (), "老身份证110105*****1002还在用"),
    # bank cards (Luhn-valid), grouped or not; 19 digits
    ("退款至卡号6222 0212 3456 7894", (), "退款至卡号6222 **** **** 7894"),
    ("银行卡6222021234567894已冻结", (), "银行卡6222********7894已冻结"),
    ("19位卡号6217-0000-1234-5678-907", (), "19位卡号6217-****-****-***8-907"),
    ("信用卡４３６７４２００１２３４５６７３", (), "信用卡４３６７********５６７３"),
    # order and other long numbers stay readable
    ("订单号202405181234567890物流停滞三天", (), "订单号202405181234567890物流停滞三天"),
    ("订单号：3512345678901234565 已签收", (), "订单号：3512345678901234565 已签收"),
    ("系统流水2024051812345678901，工单6222021234567890123", (), "系统流水2024051812345678901，工单6222021234567890123"),
    ("客服热线400-820-8820或95588，时间2024-05-18 10:30:15", (),
     "客服热线400-820-8820或95588，时间2024-05-18 10:30:15"),
    # e-mail
    ("邮箱zhang.wei88@163.com", (), "邮箱z***@163.com"),
    ("QQ邮箱13912345678@qq.com，请查收", (), "QQ邮箱1***@qq.com，请查收"),
    # names after a label or before an honorific
    ("姓名：李小红，性别：女", (), "姓名：李**，性别：女"),
    ("客户张伟来电咨询物流", (), "客户张**来电咨询物流"),
    ("您好，我叫陈晓明，订单一直没到", (), "您好，我叫陈**，订单一直没到"),
    ("联系了陈晓明先生，他同意补发", (), "联系了陈先生，他同意补发"),
    ("感谢张伟女士的耐心等待", (), "感谢张女士的耐心等待"),
    ("客户欧阳娜娜表示不满", (), "客户欧阳**表示不满"),
    ("客戶陳大文來電查詢退款", (), "客戶陳**來電查詢退款"),
    # the record's known customer name, wherever it occurs
    ("王建国要求退款，王建国不接受补偿", ("王建国",), "王**要求退款，王**不接受补偿"),
    ("王建国来电，王先生情绪激动", ("王建国",), "王先生来电，王先生情绪激动"),
    ("已回访王建国，客户满意", ("王建国（女士）",), "已回访王女士，客户满意"),
    ("淘气包123在线咨询退货", ("淘气包123",), "淘**在线咨询退货"),
    # several kinds in one line
    ("客户李娜（身份证320102198811250021，手机15851234567）申请退款到6222021234567894", (),
     "客户李**（身份证320102********0021，手机158****4567）申请退款到6222********7894"),
    # common words are not names; already masked forms stay
    ("客户服务中心表示，王者荣耀账号被盗，想去张家界旅游", (), "客户服务中心表示，王者荣耀账号被盗，想去张家界旅游"),
    ("客户余额不足，客户申请退款，用户付款失败，客户马上挂断", (), "客户余额不足，客户申请退款，用户付款失败，客户马上挂断"),
    ("谢谢陈先生，王女士请稍等，我是江苏的老客户", (), "谢谢陈先生，王女士请稍等，我是江苏的老客户"),
]


def _ascii(text):
    return unicodedata.normalize("NFKC", text)


def _joined(text):
    """Digits as ASCII, spaces and dashes between digits removed: 139 1234 5678 -> 13912345678."""
    return re.sub(r"(?<=\d)[ -](?=\d)", "", _ascii(text))


def assert_nothing_leaks(masked):
    """No run of an original number longer than the parts its mask keeps is left in the text, and
    no masked name is."""
    text = _joined(masked.text)
    for finding in masked.found:
        if finding.kind == "name":
            name = re.sub("先生|女士|小姐", "", finding.original)
            assert name not in masked.text and len(name) > len(re.sub(r"\*|先生|女士|小姐", "", finding.masked))
            continue
        assert "*" in finding.masked
        kept = max((len(run) for run in re.findall(r"\d+", _joined(finding.masked))), default=0)
        width = max(kept + 1, 5)
        for run in re.findall(r"\d+", _joined(finding.original)):
            for i in range(len(run) - width + 1):
                assert run[i:i + width] not in text, (finding, run[i:i + width])


@pytest.mark.parametrize("text, names, expected", LINES)
def test_lines_mask_exactly(text, names, expected):
    masked = mask_text(text, RULES, known_names=names)
    assert masked.text == expected
    assert bool(masked.found) == (text != expected)
    assert_nothing_leaks(masked)


@pytest.mark.parametrize("text, names, expected", LINES)
def test_masking_is_idempotent(text, names, expected):
    again = mask_text(expected, RULES, known_names=names)
    assert again.text == expected and again.found == []


def test_findings_name_kind_original_and_mask_in_order():
    masked = mask_text("客户张伟，手机13912345678，邮箱zw@163.com，身份证11010519491231002X，卡6222021234567894",
                       RULES)
    assert masked.found == [
        ("name", "张伟", "张**"), ("phone", "13912345678", "139****5678"), ("email", "zw@163.com", "z***@163.com"),
        ("id_card", "11010519491231002X", "110105********002X"), ("bank_card", "6222021234567894", "6222********7894")]


def test_an_unlabelled_order_number_that_looks_like_a_card_is_masked():
    """The price of never leaking a card: a Luhn-valid number starting like a card, with no order
    label before it, is masked (its first and last four digits still tell it apart)."""
    assert mask_text("关联单据3512345678901234565", RULES).text == "关联单据3512***********4565"
    assert mask_text("关联订单3512345678901234565", RULES).found == []


ALL_KINDS = "客户王建国，身份证11010519491231002X，手机13912345678，座机010-62345678，卡号6222021234567894，邮箱wjg@163.com"
ORIGINALS = {"name": ["王建国"], "id_card": ["11010519491231002X"], "phone": ["13912345678", "010-62345678"],
             "bank_card": ["6222021234567894"], "email": ["wjg@163.com"]}


@pytest.mark.parametrize("kind", KINDS)
def test_each_switch_turns_its_kind_off(kind):
    rules = MaskRules(**{kind: False})
    masked = mask_text(ALL_KINDS, rules, known_names=["王建国"])
    assert {f.kind for f in masked.found} == set(KINDS) - {kind}
    for other, originals in ORIGINALS.items():
        for original in originals:
            assert (original in masked.text) == (other == kind)


def test_a_kind_switched_off_is_not_masked_as_another_kind():
    """440106199003077758 is an ID number that also passes the card checks (Luhn, issuer digit 4)."""
    line = "身份证440106199003077758，邮箱13912345678@qq.com"
    assert mask_text(line, MaskRules(id_card=False, email=False)).text == line
    assert mask_text(line, MaskRules(bank_card=False)).text == "身份证440106********7758，邮箱1***@qq.com"


def test_rules_from_settings():
    settings = load_settings(None, environ={"LMS_CONFIG": ""})
    assert MaskRules.from_settings(settings) == MaskRules()
    assert settings["privacy.keep_original"] is False and settings["privacy.retention_days"] == 90
    rules = MaskRules.from_settings({**settings, "privacy.mask_email": False}, name_hints=["车主"])
    assert not rules.email and rules.phone and rules.name_hints == ("车主",)
    assert mask_text("车主刘洋来电", rules).text == "车主刘**来电"


# A 客户沟通记录表 row and a 问题升级处理单 row, keyed as lms/services/case_records.py reads them.
RECORD = {
    "date": "2024-05-18", "time": "10:32", "customer": "王建国", "contact": "139-1234-5678", "channel": "电话",
    "order_no": "202405181234567890", "issue_type": "物流延迟",
    "description": "王先生来电称订单已超时3天未到，情绪激动，要求退款至银行卡6222021234567894。",
    "solution": "致电物流核实，承诺2小时内回电；王建国先生同意等待。", "result": "已解决", "agent": "李娜",
    "follow_up": "5月19日回访王建国，客户满意",
}
RECORD_MASKED = {
    **RECORD, "customer": "王先生", "contact": "139-****-5678",
    "description": "王先生来电称订单已超时3天未到，情绪激动，要求退款至银行卡6222********7894。",
    "solution": "致电物流核实，承诺2小时内回电；王先生同意等待。", "follow_up": "5月19日回访王先生，客户满意",
}
TICKET = {
    "date": "2024-05-20", "customer": "陈晓明（VIP）",
    "summary": "客户陈晓明投诉重复扣款两次，身份证号440106199003077754已核验，联系邮箱chenxm@qq.com",
    "severity": "严重", "first_handling": "一线客服张丽安抚并登记，回拨0755-83765432未接通",
    "receiver": "财务部/刘强", "expected": "2024-05-21 18:00", "actual": "2024-05-21 15:30",
    "solution": "财务核实后原路退回，短信通知138 0013 8000", "satisfaction": "满意", "handler": "刘强",
}
TICKET_MASKED = {
    **TICKET, "customer": "陈**（VIP）",
    "summary": "客户陈**投诉重复扣款两次，身份证号440106********7754已核验，联系邮箱c***@qq.com",
    "first_handling": "一线客服张丽安抚并登记，回拨0755-****5432未接通", "solution": "财务核实后原路退回，短信通知138 **** 8000",
}


@pytest.mark.parametrize("row, expected", [(RECORD, RECORD_MASKED), (TICKET, TICKET_MASKED)])
def test_mask_record(row, expected):
    masked, found = mask_record(row, RULES, name_fields=("customer",), contact_fields=("contact",))
    assert masked == expected
    assert [f.kind for f in found] == [f.kind for f in found if f.kind in KINDS]
    again, found_again = mask_record(masked, RULES)
    assert again == masked and found_again == []
    for key in row:
        assert_nothing_leaks(mask_text(row[key], RULES, known_names=[row["customer"]]))


def test_mask_record_findings_follow_the_fields():
    masked, found = mask_record(RECORD, RULES)
    assert found == [("name", "王建国", "王先生"), ("phone", "139-1234-5678", "139-****-5678"),
                     ("bank_card", "6222021234567894", "6222********7894"), ("name", "王建国先生", "王先生"),
                     ("name", "王建国", "王先生")]


@pytest.mark.parametrize("contact, expected", [
    ("13912345678", "139****5678"),
    ("微信：wang_jg88", "微信：w***"),
    ("QQ 12345678", "QQ ****5678"),
    ("852 9123 4567", "*** **** 4567"),
    ("陈生 6123 4567（香港）", "陈生 **** 4567（香港）"),
    ("zhang@example.com / 0512-68123456", "z***@example.com / 0512-****3456"),
])
def test_a_contact_field_is_masked_whatever_it_holds(contact, expected):
    masked, found = mask_record({"contact": contact}, RULES)
    assert masked["contact"] == expected and found
    assert mask_record(masked, RULES) == (masked, [])


def test_a_contact_field_with_phones_off_keeps_its_numbers():
    row = {"contact": "13912345678 / QQ 12345678 / zw@163.com"}
    masked, _found = mask_record(row, MaskRules(phone=False))
    assert masked["contact"] == "13912345678 / QQ 12345678 / z***@163.com"


def test_name_fields_that_hold_no_name():
    for value in ("匿名", "未知", "王先生", "王**", ""):
        masked, found = mask_record({"customer": value, "description": "客户来电咨询"}, RULES)
        assert masked == {"customer": value, "description": "客户来电咨询"} and found == []


# Property: numbers drawn at random, written in any of the usual ways, inside ordinary sentences.
_DIGIT = st.sampled_from("0123456789")


def _digits(n):
    return st.lists(_DIGIT, min_size=n, max_size=n).map("".join)


def _full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@st.composite
def mobiles(draw):
    number = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
    style = draw(st.sampled_from(["plain", "dash", "space", "cc", "wide"]))
    return {"plain": number, "dash": f"{number[:3]}-{number[3:7]}-{number[7:]}",
            "space": f"{number[:3]} {number[3:7]} {number[7:]}", "cc": "+86 " + number,
            "wide": _full_width(number)}[style], "phone"


@st.composite
def id_numbers(draw):
    region = draw(st.sampled_from("123456")) + draw(_digits(5))
    born = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)))
    return region + born.strftime("%Y%m%d") + draw(_digits(3)) + draw(st.sampled_from("0123456789X")), "id_card"


@st.composite
def cards(draw):
    body = "62" + draw(_digits(draw(st.integers(13, 16))))
    number = next(body + d for d in "0123456789" if _luhn_ok(body + d))
    if draw(st.booleans()):
        number = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return number, "bank_card"


def _luhn_ok(digits):
    total = sum(int(c) if i % 2 == 0 else (2 * int(c) - 9 if int(c) > 4 else 2 * int(c))
                for i, c in enumerate(reversed(digits)))
    return total % 10 == 0


@settings(max_examples=300, deadline=None, database=None)
@given(item=st.one_of(mobiles(), id_numbers(), cards()),
       before=st.sampled_from(["客户来电称", "请核对", "备注：", "客户张伟提供了", ""]),
       after=st.sampled_from(["，请尽快处理。", "已登记", "", "（本人）"]))
def test_no_number_survives_in_any_writing(item, before, after):
    number, kind = item
    masked = mask_text(before + number + after, RULES)
    assert kind in {f.kind for f in masked.found}
    assert_nothing_leaks(masked)
    assert mask_text(masked.text, RULES).text == masked.text
