"""The script checker: one agent reply read against the phrasing rules of domain.md §4.

`check_reply(text, scenario, rules)` gives findings (flat refusals, blame shifting, jargon,
vague or imprecise times, elements out of order), the scenario frame's elements, the
emotion-soothing formula (empathy + responsibility + commitment) and a score. The rules are
data (assessments/check_rules.toml, read by script_rules); this module only applies them.

Score, an integer 0-100:

    frame   = element_points * elements present / elements of the scenario
    formula = formula_points * formula parts present / 3
    penalty = sum over findings of: major 25, minor 10, info 3
    score   = frame + formula - penalty, rounded half up, kept within 0..100

element_points + formula_points is 100 for every scenario (shipped: complaint 70 + 30,
consultation 100 + 0, after_sales 80 + 20), so a reply with every element and formula part
and no finding scores 100, and a bare blaming refusal scores 0.

Matching works on a normalised copy of the text (Traditional -> Simplified, one character for
one), so every span [start, end) is a character offset into the text as given.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .script_rules import CATEGORIES, FORMULA_PARTS, Element, Matcher, RuleSet, Scenario, load_rules, normalise

PENALTY = {"major": 25, "minor": 10, "info": 3}
SENTENCE_END = re.compile(r"[。！？!?；;\n]+|\.(?:\s|$)")


class UnknownScenario(ValueError):
    """The scenario is not one the rules define."""

    def __init__(self, name: str, valid: list[str]):
        super().__init__(f"unknown scenario {name!r} (one of {', '.join(valid)})")
        self.name, self.valid = name, valid


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    start: int
    end: int
    text: str
    severity: str
    suggestion: str
    skill: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule, "category": self.category, "span": [self.start, self.end], "text": self.text,
                "severity": self.severity, "suggestion": self.suggestion}


@dataclass
class CheckResult:
    scenario: str
    score: int
    findings: list[Finding]
    elements: dict[str, bool]
    formula: dict[str, bool]
    # Where each element / formula part was first seen (None: absent), for highlighting.
    element_spans: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    formula_spans: dict[str, tuple[int, int] | None] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The shape of `lms check-reply --json` (design.md §4)."""
        return {"scenario": self.scenario, "score": self.score,
                "findings": [f.as_dict() for f in self.findings],
                "elements": dict(self.elements), "formula": dict(self.formula)}


