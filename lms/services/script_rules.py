"""Script-check rules: `assessments/check_rules.toml` read, checked key by key, compiled once.

The file holds (its own header explains each key):
    [define]          NAME = regex fragment; any pattern may use it as {NAME}
    [[rules]]         findings: id, category, severity, skill, patterns, suggestion; optional
                      exceptions, unless_in_sentence, softened_by, softened_severity, softened_suggestion
    [elements.NAME]   checklist items: label, skill, patterns; optional exceptions, requires_in_sentence
    [formula.PART]    the emotion-soothing formula, keys as an element; PART: empathy, responsibility,
                      commitment
    [scenarios.NAME]  label, elements, order (stages), element_points + formula_points (= 100),
                      order_severity, order_suggestion

Replies and patterns are both normalised (Traditional -> Simplified, full-width digits -> ASCII)
one character for one, so an offset found in the normalised text points into the original.
"""
from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

RULES_FILE = "check_rules.toml"
RULE_CATEGORIES = ("refusal", "blame", "jargon", "vague_time", "imprecise_time")
CATEGORIES = RULE_CATEGORIES + ("order",)  # `order` findings come from the scenarios' stages
SEVERITIES = ("info", "minor", "major")
FORMULA_PARTS = ("empathy", "responsibility", "commitment")
IDENT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # rule ids and skills, as in the other content files
SKILLS_FILE = "skills.toml"  # beside the rules: when present, every skill named must be one of its slugs
REFERENCE = re.compile(r"\{([a-z][a-z0-9_]*)\}")  # {name}; regex quantifiers ({2}, {1,3}) never match

