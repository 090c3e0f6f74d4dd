"""Golden-script search: 2-character Chinese words inside longer phrases, on the shipped scripts
and constructed ones; no false hits; filters; the bigram index follows every write."""
from pathlib import Path

import pytest

from lms.models import GoldenScript, GoldenScriptGram
from lms.services import script_library as library
from lms.services.content_store import LoadReport
from lms.services.script_pack import read_scripts
from lms.services.script_search import Filters, bigrams, normalise, reindex_all, search, words
from lms.services.script_store import load_scripts

from ..factories import make_user

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ("title", "situation", "before", "after", "why")


@pytest.fixture
def trainer(conn):
    return make_user(("trainer",), employee_no="T1", name="王培训")


def _script(trainer, status="published", **fields):
    data = {"title": "标题", "scenario": "complaint", "topic": "refund_objection", "channel": "phone",
            "situation": "情境", "before": "", "after": "您好", "elements": ["empathy"], "why": "",
            "approved_by": "", **fields}
    return library.create(data, trainer, status=status)


def _slugs(query, **filters):
    return [hit.script.slug for hit in search(query, Filters(**filters))]


@pytest.fixture
def shipped(conn):
    pack = read_scripts(ROOT / "assessments")
    assert pack.ok, pack.problems
    load_scripts(pack, LoadReport())
    return pack


def _containing(pack, word):
    """The oracle: shipped scripts whose text (or topic name) holds the word."""
    from lms.services.script_pack import topic_label

    return {s["slug"] for s in pack.scripts
            if any(word in normalise(s[f]) for f in FIELDS) or word in normalise(topic_label(s["topic"]))}


@pytest.mark.parametrize("word", ["退款", "物流", "隐私", "到账", "发票", "回电", "物流信息", "退款 物流"])
def test_shipped_scripts_are_found_by_short_words_inside_phrases(shipped, word):
    expected = set.intersection(*(_containing(shipped, w) for w in word.split()))
    assert expected, f"the oracle found no script with {word}"
    assert set(_slugs(word)) == expected


def test_two_character_words_inside_longer_phrases(shipped):
    refund = _slugs("退款")
    assert "gs-complaint-escalation-phone" in refund  # 对上次的退款处理结果不满
    logistics = _slugs("物流")
    holder = next(s["slug"] for s in shipped.scripts if "物流信息" in s["after"] + s["situation"])
    assert holder in logistics


def test_constructed_scripts_no_false_hits(trainer):
    a = _script(trainer, title="退款到账查询", situation="客户问退款到账要几天")
    b = _script(trainer, title="快递停滞", situation="物流信息三天没有更新", topic="logistics_delay")
    c = _script(trainer, title="尾款", situation="退回商品以后付款", after="先退款。尾款到了再说")
    _script(trainer, title="别的", situation="完全无关的内容", topic="invoice")
    assert _slugs("退款") == [a.slug, c.slug]  # the title hit first
    assert _slugs("物流") == [b.slug]
    assert _slugs("退款到") == [a.slug]  # c holds 退款 and 款到, never 退款到
    assert _slugs("款付") == []
    assert _slugs("退款 物流") == []  # every word must match
    assert _slugs("退款 到账") == [a.slug]
    assert _slugs("退款，到账") == [a.slug]  # punctuation separates words too
    assert _slugs("退") == [a.slug, c.slug]  # one character: a substring scan
    assert _slugs("物流延误") == [b.slug]  # the topic's name is indexed
    assert len(_slugs("")) == 4


def test_traditional_full_width_and_case(trainer):
    s = _script(trainer, title="ＶＩＰ客戶的隱私請求", situation="客戶要求刪除個人資料", topic="privacy_request")
    assert _slugs("隐私") == [s.slug] and _slugs("隱私") == [s.slug]
    assert _slugs("个人") == [s.slug] and _slugs("vip") == [s.slug] and _slugs("Vip") == [s.slug]
    assert words("退款  到账，VIP") == ["退款", "到账", "vip"]
    assert bigrams("退款到账") == {"退款", "款到", "到账"} and bigrams("退") == set()


def test_filters(trainer):
    phone = _script(trainer, title="退款电话", channel="phone", elements=["empathy", "apology"])
    chat = _script(trainer, title="退款在线", channel="chat", scenario="consultation", topic="invoice",
                   elements=["greeting", "confirm_need"])
    _script(trainer, title="退款草稿", status="draft")
    assert _slugs("退款", channel="chat") == [chat.slug]
    assert _slugs("退款", scenario="complaint") == [phone.slug]
    assert _slugs("", topic="invoice") == [chat.slug]
    assert _slugs("退款", element="apology") == [phone.slug]
    assert _slugs("退款", element="confirm") == []  # "confirm" is inside "confirm_need": no hit
    assert len(_slugs("退款", statuses=("draft", "published"))) == 3
    assert len(_slugs("退款")) == 2  # drafts are not shown by default


def test_the_index_follows_edits_and_deletes(trainer):
    s = _script(trainer, title="物流查询", situation="包裹没到")
    assert _slugs("物流") == [s.slug] and _slugs("发票") == []
    data = {name: getattr(s, name) for name in library.EDITABLE}
    library.update(s, {**data, "elements": ["empathy"], "title": "发票重开"}, trainer)
    assert _slugs("物流") == [] and _slugs("发票") == [s.slug]
    assert GoldenScriptGram.select().where(GoldenScriptGram.gram == "物流").count() == 0
    library.delete(GoldenScript.get_by_id(s.id))
    assert _slugs("发票") == [] and GoldenScriptGram.select().count() == 0


def test_reindex_all_rebuilds_rows_written_around_the_services(trainer):
    s = _script(trainer, title="物流查询")
    GoldenScript.update(title="发票查询").where(GoldenScript.id == s.id).execute()
    assert _slugs("发票") == []
    assert reindex_all() == 1
    assert _slugs("发票") == [s.slug] and _slugs("物流") == []


def test_ranking_title_then_situation_then_wording(trainer):
    in_after = _script(trainer, title="甲", situation="乙", after="我们来处理退款")
    in_title = _script(trainer, title="退款说明", situation="乙", after="好的")
    in_situation = _script(trainer, title="丙", situation="退款慢", after="好的")
    twice = _script(trainer, title="丁", situation="戊", after="退款，退款")
    assert _slugs("退款") == [in_title.slug, in_situation.slug, twice.slug, in_after.slug]