class _Text:
    """The reply, its normalised copy and its sentences."""

    def __init__(self, original: str):
        self.original = original
        self.norm = normalise(original)
        self.starts, self.ends = [0], []
        for match in SENTENCE_END.finditer(self.norm):
            self.ends.append(match.end())
            self.starts.append(match.end())
        self.ends.append(len(self.norm))
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def sentence(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def bounds(self, index: int) -> tuple[int, int]:
        index = min(index, len(self.starts) - 1)
        return self.starts[index], self.ends[index]

    def spans(self, pattern: re.Pattern) -> list[tuple[int, int]]:
        key = id(pattern)
        if key not in self._spans:
            self._spans[key] = [m.span() for m in pattern.finditer(self.norm) if m.end() > m.start()]
        return self._spans[key]

    def in_sentence(self, patterns, pos: int) -> bool:
        start, end = self.bounds(self.sentence(pos))
        return any(p.search(self.norm, start, end) for p in patterns)


def _hits(matcher: Matcher, text: _Text) -> list[tuple[int, int]]:
    """Non-overlapping matches (leftmost, then longest) that no exception or sentence guard cancels."""
    found = []
    for pattern in matcher.patterns:
        for match in pattern.finditer(text.norm):
            start, end = match.span()
            if end == start:
                continue
            if any(xs < end and start < xe for exception in matcher.exceptions for xs, xe in text.spans(exception)):
                continue
            if matcher.requires_in_sentence and not text.in_sentence(matcher.requires_in_sentence, start):
                continue
            if matcher.unless_in_sentence and text.in_sentence(matcher.unless_in_sentence, start):
                continue
            found.append((start, end))
    return _leftmost_longest(found)


def _leftmost_longest(spans):
    kept, last_end = [], -1
    for start, end in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if start >= last_end:
            kept.append((start, end))
            last_end = end
    return kept


def _joined(spans):
    """Touching matches of one rule are one finding: 回头 + 有消息告诉 -> 回头有消息告诉."""
    joined = []
    for start, end in spans:
        if joined and joined[-1][1] == start:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _softened(patterns, text: _Text, start: int, end: int) -> bool:
    """An alternative offered in the same sentence or the next one."""
    index = text.sentence(start)
    sentence_start, _ = text.bounds(index)
    _, next_end = text.bounds(index + 1)
    return any(p.search(text.norm, sentence_start, start) or p.search(text.norm, end, next_end) for p in patterns)


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _rule_findings(ruleset: RuleSet, text: _Text) -> list[Finding]:
    by_category: dict[str, list[Finding]] = {}
    for rule in ruleset.rules:
        for start, end in _joined(_hits(rule.matcher, text)):
            matched = text.original[start:end]
            severity, suggestion = rule.severity, rule.suggestion
            if rule.softened_by and _softened(rule.softened_by, text, start, end):
                severity = rule.softened_severity
                suggestion = rule.softened_suggestion or suggestion
            by_category.setdefault(rule.category, []).append(
                Finding(rule.id, rule.category, start, end, matched, severity, _fill(suggestion, text=matched),
                        rule.skill))
    findings = []
    for items in by_category.values():  # one finding per stretch of text and category: the longest match
        keep = set(_leftmost_longest([(f.start, f.end) for f in items]))
        seen = set()
        for finding in sorted(items, key=lambda f: (f.start, f.start - f.end)):
            if (finding.start, finding.end) in keep and (finding.start, finding.end) not in seen:
                seen.add((finding.start, finding.end))
                findings.append(finding)
    return findings


def _first(items: dict[str, Element], names, text: _Text) -> dict[str, tuple[int, int] | None]:
    return {name: (hits[0] if hits else None) for name, hits in _all_hits(items, names, text).items()}


def _all_hits(items: dict[str, Element], names, text: _Text) -> dict[str, list[tuple[int, int]]]:
    return {name: _hits(items[name].matcher, text) for name in names}


def _order_spans(scenario: Scenario, hits: dict[str, list[tuple[int, int]]]) -> dict[str, tuple[int, int] | None]:
    """Where each element first appears, for the order check: words that also make an element of
    an earlier stage are read as that stage (由我们负责跟进 takes the case on as well as promising
    a follow-up), so the next words of the later element count instead."""
    spans, earlier = {}, []
    for stage in scenario.order:
        for name in stage:
            spans[name] = next((h for h in hits.get(name, []) if not any(s < h[1] and h[0] < e for s, e in earlier)),
                               None)
        earlier += [h for name in stage for h in hits.get(name, [])]
    return spans


def _order_findings(ruleset: RuleSet, scenario: Scenario, spans: dict, text: _Text) -> list[Finding]:
    """A stage whose element first appears after an element of a later stage."""
    findings = []
    for index, stage in enumerate(scenario.order):
        later = [(spans[name][0], name) for s in scenario.order[index + 1:] for name in s if spans.get(name)]
        if not later:
            break
        before_pos, before = min(later)
        late = sorted((spans[name], name) for name in stage if spans.get(name) and spans[name][0] > before_pos)
        if late:  # one finding per stage, at its first element that comes too late
            (start, end), name = late[0]
            suggestion = _fill(scenario.order_suggestion or "“{element}”应放在“{before}”之前。",
                               element=ruleset.elements[name].label, before=ruleset.elements[before].label)
            findings.append(Finding(f"order-{scenario.name}", "order", start, end, text.original[start:end],
                                    scenario.order_severity, suggestion, scenario.order_skill))
    return findings


def score(scenario: Scenario, elements: dict[str, bool], formula: dict[str, bool], findings: list[Finding]) -> int:
    """The documented 0-100 score (see the module docstring)."""
    frame = scenario.element_points * sum(elements.values()) / max(1, len(elements))
    parts = scenario.formula_points * sum(formula.values()) / max(1, len(formula))
    penalty = sum(PENALTY.get(f.severity, 0) for f in findings)
    return max(0, min(100, math.floor(frame + parts - penalty + 0.5)))


def check_reply(text: str, scenario: str, rules: RuleSet | str | Path) -> CheckResult:
    """Read one reply for one scenario; rules is a RuleSet or the path of the rules file or its folder."""
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    if scenario not in ruleset.scenarios:
        raise UnknownScenario(scenario, sorted(ruleset.scenarios))
    if not text or not text.strip():
        raise ValueError("the reply is empty")
    frame = ruleset.scenarios[scenario]
    reply = _Text(text)
    element_hits = _all_hits(ruleset.elements, frame.elements, reply)
    element_spans = {name: (hits[0] if hits else None) for name, hits in element_hits.items()}
    formula_spans = _first(ruleset.formula, FORMULA_PARTS, reply)
    findings = _rule_findings(ruleset, reply) + _order_findings(ruleset, frame, _order_spans(frame, element_hits),
                                                                reply)
    findings.sort(key=lambda f: (f.start, f.end, CATEGORIES.index(f.category) if f.category in CATEGORIES else 99))
    elements = {name: span is not None for name, span in element_spans.items()}
    formula = {name: span is not None for name, span in formula_spans.items()}
    return CheckResult(scenario=scenario, score=score(frame, elements, formula, findings), findings=findings,
                       elements=elements, formula=formula, element_spans=element_spans, formula_spans=formula_spans)


def scenarios(rules: RuleSet | str | Path) -> dict[str, str]:
    """Scenario name -> label, in the rules file's order."""
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    return {name: s.label for name, s in ruleset.scenarios.items()}
