"""The users' journeys, as a person clicks through them, against the served demo organisation.

Each journey takes the ServedApp and `open_journey(suffix="", **options)`, which opens a
watched Journey (tests/browser/harness.py); the tests and the README screenshot command
(tests/browser/screenshots.py) run the same functions. The test process prepares only what
another person would have done before (an invite link, a pairing, a mentee's reply) and
reads answer keys; everything the journey's person does goes through the pages.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from lms.services.demo import ADMIN_NO, DEMO_PASSWORD, EMAIL_DOMAIN

from .harness import DESKTOP, PHONE

NEW_PASSWORD = "Wo-de-mima-2026"
RISKY_REPLY = "这个不归我们管，你自己去找快递公司吧，过几天应该就到了。"
REGIONAL_MANAGER = "M3901"
EXPECT_TIMEOUT_MS = 10_000  # a page that refreshes itself every 2 s must have time to do so
# The contrast ratio (WCAG's formula) of an element's text colour against its background.
CONTRAST = """e => {
  const lum = c => c.match(/[\\d.]+/g).slice(0, 3).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const style = getComputedStyle(e), a = lum(style.color), b = lum(style.backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return expect


# -- what another person did before -------------------------------------------------------
def take_agent(app, tier: str, team=None, newest: bool = False, teams=None):
    """A demo agent of this tier (in this team, or one of these teams) that no other journey
    has taken; not a mentor."""
    from lms.models import Membership, User, UserRole

    mentors = UserRole.select(UserRole.user).where(UserRole.role == "mentor")
    query = (User.select().join(UserRole).where((UserRole.role == "agent") & (User.tier == tier)
                                                & User.active & User.id.not_in(mentors)
                                                & User.email.endswith(f"@{EMAIL_DOMAIN}")
                                                & User.employee_no.not_in(list(app.claimed) or [""])))
    if team is not None or teams is not None:
        teams = [team] if team is not None else list(teams)
        query = query.where(User.id.in_(Membership.select(Membership.user).where(
            Membership.team.in_(teams) & Membership.ended_on.is_null())))
    agent = query.order_by(User.employee_no.desc() if newest else User.employee_no).first()
    assert agent is not None, f"the demo has no free {tier} agent left"
    app.claimed.add(agent.employee_no)
    return agent


def invited_newcomer(app) -> dict:
    """A newcomer who has not signed in yet and has done nothing: an invite link waits for them."""
    from lms.models import Completion, User
    from lms.services import accounts

    with app.data():
        agent = take_agent(app, "newcomer", newest=True)
        Completion.delete().where(Completion.user == agent).execute()
        User.update(must_change_password=True, last_login_at=None).where(User.id == agent.id).execute()
        token = accounts.issue_link_token(agent, ttl_hours=72)
        return {"employee_no": agent.employee_no, "name": agent.name, "token": token}


def regional_manager(app) -> str:
    """A manager over both demo sites (the demo's own managers see one site or two teams)."""
    from lms.models import Site, User
    from lms.services import accounts

    with app.data():
        if User.get_or_none(User.employee_no == REGIONAL_MANAGER) is None:
            user = accounts.create_user(employee_no=REGIONAL_MANAGER, name="区域经理", roles={"manager"},
                                        email="m3901@browser.example")
            accounts.set_scopes(user, [("manager", site.id, None) for site in Site.select().order_by(Site.id)])
            accounts.set_password(user, DEMO_PASSWORD)
    return REGIONAL_MANAGER


def mentor_with_reply(app) -> dict:
    """A demo mentor paired with a newcomer of their team who has sent a drill reply."""
    from lms.models import Drill, User, UserRole
    from lms.resources import content_dir
    from lms.services import accounts, drills, mentoring

    with app.data():
        mentors = (User.select().join(UserRole).where(UserRole.role == "mentor")
                   .where(User.employee_no.not_in(list(app.claimed) or [""])).order_by(User.employee_no))
        mentor = next(m for m in mentors)
        app.claimed.add(mentor.employee_no)
        paired = [m for m in mentoring.mentees_of(mentor) if m.employee_no not in app.claimed]
        if paired:  # the demo may have paired them already
            mentee = paired[0]
            app.claimed.add(mentee.employee_no)
        else:
            mentee = take_agent(app, "newcomer", team=accounts.current_team(mentor))
            mentoring.pair(mentor, mentee, User.get(User.employee_no == ADMIN_NO), app.settings())
        drill = Drill.get(Drill.slug == "drill-logistics-delay")
        reply = drills.submit(mentee, drill, RISKY_REPLY, content_dir("assessments"))
        return {"mentor": mentor.employee_no, "mentee": mentee.name, "mentee_id": mentee.id, "reply": reply.id}


def answer_key(app, question_ids) -> dict[int, tuple[str, dict]]:
    from lms.models import Question

    with app.data():
        return {q.id: (q.type, json.loads(q.spec)) for q in Question.select().where(Question.id.in_(question_ids))}


def answer_questions(app, page) -> None:
    """Answer every question fieldset on the page as the answer key says (regex texts left empty)."""
    names = page.eval_on_selector_all("main fieldset [name]", "els => els.map(e => e.name)")
    ids = sorted({int(m.group(1)) for m in (re.match(r"q(\d+)", n) for n in names) if m})
    for qid, (kind, spec) in answer_key(app, ids).items():
        name = f"q{qid}"
        if kind == "single":
            page.check(f'input[name="{name}"][value="{spec["answer"]}"]')
        elif kind == "multiple":
            for index in spec["answer"]:
                page.check(f'input[name="{name}"][value="{index}"]')
        elif kind == "true_false":
            page.check(f'input[name="{name}"][value="{"true" if spec["answer"] else "false"}"]')
        elif kind == "ordering":
            for index in range(len(spec["items"])):
                page.select_option(f'select[name="{name}_{index}"]', str(index + 1))
        elif kind == "short_text" and spec.get("match") in ("exact", "keywords"):
            text = spec["answers"][0] if spec["match"] == "exact" else "，".join(s[0] for s in spec["keywords"])
            page.fill(f'input[name="{name}"]', text)


# -- small steps ---------------------------------------------------------------------------
def sign_in(journey, employee_no: str, password: str = DEMO_PASSWORD) -> None:
    page = journey.page
    journey.goto("/login")
    page.fill("#employee_no", employee_no)
    page.fill("#password", password)
    page.click("form:has(#employee_no) button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    journey.checkpoint("signed in")


def track_percent(page) -> int:
    return int(page.get_by_role("progressbar").first.get_attribute("aria-valuenow"))


def submit(journey, form_selector: str) -> None:
    """Press the submit button of the form holding this field, and wait for the next page."""
    journey.page.click(f"form:has({form_selector}) button[type=submit]")
    journey.checkpoint(form_selector)


def served_today(app) -> dt.date:
    from lms.services import clock

    with app.data():
        return clock.today()


# -- the journeys --------------------------------------------------------------------------
def agent_journey(app, open_journey, phone: bool = False) -> None:
    """First sign-in through the invite link → today's micro-task → a drill and the checker's
    findings → a lesson and its quiz → the track's progress bar has moved."""
    expect = _expect()
    person = invited_newcomer(app)
    journey = open_journey(viewport=PHONE if phone else DESKTOP, check_width=phone)
    page = journey.page

    journey.goto(f"/welcome/{person['token']}")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    submit(journey, "#confirm")
    expect(page.get_by_role("progressbar")).to_have_count(1)  # home, with the track's bar
    expect(page.locator("header")).to_contain_text(person["name"])
    before = track_percent(page)
    badge = page.locator("header .lms-bell .lms-badge")
    if badge.count():  # the unread count must be readable (it once was white on white)
        assert badge.evaluate(CONTRAST) >= 3, "the unread count has too little contrast"
    journey.snap("home")

    page.click("[data-testid=today-task]")
    journey.checkpoint("micro-task")
    if page.locator("textarea#answer").count():
        page.fill("textarea#answer", "非常理解您的心情，给您添麻烦了。我马上帮您核实，今天下午五点前给您回电。")
    else:
        answer_questions(app, page)
    page.click("main form button[type=submit]")
    journey.checkpoint("micro-task done")
    expect(page.locator("#result")).to_be_visible()
    page.locator("#result").scroll_into_view_if_needed()
    journey.snap("micro-task")

    journey.nav("/drills/")
    page.click('main a[href="/drills/drill-logistics-delay"]')
    journey.checkpoint("drill")
    page.fill("#reply", RISKY_REPLY)
    submit(journey, "#reply")
    findings = page.locator("[data-testid=finding]")
    expect(findings.first).to_be_visible()
    assert findings.count() >= 2, "the checker should name the blame and the vague time"
    page.locator("[data-testid=script-check]").first.scroll_into_view_if_needed()
    journey.snap("drill")

    journey.nav("/")
    page.click("[data-testid=next-step]")
    journey.checkpoint("lesson")
    for _ in range(5):  # the module's lessons, up to its quiz
        quiz_link = page.locator('main a[href^="/quiz/"]')
        if quiz_link.count():
            break
        page.click('main form[action$="/complete"] button')
        journey.checkpoint("lesson read")
    quiz_link.click()
    journey.checkpoint("quiz")
    page.click('main form[action$="/start"] button')
    journey.checkpoint("attempt")
    answer_questions(app, page)
    page.click("main form button[type=submit]")
    journey.checkpoint("quiz result")
    expect(page.locator("main .lms-report-ok, main .lms-error").first).to_be_visible()

    journey.nav("/")
    after = track_percent(page)
    assert after > before, f"the track's progress bar stayed at {before}%"


def trainer_journey(app, open_journey) -> None:
    """Cases built from a communication record → a weekly review set assigned → an agent
    submits (in a second browser) → graded with the rubric → the agent contests → resolved."""
    from lms import authz
    from lms.models import Case, User
    from lms.services import accounts

    expect = _expect()
    with app.data():
        trainer = User.get(User.employee_no == "T2001")
        agent = take_agent(app, "newcomer", newest=True, teams=authz.scoped_team_ids(trainer))
        team = accounts.current_team(agent)
        agent_no, agent_name, team_id = agent.employee_no, agent.name, team.id
    today = served_today(app)
    records = ("日期,客户姓名,联系方式,渠道,问题类型,问题描述,解决方案,处理结果\n"
               f"{today - dt.timedelta(days=3)},王建国,13912345678,电话,物流延误,奶粉超时三天未到，客户第二次来电,补发并致歉,已解决\n"
               f"{today - dt.timedelta(days=2)},李秀英,13812345678,在线,退款争议,只退了一半运费，客户要求全退,核实后全额退运费,已解决\n"
               f"{today - dt.timedelta(days=1)},张伟,13712345678,电话,质量问题,同一款电水壶第二次漏水,换新并上报质检,已解决\n")

    staff = open_journey("trainer")
    page = staff.page
    sign_in(staff, trainer.employee_no)
    staff.goto("/cases/import")
    page.set_input_files("#file", files=[{"name": "沟通记录.csv", "mimeType": "text/csv",
                                          "buffer": records.encode("gbk")}])
    page.select_option("#kind", "failure")
    page.select_option("#team", str(team_id))
    submit(staff, "#file")
    expect(page.locator("main .lms-flash-success")).to_be_visible()
    with app.data():
        case_ids = [c.id for c in Case.select().where(Case.created_by == trainer.id).order_by(Case.id.desc()).limit(3)]
        stored = " ".join(c.summary + c.record for c in Case.select().where(Case.id.in_(case_ids)))
    assert len(case_ids) == 3 and "13912345678" not in stored and "王建国" not in stored

    staff.goto("/reviews/sets/new")
    page.fill("#title", "第12周案例复盘")
    page.fill("#week", today.isoformat())
    page.fill("#due_on", (today + dt.timedelta(days=4)).isoformat())
    for case_id in case_ids:
        page.check(f'input[name=cases][value="{case_id}"]')
    page.check('input[name=tiers][value="newcomer"]')
    page.check(f'input[name=teams][value="{team_id}"]')
    submit(staff, "#title")
    assert re.search(r"/reviews/sets/\d+$", page.url), page.url

    agent_side = open_journey("agent")
    mine = agent_side.page
    sign_in(agent_side, agent_no)
    agent_side.nav("/reviews/")
    mine.click('main a:has-text("第12周案例复盘")')
    agent_side.checkpoint("assignment")
    for area in mine.locator('main textarea[name^="c"]').all():
        area.fill("先安抚情绪再核实订单，承诺回电时间并按时回访；下次第一句就报预计时间。")
    mine.fill("#technique", "先说“我来帮您跟进”，再报出具体的回电时间。")
    submit(agent_side, "#technique")
    expect(mine.locator("main #technique")).to_be_visible()

    staff.nav("/reviews/grading")
    page.click(f'main a[href^="/reviews/submissions/"]:has-text("{agent_name}")')
    staff.checkpoint("grade")
    for fieldset in page.locator("main form fieldset").all():
        fieldset.locator("input[type=radio]").nth(1).check()
    page.fill("#comment", "三个维度都写到了；情绪拐点要对上客户的原话。")
    page.locator("main form:has(#comment) fieldset").first.scroll_into_view_if_needed()
    staff.snap("case-review-grading")
    submit(staff, "#comment")
    expect(page.locator("main .lms-flash-success")).to_be_visible()

    agent_side.goto(mine.url)
    dispute = mine.locator('main form[action*="/dispute"]').first
    dispute.locator("input[name=comment]").fill("第二个案例我写了原话，请再看一下。")
    dispute.locator("button[type=submit]").click()
    agent_side.checkpoint("disputed")
    expect(mine.locator("main .lms-flash-success")).to_be_visible()

    staff.goto("/reviews/disputes")
    open_dispute = page.locator('main section[id^="dispute-"]:has(form)').first
    open_dispute.locator("select[name=outcome]").select_option("accepted")
    open_dispute.locator("select[name=new_level] option").last.wait_for(state="attached")
    last_level = open_dispute.locator("select[name=new_level] option").last.get_attribute("value")
    open_dispute.locator("select[name=new_level]").select_option(last_level)  # above the level given
    open_dispute.locator("input[name=resolution]").fill("第二个案例确实对上了原话。")
    open_dispute.locator("button[type=submit]").click()
    staff.checkpoint("resolved")
    expect(page.locator("main .lms-flash-success")).to_be_visible()
    expect(page.locator('main section[id^="dispute-"] form')).to_have_count(0)


def mentor_journey(app, open_journey) -> None:
    """A mentor grades their mentee's drill reply with the rubric, then logs a coaching session."""
    expect = _expect()
    setup = mentor_with_reply(app)
    today = served_today(app)
    journey = open_journey()
    page = journey.page
    sign_in(journey, setup["mentor"])

    journey.nav("/grading/")
    expect(page.locator(f'main tr:has-text("{setup["mentee"]}")').first).to_be_visible()
    page.click(f'main a[href="/grading/{setup["reply"]}"]')
    journey.checkpoint("grade a reply")
    expect(page.locator("[data-testid=finding]").first).to_be_visible()
    for fieldset in page.locator("main form fieldset").all():
        fieldset.locator('input[type=radio]:not([value="na"])').first.check()
    page.fill("#comment", "先别急着解释快递的责任，第一句先接住客户的情绪。")
    submit(journey, "#comment")
    expect(page.locator("main .lms-flash-info")).to_be_visible()

    journey.nav("/mentoring/")
    expect(page.locator("main")).to_contain_text(setup["mentee"])
    journey.snap("mentorship")
    page.click('main a[href="/mentoring/sessions"]')
    journey.checkpoint("sessions")
    page.select_option("#mentee", str(setup["mentee_id"]))
    page.fill("#held_on", today.isoformat())
    page.fill("#topic", "投诉开场：先接情绪再讲方案")
    page.select_option("#skill", index=1)
    page.fill("#notes", "复盘了物流延误那条回复：推责的说法换成“我来帮您联系快递”。")
    page.fill("#action", "本周每天练一条投诉开场，周五一起听录音。")
    page.fill("#follow_up_on", (today + dt.timedelta(days=7)).isoformat())
    submit(journey, "#topic")
    expect(page.locator("main #logged")).to_contain_text("投诉开场")


def manager_journey(app, open_journey) -> None:
    """Dashboard → a site → a team → an agent → the team's agents as CSV → the impact report."""
    expect = _expect()
    manager = regional_manager(app)
    journey = open_journey()
    page = journey.page
    sign_in(journey, manager)

    journey.nav("/dashboard/")
    expect(page.locator('main a[href^="/dashboard/site/"]')).to_have_count(2)
    journey.snap("dashboard")
    page.locator('main a[href^="/dashboard/site/"]').first.click()
    journey.checkpoint("site")
    page.locator('main a[href^="/dashboard/team/"]').first.click()
    journey.checkpoint("team")
    team_page = page.url
    page.locator('main a[href^="/timeline/"]').first.click()
    journey.checkpoint("agent")
    assert "/timeline/" in page.url
    journey.goto(team_page)
    with page.expect_download() as info:
        page.click('main a[href="?csv=agents"]')
    download = info.value
    assert download.suggested_filename == "dashboard-agents.csv"
    body = Path(download.path()).read_text(encoding="utf-8-sig")
    assert body.count("\n") > 3 and re.search(r"^A1\d{3},", body, re.M), body[:300]

    from lms.services.demo_kpis import EFFECT_MODULE  # the module whose effect the demo's KPIs carry

    journey.nav("/impact/")
    page.select_option("select[name=unit]", EFFECT_MODULE)
    page.select_option("select[name=kpi]", "fcr")
    submit(journey, "select[name=unit]")
    expect(page.locator("main #result .lms-kpi-value")).to_be_visible()  # an estimate, not "not enough data"
    journey.snap("impact")


ROSTER_BAD = ("employee_no,name,email,hire_date,site,team,roles\n"
              "B9001,林晓雨,b9001@example.com,2026-03-16,上海中心,在线客服组,agent\n"
              "B9002,,b9002@example.com,2026-13-01,上海中心,在线客服组,agent\n"
              "B9003,周子涵,not-an-email,2026-03-16,上海中心,在线客服组,boss\n")
ROSTER_FIXED = ("employee_no,name,email,hire_date,site,team,roles\n"
                "B9001,林晓雨,b9001@example.com,2026-03-16,上海中心,在线客服组,agent\n"
                "B9002,郑可欣,b9002@example.com,2026-03-16,上海中心,在线客服组,agent\n"
                "B9003,周子涵,b9003@example.com,2026-03-16,上海中心,在线客服组,agent\n")


def _kpi_rows(app, day: dt.date, bad: bool) -> str:
    from lms.models import User, UserRole

    with app.data():
        numbers = [u.employee_no for u in User.select().join(UserRole).where(UserRole.role == "agent")
                   .where(User.email.endswith(f"@{EMAIL_DOMAIN}")).order_by(User.employee_no).limit(5)]
    lines = ["employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive"]
    lines += [f"{no},{day},42,35,15120,12,11" for no in numbers]
    if bad:
        lines += ["X0000,{},40,30,14000,10,9".format(day), f"{numbers[0]},2026-02-30,40,30,14000,10,9",
                  f"{numbers[1]},{day},20,25,7000,5,4"]
    return "\n".join(lines) + "\n"


def _upload(page, name: str, text: str, encoding: str = "utf-8") -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode(encoding)}])
    page.set_checked("#dry_run", False)