# Traditional -> Simplified, one character each: the characters of the rules' patterns and of
# everyday service talk (orders, refunds, delivery, apologies, time), written for this checker.
# 覆 -> 复 serves 回覆 (Taiwan's 回复); 著 -> 着 serves 跟著/著急. Only matching uses the result.
_PAIRS = (
    "這这 們们 個个 為为 爲为 來来 時时 會会 還还 沒没 無无 與与 麼么 麽么 嗎吗 裡里 裏里 後后 從从 於于 並并 併并 兩两 幾几 點点 當当 對对 將将 讓让 給给 說说 話话 請请 問问 題题 謝谢 "
    "應应 該该 樣样 內内 纔才 祇只 隻只 衹只 著着 瞭了 乾干 幹干 係系 繫系 處处 辦办 務务 動动 勞劳 勢势 勵励 單单 嚴严 見见 規规 視视 親亲 覺觉 覽览 觀观 記记 認认 討讨 訂订 計计 訊讯 "
    "託托 設设 許许 訪访 評评 證证 証证 詢询 試试 詳详 誠诚 語语 誤误 諒谅 調调 談谈 論论 諮咨 講讲 謹谨 識识 護护 譯译 議议 讀读 變变 讚赞 註注 詞词 詐诈 誰谁 課课 諾诺 謂谓 訴诉 診诊 "
    "訓训 誌志 誕诞 謊谎 譜谱 詩诗 誇夸 誘诱 誼谊 謀谋 諸诸 訣诀 謬谬 譽誉 貨货 買买 賣卖 費费 質质 資资 賬账 帳账 賠赔 購购 貴贵 貼贴 負负 財财 責责 貸贷 賴赖 贈赠 販贩 貫贯 貶贬 賀贺 "
    "賓宾 賞赏 賢贤 貝贝 貢贡 貧贫 貿贸 賦赋 賽赛 贏赢 貪贪 賭赌 償偿 價价 優优 錢钱 錯错 鐘钟 鍾钟 銀银 鎖锁 銷销 鏈链 針针 錄录 鋪铺 舖铺 鈕钮 鋒锋 錶表 鍵键 鎮镇 鏡镜 鈔钞 鈴铃 銅铜 "
    "鋼钢 鍋锅 鐵铁 鑑鉴 鑒鉴 鑰钥 鑽钻 鋁铝 頁页 頂顶 項项 順顺 須须 預预 領领 頭头 額额 願愿 顧顾 類类 顯显 頻频 頓顿 顏颜 頌颂 頒颁 頸颈 頃顷 頗颇 顛颠 風风 颳刮 颱台 飛飞 馬马 驗验 "
    "驚惊 駕驾 騙骗 驟骤 駐驻 駁驳 駛驶 騰腾 驅驱 魚鱼 鳥鸟 鳴鸣 齊齐 齒齿 齡龄 龍龙 號号 麗丽 麥麦 麵面 黃黄 黨党 鬆松 鬥斗 鬧闹 體体 髮发 髒脏 骯肮 鬱郁 鹽盐 黴霉 發发 復复 複复 覆复 "
    "態态 總总 惱恼 慮虑 憂忧 愛爱 慶庆 憑凭 懷怀 戶户 擇择 擊击 擔担 據据 掃扫 揀拣 換换 損损 撥拨 擬拟 擁拥 攜携 擾扰 數数 斷断 曉晓 書书 條条 極极 構构 標标 檢检 櫃柜 權权 歡欢 歲岁 "
    "歷历 曆历 殘残 氣气 決决 淚泪 減减 測测 滿满 準准 溝沟 滯滞 潔洁 濟济 災灾 煩烦 熱热 燈灯 爭争 狀状 獨独 現现 環环 產产 畫画 異异 療疗 盡尽 儘尽 監监 眾众 衆众 確确 礙碍 禮礼 禍祸 "
    "種种 稱称 穩稳 窮穷 筆笔 節节 範范 簡简 簽签 籤签 糧粮 紀纪 約约 紅红 級级 純纯 紙纸 納纳 細细 終终 組组 結结 絡络 統统 絕绝 經经 綁绑 網网 維维 線线 綫线 緊紧 緒绪 編编 緩缓 練练 "
    "縮缩 績绩 繼继 續续 纜缆 紹绍 緣缘 縣县 糾纠 紛纷 紋纹 絲丝 綜综 綠绿 締缔 縱纵 繳缴 纏缠 絆绊 緻致 繞绕 繩绳 繪绘 纖纤 紮扎 罰罚 罷罢 聯联 聲声 聽听 職职 肅肃 腦脑 膽胆 舉举 舊旧 "
    "艱艰 蘋苹 虧亏 補补 裝装 製制 觸触 羅罗 聖圣 聰聪 脫脱 膚肤 臉脸 臨临 艙舱 莊庄 華华 萬万 葉叶 蓋盖 蘭兰 虛虚 術术 衛卫 衞卫 衝冲 沖冲 襪袜 褲裤 覓觅 襯衬 襲袭 豐丰 豬猪 貓猫 豎竖 "
    "豈岂 藝艺 蝦虾 蠟蜡 脅胁 腫肿 膠胶 臟脏 羨羡 腳脚 興兴 藥药 蟲虫 義义 習习 聞闻 罵骂 趕赶 趨趋 跡迹 蹟迹 蹤踪 踐践 躍跃 車车 軌轨 軟软 較较 輛辆 輔辅 輪轮 輯辑 轉转 輕轻 載载 輸输 "
    "軍军 軸轴 轄辖 輩辈 輿舆 轟轰 辭辞 辯辩 農农 連连 週周 進进 運运 過过 達达 違违 遙遥 適适 遲迟 遺遗 選选 邊边 遞递 遠远 邏逻 遷迁 遊游 邁迈 迴回 郵邮 鄰邻 鄉乡 鄭郑 醫医 醬酱 醜丑 "
    "釀酿 釋释 釐厘 長长 門门 閃闪 閉闭 開开 閒闲 閑闲 間间 閘闸 閣阁 閱阅 闆板 闊阔 關关 闖闯 闡阐 陣阵 陳陈 陸陆 陰阴 陽阳 隊队 階阶 際际 隨随 險险 隱隐 隸隶 難难 雞鸡 離离 雜杂 雙双 "
    "雖虽 雲云 電电 靈灵 靜静 響响 霧雾 韋韦 韓韩 飄飘 飯饭 飲饮 飾饰 餅饼 養养 餘余 館馆 饋馈 飽饱 餓饿 饑饥 饒饶 傳传 儲储 億亿 僅仅 備备 傷伤 債债 傾倾 側侧 偵侦 偽伪 偉伟 傑杰 傘伞 "
    "傢家 傭佣 僑侨 儀仪 兌兑 兒儿 佈布 佔占 倆俩 冊册 凍冻 則则 剛刚 創创 劃划 劇剧 勁劲 勝胜 區区 協协 卻却 參参 叢丛 員员 啟启 喚唤 喪丧 嘆叹 嚇吓 嚮向 團团 圍围 圖图 圓圆 國国 場场 "
    "塊块 塗涂 壓压 壞坏 壯壮 壽寿 夠够 夢梦 奪夺 奮奋 婦妇 媽妈 孫孙 學学 寧宁 寶宝 實实 審审 寫写 專专 尋寻 導导 屆届 層层 屬属 島岛 巖岩 帥帅 幣币 庫库 廢废 廳厅 彙汇 匯汇 徵征 徹彻 "
    "恆恒 悅悦 悶闷 惡恶 慘惨 慣惯 憐怜 懇恳 懶懒 懲惩 懸悬 懼惧 戀恋 劉刘 劑剂 勸劝 厭厌 厲厉 嘗尝 囉啰 執执 堅坚 報报 塵尘 墊垫 夥伙 奧奥 妝妆 嬰婴 寬宽 寵宠 尷尴 帶带 師师 幫帮 廣广 "
    "廠厂 張张 強强 彈弹 徑径 彌弥 廁厕 廚厨 彎弯 恥耻 憶忆 掛挂 採采 揚扬 搶抢 摺折 撫抚 撿捡 擠挤 擴扩 擺摆 攔拦 敘叙 昇升 暢畅 暫暂 棟栋 槍枪 樁桩 橫横 檔档 欄栏 歐欧 殼壳 況况 淨净 "
    "淺浅 溫温 滅灭 滾滚 滲渗 漲涨 潛潜 濾滤 瀏浏 灑洒 爐炉 爛烂 牽牵 犧牺 猶犹 獻献 甦苏 癒愈 盜盗 盤盘 矯矫 礦矿 碼码 磚砖 禦御 稅税 穀谷 積积 竊窃 競竞 築筑 籃篮 籌筹 拋抛 捨舍 掙挣 "
    "揮挥 搖摇 撐撑 擋挡 攤摊 敗败 敵敌 斂敛 斬斩 暈晕 桿杆 棄弃 棧栈 檯台 臺台 毀毁 洩泄 湧涌 潑泼 濕湿 烏乌 燒烧 營营 狹狭 癢痒 盃杯 睏困 碩硕 祕秘 窩窝 竄窜 業业 樂乐 樓楼 機机 歸归 "
    "殺杀 漢汉 濃浓 灣湾 煙烟 爺爷 牆墙 獎奖 獲获 穫获 瑣琐 畢毕 疊叠 礎础 攝摄 戰战 戲戏 東东 寢寝 慚惭 憤愤 嶄崭 廟庙 ０0 １1 ２2 ３3 ４4 ５5 ６6 ７7 ８8 ９9 ％% ：: "
)
_TABLE = {ord(pair[0]): pair[1] for pair in _PAIRS.split()}


