"""The shipped wording and the script checker agree: every golden script's `after` is clean and
has the elements it is tagged with, every `before` trips the checker, and the model answers of
the drills and reply micro-tasks raise no finding. Read straight from the TOML files, so a rule
change that breaks the content (or content the rules reject) shows here."""
import tomllib
from pathlib import Path

import pytest

from lms.services.script_check import check_reply
from lms.services.script_rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
ASSESSMENTS = ROOT / "assessments"


def _read(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _golden():
    for path in sorted((ASSESSMENTS / "scripts").glob("*.toml")):
        for script in _read(path).get("scripts", []):
            yield pytest.param(script, id=script["slug"])


def _model_answers():
    for path in sorted((ASSESSMENTS / "drills").glob("*.toml")):
        drill = _read(path)
        if drill.get("model_answer", "").strip():
            yield pytest.param("drill", drill["scenario"], drill["model_answer"], id=drill["slug"])
    for path in sorted(ROOT.glob("courses/*/microtasks/*.toml")):
        for template in _read(path).get("templates", []):
            if template.get("kind") == "reply" and template.get("model_answer", "").strip():
                yield pytest.param("microtask", template["scenario"], template["model_answer"], id=template["slug"])


GOLDEN = list(_golden())
MODEL_ANSWERS = list(_model_answers())


@pytest.fixture(scope="module")
def rules():
    return load_rules(ASSESSMENTS)


def test_there_is_content_to_check():
    assert len(GOLDEN) >= 40 and len(MODEL_ANSWERS) >= 30


@pytest.mark.parametrize("script", GOLDEN)
def test_golden_after_is_clean_and_before_is_caught(rules, script):
    after = check_reply(script["after"], script["scenario"], rules)
    assert after.findings == [], [f.as_dict() for f in after.findings]
    missing = [name for name in script.get("elements", []) if not after.elements.get(name)]
    assert missing == [], f"tagged elements not found in `after`: {missing}"
    before = check_reply(script["before"], script["scenario"], rules)
    assert before.findings, "`before` trips nothing"


@pytest.mark.parametrize("kind,scenario,answer", MODEL_ANSWERS)
def test_model_answers_raise_no_finding(rules, kind, scenario, answer):
    findings = check_reply(answer, scenario, rules).findings
    if kind == "drill":
        # A drill's model answer may be a whole document (a coaching dialogue, a simulation design
        # with headings and notes), so the frame's order is not read there; the phrasing rules are.
        findings = [f for f in findings if f.category != "order"]
    assert findings == [], [f.as_dict() for f in findings]