def admin_journey(app, open_journey) -> None:
    """A roster and a KPI file with errors → the row-level reports → the fixed files → imported,
    the KPI file with its progress shown while it runs in the background."""
    from lms.models import KpiImport

    expect = _expect()
    journey = open_journey()
    page = journey.page
    sign_in(journey, ADMIN_NO)

    journey.nav("/admin/roster")
    journey.allow_http_error(400, "/admin/roster")
    _upload(page, "花名册.csv", ROSTER_BAD, "gbk")
    submit(journey, "#file")
    problems = page.locator("main #problems tbody tr")
    expect(problems.first).to_be_visible()
    assert problems.count() >= 3, "every bad cell is named on its row"
    _upload(page, "花名册.csv", ROSTER_FIXED, "gbk")
    submit(journey, "#file")
    expect(page.locator("main #result .lms-report-ok")).to_be_visible()
    expect(page.locator("main #credentials tbody tr")).to_have_count(3)

    day = served_today(app) - dt.timedelta(days=1)
    journey.nav("/kpi/import")
    _upload(page, "kpi-bad.csv", _kpi_rows(app, day, bad=True))
    submit(journey, "#file")
    expect(page.locator("[data-testid=import-running] progress")).to_be_visible()
    app.release_import()
    expect(page.locator("[data-testid=import-rejected]")).to_be_visible()
    assert page.locator("main #problems tbody tr").count() >= 3

    journey.nav("/kpi/import")
    _upload(page, "kpi.csv", _kpi_rows(app, day, bad=False))
    submit(journey, "#file")
    expect(page.locator("[data-testid=import-running] progress")).to_be_visible()
    app.release_import()
    expect(page.locator("[data-testid=import-done]")).to_be_visible()
    with app.data():
        last = KpiImport.select().order_by(KpiImport.id.desc()).first()
        assert (last.status, last.added + last.updated, last.rejected) == ("done", 5, 0)


def language_journey(app, open_journey) -> None:
    """The interface switched to English before signing in, kept after it, and back to Chinese."""
    expect = _expect()
    with app.data():
        person = take_agent(app, "advanced")
    journey = open_journey()
    page = journey.page
    journey.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click("[data-testid=locale-en]")
    journey.checkpoint("english")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign in")
    sign_in(journey, person.employee_no)
    journey.nav("/drills/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Scenario drills")
    page.click("[data-testid=locale-zh_CN]")
    journey.checkpoint("chinese")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert page.url.endswith("/drills/"), "the switch returns to the same page"
    expect(page.locator("main h1")).not_to_have_text("Scenario drills")
    journey.nav("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
