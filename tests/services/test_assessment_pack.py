"""Reading assessment content: problems named with file and key; links checked."""
from pathlib import Path

import pytest

from lms.services.assessment_pack import check_activity_refs, read_assessments
from lms.services.content_pack import read_pack

ROOT = Path(__file__).resolve().parents[2]

SKILLS = '[[skills]]\nslug = "empathy"\nname = "共情"\n[[skills]]\nslug = "expression"\nname = "表达"\n'
BANK = '''slug = "b1"
title = "测验"
tier = "newcomer"
draw = 2
[[questions]]
id = "q1"
type = "single"
skill = "expression"
prompt = "哪句更好？"
choices = ["不行", "可以先为您登记"]
answer = 1
[[questions]]
id = "q2"
type = "true_false"
skill = "empathy"
prompt = "共情就是附和客户。"
answer = false
'''
RUBRIC = '''slug = "r1"
title = "评分表"
[[criteria]]
id = "empathy"
skill = "empathy"
weight = 1
  [[criteria.levels]]
  score = 0
  descriptor = "无"
  [[criteria.levels]]
  score = 2
  descriptor = "好"
'''
DRILL = '''slug = "d1"
title = "演练"
tier = "newcomer"
scenario = "complaint"
skill = "empathy"
rubric = "r1"
customer = "你们怎么回事！"
'''


@pytest.fixture
def root(tmp_path):
    for folder in ("banks", "drills", "rubrics"):
        (tmp_path / folder).mkdir()
    (tmp_path / "skills.toml").write_text(SKILLS, encoding="utf-8")
    (tmp_path / "banks" / "b1.toml").write_text(BANK, encoding="utf-8")
    (tmp_path / "rubrics" / "r1.toml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "drills" / "d1.toml").write_text(DRILL, encoding="utf-8")
    return tmp_path


def test_a_good_set_reads_cleanly(root):
    pack = read_assessments(root)
    assert pack.ok, pack.problems
    assert pack.counts() == {"questions": 2, "drills": 1, "rubrics": 1, "skills": 2}


@pytest.mark.parametrize("path, old, new, where, message", [
    ("banks/b1.toml", 'type = "single"', 'type = "essay"', "questions[1].type", "unknown type"),
    ("banks/b1.toml", "answer = 1", "answer = 5", "questions[1].answer", "index"),
    ("banks/b1.toml", 'skill = "expression"', 'skill = "juggling"', "questions[1].skill", "unknown skill"),
    ("banks/b1.toml", 'id = "q2"', 'id = "q1"', "questions[2].id", "duplicate question"),
    ("banks/b1.toml", "draw = 2", "draw = 9", "draw", "number of questions"),
    ("banks/b1.toml", 'answer = false', 'answer = false\nchoices = ["a", "b"]', "questions[2].choices", "not used"),
    ("drills/d1.toml", 'rubric = "r1"', 'rubric = "r9"', "rubric", "unknown rubric"),
    ("drills/d1.toml", 'scenario = "complaint"', 'scenario = "chat"', "scenario", "unknown scenario"),
    ("rubrics/r1.toml", "weight = 1", "weight = 1\ncritical = true", "criteria[1].threshold", "critical"),
    ("banks/b1.toml", 'tier = "newcomer"', 'tier = "newcomer', "file", "not valid TOML"),
])
def test_problems_name_file_and_key(root, path, old, new, where, message):
    target = root / path
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    problems = read_assessments(root).problems
    assert any(p.file == str(target) and p.where == where and message in p.message for p in problems), \
        [str(p) for p in problems]


def test_quiz_activities_must_name_a_bank(tmp_path, root):
    import shutil

    courses = Path(shutil.copytree(ROOT / "courses", tmp_path / "courses"))
    toml = courses / "newcomer" / "track.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '''
  [[modules.activities]]
  slug = "newcomer-quiz"
  kind = "quiz"
  title = "测验"
  ref = "nowhere"
''', encoding="utf-8")
    curriculum = read_pack(courses)
    shipped = read_assessments(ROOT / "assessments")
    check_activity_refs(curriculum, shipped, set(), set())
    assert [p.message for p in curriculum.problems] == ["no question bank 'nowhere'"]
    curriculum = read_pack(courses)
    check_activity_refs(curriculum, shipped, {"nowhere"}, set())
    assert curriculum.ok


def test_shipped_assessments_are_clean_and_complete():
    pack = read_assessments(ROOT / "assessments")
    assert pack.ok, [str(p) for p in pack.problems]
    counts = pack.counts()
    assert counts["questions"] >= 80 and counts["drills"] >= 15 and counts["skills"] >= 8
    types = {q["type"] for bank in pack.banks for q in bank["questions"]}
    assert types == {"single", "multiple", "true_false", "ordering", "short_text"}
    assert {b["tier"] for b in pack.banks} == {"newcomer", "advanced", "elite"}