def normalise(text: str) -> str:
    """The same text in Simplified characters and ASCII digits; same length, same offsets."""
    return text.translate(_TABLE)


class RulesError(Exception):
    """The rules file has problems; each names the file and the key."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Matcher:
    """Patterns less exceptions (an overlapping exception match cancels a hit), with sentence guards."""
    patterns: tuple[re.Pattern, ...]
    exceptions: tuple[re.Pattern, ...] = ()
    requires_in_sentence: tuple[re.Pattern, ...] = ()
    unless_in_sentence: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    skill: str
    suggestion: str
    matcher: Matcher
    softened_by: tuple[re.Pattern, ...] = ()
    softened_severity: str = ""
    softened_suggestion: str = ""


@dataclass(frozen=True)
class Element:
    name: str
    label: str
    skill: str
    matcher: Matcher


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    elements: tuple[str, ...]
    order: tuple[tuple[str, ...], ...]
    element_points: int
    formula_points: int
    order_severity: str = "minor"
    order_suggestion: str = ""
    order_skill: str = "expression"


@dataclass
class RuleSet:
    path: str
    rules: list[Rule] = field(default_factory=list)
    elements: dict[str, Element] = field(default_factory=dict)
    formula: dict[str, Element] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)


MATCHER_KEYS = {"patterns": list, "exceptions": list, "requires_in_sentence": list, "unless_in_sentence": list}
RULE_KEYS = {"id": str, "category": str, "severity": str, "skill": str, "suggestion": str,
             "softened_by": list, "softened_severity": str, "softened_suggestion": str, **MATCHER_KEYS}
ELEMENT_KEYS = {"label": str, "skill": str, **MATCHER_KEYS}
SCENARIO_KEYS = {"label": str, "elements": list, "order": list, "element_points": int, "formula_points": int,
                 "order_severity": str, "order_suggestion": str, "order_skill": str}
TOP_KEYS = {"version": int, "define": dict, "rules": list, "elements": dict, "formula": dict, "scenarios": dict}


def rules_file(path) -> Path:
    """The rules file itself, given it or the assessments folder that holds it."""
    path = Path(path)
    return path / RULES_FILE if path.is_dir() else path


def load_rules(path) -> RuleSet:
    """The checked, compiled rules of a file (or of an assessments folder); cached until a file changes."""
    file = rules_file(path).resolve()
    try:
        stat = file.stat()
    except OSError:
        raise RulesError([f"{file}: file: not found"]) from None
    skills = file.parent / SKILLS_FILE
    skills_stamp = skills.stat().st_mtime_ns if skills.is_file() else 0
    return _load(str(file), (stat.st_mtime_ns, stat.st_size, skills_stamp))


@functools.lru_cache(maxsize=8)
def _load(file: str, _stamp: tuple) -> RuleSet:
    reader = _Reader(file)
    ruleset = reader.read()
    if reader.problems:
        raise RulesError(reader.problems)
    return ruleset


class _Reader:
    """Reads one rules file, collecting every problem before giving up."""

    def __init__(self, file: str):
        self.file, self.problems, self.defines = file, [], {}
        self.skills = _known_skills(Path(file).parent / SKILLS_FILE)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}")

    def table(self, data, where: str, allowed: dict, required: tuple) -> bool:
        if not isinstance(data, dict):
            self.problem(where, "expected a table")
            return False
        for key, value in data.items():
            kind = allowed.get(key)
            if kind is None:
                self.problem(f"{where}.{key}".lstrip("."), f"unknown key (allowed: {', '.join(allowed)})")
            elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                self.problem(f"{where}.{key}".lstrip("."), f"expected {kind.__name__}, got {value!r}")
        for key in required:
            if key not in data:
                self.problem(f"{where}.{key}".lstrip("."), "missing")
        return True

    def choice(self, value, where: str, choices: tuple) -> None:
        if isinstance(value, str) and value not in choices:
            self.problem(where, f"unknown value {value!r} (one of {', '.join(choices)})")

    def read(self) -> RuleSet:
        ruleset = RuleSet(self.file)
        try:
            data = tomllib.loads(Path(self.file).read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problem("file", "not UTF-8 text")
            return ruleset
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            self.problem(f"line {line.group(1)}" if line else "file", f"not valid TOML: {exc}")
            return ruleset
        self.table(data, "", TOP_KEYS, ("rules", "elements", "formula", "scenarios"))
        self.read_defines(data.get("define", {}))
        seen: dict[str, str] = {}
        for index, raw in enumerate(_as_list(data.get("rules")), 1):
            rule = self.read_rule(raw, f"rules[{index}]")
            if rule is None:
                continue
            if rule.id in seen:
                self.problem(f"rules[{index}].id", f"duplicate id {rule.id!r} (also {seen[rule.id]})")
            seen[rule.id] = f"rules[{index}]"
            ruleset.rules.append(rule)
        for name, raw in _as_dict(data.get("elements")).items():
            element = self.read_element(name, raw, f"elements.{name}")
            if element is not None:
                ruleset.elements[name] = element
        formula = _as_dict(data.get("formula"))
        for name, raw in formula.items():
            if name not in FORMULA_PARTS:
                self.problem(f"formula.{name}", f"unknown part (one of {', '.join(FORMULA_PARTS)})")
            element = self.read_element(name, raw, f"formula.{name}")
            if element is not None:
                ruleset.formula[name] = element
        for name in FORMULA_PARTS:
            if "formula" in data and name not in formula:
                self.problem(f"formula.{name}", "missing")
        for name, raw in _as_dict(data.get("scenarios")).items():
            scenario = self.read_scenario(name, raw, f"scenarios.{name}", ruleset.elements)
            if scenario is not None:
                ruleset.scenarios[name] = scenario
        if "scenarios" in data and not ruleset.scenarios and not self.problems:
            self.problem("scenarios", "no scenario defined")
        return ruleset

    def read_defines(self, raw) -> None:
        if not isinstance(raw, dict):
            self.problem("define", "expected a table")
            return
        for name, value in raw.items():
            if not IDENT.match(name):
                self.problem(f"define.{name}", "names are lower-case letters, digits and _")
            elif not isinstance(value, str):
                self.problem(f"define.{name}", f"expected a regex as text, got {value!r}")
            else:
                self.defines[name] = value

    def expand(self, source: str, where: str, depth: int = 0) -> str | None:
        """{name} replaced by its definition, recursively."""
        if depth > 8:
            self.problem(where, "definitions refer to each other in a loop")
            return None
        missing = [name for name in REFERENCE.findall(source) if name not in self.defines]
        if missing:
            self.problem(where, f"unknown definition {{{missing[0]}}} (defined: {', '.join(self.defines) or 'none'})")
            return None
        expanded = REFERENCE.sub(lambda m: "(?:" + self.defines[m.group(1)] + ")", source)
        return expanded if expanded == source else self.expand(expanded, where, depth + 1)

    def patterns(self, raw, where: str, required: bool = False) -> tuple[re.Pattern, ...]:
        if raw is None:
            if required:
                self.problem(where, "missing")
            return ()
        if not isinstance(raw, list) or (required and not raw):
            self.problem(where, "expected a non-empty list of regular expressions" if required
                         else "expected a list of regular expressions")
            return ()
        compiled = []
        for index, source in enumerate(raw, 1):
            at = f"{where}[{index}]"
            if not isinstance(source, str) or not source:
                self.problem(at, f"expected a regular expression as text, got {source!r}")
                continue
            expanded = self.expand(source, at)
            if expanded is None:
                continue
            try:
                pattern = re.compile(normalise(expanded), re.IGNORECASE)
            except re.error as exc:
                self.problem(at, f"bad regular expression {source!r}: {exc}")
                continue
            if pattern.fullmatch(""):
                self.problem(at, f"{source!r} matches the empty text")
                continue
            compiled.append(pattern)
        return tuple(compiled)

    def matcher(self, raw: dict, where: str) -> Matcher:
        return Matcher(patterns=self.patterns(raw.get("patterns"), f"{where}.patterns", required=True),
                       exceptions=self.patterns(raw.get("exceptions"), f"{where}.exceptions"),
                       requires_in_sentence=self.patterns(raw.get("requires_in_sentence"),
                                                          f"{where}.requires_in_sentence"),
                       unless_in_sentence=self.patterns(raw.get("unless_in_sentence"), f"{where}.unless_in_sentence"))

    def skill(self, value, where: str) -> None:
        if not isinstance(value, str):
            return
        if not SLUG.match(value):
            self.problem(where, f"skill {value!r}: a skill slug (lower-case letters, digits and '-')")
        elif self.skills is not None and value not in self.skills:
            self.problem(where, f"unknown skill {value!r} (not in {SKILLS_FILE}: {', '.join(sorted(self.skills))})")

    def read_rule(self, raw, where: str) -> Rule | None:
        if not self.table(raw, where, RULE_KEYS, ("id", "category", "severity", "skill", "patterns", "suggestion")):
            return None
        if isinstance(raw.get("id"), str) and not SLUG.match(raw["id"]):
            self.problem(f"{where}.id", f"id {raw['id']!r}: lower-case letters, digits and '-' only")
        self.choice(raw.get("category"), f"{where}.category", RULE_CATEGORIES)
        self.choice(raw.get("severity"), f"{where}.severity", SEVERITIES)
        self.choice(raw.get("softened_severity"), f"{where}.softened_severity", SEVERITIES)
        self.skill(raw.get("skill"), f"{where}.skill")
        softened_by = self.patterns(raw.get("softened_by"), f"{where}.softened_by")
        if softened_by and "softened_severity" not in raw:
            self.problem(f"{where}.softened_severity", "missing (softened_by needs it)")
        return Rule(id=str(raw.get("id", "")), category=str(raw.get("category", "")),
                    severity=str(raw.get("severity", "")), skill=str(raw.get("skill", "")),
                    suggestion=str(raw.get("suggestion", "")), matcher=self.matcher(raw, where),
                    softened_by=softened_by, softened_severity=str(raw.get("softened_severity", "")),
                    softened_suggestion=str(raw.get("softened_suggestion", "")))

    def read_element(self, name: str, raw, where: str) -> Element | None:
        if not IDENT.match(name):
            self.problem(where, "names are lower-case letters, digits and _")
        if not self.table(raw, where, ELEMENT_KEYS, ("label", "skill", "patterns")):
            return None
        self.skill(raw.get("skill"), f"{where}.skill")
        return Element(name=name, label=str(raw.get("label", name)), skill=str(raw.get("skill", "")),
                       matcher=self.matcher(raw, where))

    def read_scenario(self, name: str, raw, where: str, elements: dict) -> Scenario | None:
        if not IDENT.match(name):
            self.problem(where, "names are lower-case letters, digits and _")
        if not self.table(raw, where, SCENARIO_KEYS,
                          ("label", "elements", "element_points", "formula_points")):
            return None
        names = [e for e in _as_list(raw.get("elements")) if isinstance(e, str)]
        if len(names) != len(_as_list(raw.get("elements"))) or not names:
            self.problem(f"{where}.elements", "expected a non-empty list of element names")
        for element in names:
            if element not in elements:
                self.problem(f"{where}.elements", f"unknown element {element!r} (not under [elements])")
        if len(set(names)) != len(names):
            self.problem(f"{where}.elements", "an element is listed twice")
        stages = []
        for index, stage in enumerate(_as_list(raw.get("order")), 1):
            if not isinstance(stage, list) or not stage or not all(isinstance(e, str) for e in stage):
                self.problem(f"{where}.order[{index}]", "expected a non-empty list of element names")
                continue
            for element in stage:
                if element not in names:
                    self.problem(f"{where}.order[{index}]", f"{element!r} is not one of this scenario's elements")
            stages.append(tuple(stage))
        flat = [e for stage in stages for e in stage]
        if len(set(flat)) != len(flat):
            self.problem(f"{where}.order", "an element appears in two stages")
        points = (raw.get("element_points"), raw.get("formula_points"))
        numbers = all(isinstance(p, int) and not isinstance(p, bool) for p in points)
        if numbers and (min(points) < 0 or sum(points) != 100):
            self.problem(f"{where}.formula_points", f"element_points + formula_points must be 100 and "
                                                    f"neither negative, got {points[0]} + {points[1]}")
        self.choice(raw.get("order_severity"), f"{where}.order_severity", SEVERITIES)
        self.skill(raw.get("order_skill"), f"{where}.order_skill")
        return Scenario(name=name, label=str(raw.get("label", name)), elements=tuple(names), order=tuple(stages),
                        element_points=raw.get("element_points", 0), formula_points=raw.get("formula_points", 0),
                        order_severity=str(raw.get("order_severity", "minor")),
                        order_suggestion=str(raw.get("order_suggestion", "")),
                        order_skill=str(raw.get("order_skill", "expression")))


def _known_skills(path: Path) -> set[str] | None:
    """The skill slugs of the skills framework beside the rules; None when there is none to read
    (a broken skills file is reported by the assessment loader, not here)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    skills = data.get("skills")
    if not isinstance(skills, list):
        return None
    return {s["slug"] for s in skills if isinstance(s, dict) and isinstance(s.get("slug"), str)}


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def _as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}
