"""Manager dashboard benchmark: the dashboard's figures for a whole organisation against one
hand-written SQL query per figure over the daily rows, in the same run and database.

It builds an organisation of N agents (10 sites, 10 teams each) with D days of KPI rows each,
a newcomer track and completions, and the weekly rollups (as imports keep them), then times:

  dashboard   lms.services.dashboard.Dashboard for every team (agents, progress, newcomer plan,
              KPIs of the recent and earlier weeks, at-risk reasons) + groups by site and by team
  + review    the same plus the promotion candidates (the placement review of every agent)
  raw SQL     the same KPI and tier figures as plain SQL over the daily table (per team and per
              agent, recent and earlier weeks) + completions per agent: the floor a hand-written
              report would reach without rollups or any Python

    python bench/dashboard.py                         # 10,000 agents x 365 days on SQLite
    python bench/dashboard.py --database postgresql   # a throwaway lms_bench_dash_<pid> database
    python bench/dashboard.py --agents 1000 --days 120

Each timing is the best of --repeat runs. Results: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 24)


def build(agents: int, days: int, seed: int) -> None:
    """The organisation, content, completions and KPI rows, written in bulk."""
    from lms.db import database
    from lms.models import (Activity, Completion, KpiDaily, Membership, Module, Site, Team, Track, User,
                            UserRole)
    from lms.services import kpi_rollup

    rng = random.Random(seed)
    with database.atomic():
        track = Track.create(slug="nc", title="新人", tier="newcomer", weeks=4)
        activities = []
        for week in range(1, 5):
            module = Module.create(track=track, slug=f"nc-{week}", title=f"第{week}周", position=week, week=week)
            activities += [Activity.create(module=module, slug=f"nc-{week}-{i}", kind="lesson", title="课",
                                           position=i).id for i in range(1, 4)]
        teams = []
        for s in range(10):
            site = Site.create(name=f"中心{s:02d}")
            teams += [Team.create(site=site, name=f"{s:02d}-团队{t:02d}").id for t in range(10)]
        users, members, roles = [], [], []
        for i in range(agents):
            tier = rng.choices(["newcomer", "advanced", "elite"], [2, 6, 2])[0]
            hire = TODAY - dt.timedelta(days=rng.randint(10, 60) if tier == "newcomer" else rng.randint(200, 1500))
            users.append({"employee_no": f"B{i:06d}", "name": "坐席", "tier": tier, "hire_date": hire})
        for start in range(0, len(users), 2000):
            User.insert_many(users[start:start + 2000]).execute()
        ids = [u.id for u in User.select(User.id).order_by(User.id)]
        for n, user_id in enumerate(ids):
            members.append({"user": user_id, "team": teams[n % len(teams)], "started_on": TODAY - dt.timedelta(days=9)})
            roles.append({"user": user_id, "role": "agent"})
        for rows, model in ((members, Membership), (roles, UserRole)):
            for start in range(0, len(rows), 2000):
                model.insert_many(rows[start:start + 2000]).execute()
        done = []
        for user_id, user in zip(ids, users):
            finished = len(activities) if user["tier"] != "newcomer" else rng.randint(0, len(activities))
            when = dt.datetime.combine(TODAY - dt.timedelta(days=rng.randint(1, 30)), dt.time(3))
            done += [{"user": user_id, "activity": a, "completed_at": when} for a in activities[:finished]]
        for start in range(0, len(done), 5000):
            Completion.insert_many(done[start:start + 5000]).execute()
        fields = [KpiDaily.user, KpiDaily.day, KpiDaily.week, KpiDaily.contacts, KpiDaily.resolved_first_contact,
                  KpiDaily.handle_seconds, KpiDaily.csat_responses, KpiDaily.csat_positive]
        batch = []
        for user_id in ids:
            level = rng.uniform(0.55, 0.9)
            for back in range(1, days + 1):
                day = TODAY - dt.timedelta(days=back)
                contacts = rng.randint(20, 60)
                batch.append((user_id, day, kpi_rollup.monday(day), contacts, int(contacts * level),
                              contacts * rng.randint(250, 550), 10, rng.randint(6, 10)))
                if len(batch) >= 5000:
                    KpiDaily.insert_many(batch, fields=fields).execute()
                    batch = []
        if batch:
            KpiDaily.insert_many(batch, fields=fields).execute()
        kpi_rollup.rebuild(KpiDaily.select(KpiDaily.user, KpiDaily.week).distinct())


RAW_QUERIES = {
    "KPIs per team, recent weeks": """
        SELECT m.team_id, SUM(d.contacts), SUM(d.resolved_first_contact), SUM(d.handle_seconds),
               SUM(d.csat_responses), SUM(d.csat_positive)
        FROM lms_kpi_daily d JOIN lms_membership m ON m.user_id = d.user_id AND m.ended_on IS NULL
        WHERE d.day >= {recent} GROUP BY m.team_id""",
    "KPIs per agent, recent and earlier weeks": """
        SELECT d.user_id, CASE WHEN d.day >= {recent} THEN 1 ELSE 0 END, SUM(d.contacts),
               SUM(d.resolved_first_contact), SUM(d.handle_seconds), SUM(d.csat_responses), SUM(d.csat_positive)
        FROM lms_kpi_daily d WHERE d.day >= {before}
        GROUP BY d.user_id, CASE WHEN d.day >= {recent} THEN 1 ELSE 0 END""",
    "agents per tier per team": """
        SELECT m.team_id, u.tier, COUNT(*) FROM lms_user u
        JOIN lms_membership m ON m.user_id = u.id AND m.ended_on IS NULL GROUP BY m.team_id, u.tier""",
    "completions per agent and module": """
        SELECT c.user_id, a.module_id, COUNT(*), MAX(c.completed_at) FROM lms_completion c
        JOIN lms_activity a ON a.id = c.activity_id GROUP BY c.user_id, a.module_id""",
}


def raw_sql() -> int:
    from lms.db import database

    recent = TODAY - dt.timedelta(days=TODAY.weekday()) - dt.timedelta(weeks=3)
    before = recent - dt.timedelta(weeks=4)
    rows = 0
    for sql in RAW_QUERIES.values():
        text = sql.format(recent=f"'{recent.isoformat()}'", before=f"'{before.isoformat()}'")
        rows += len(database.execute_sql(text).fetchall())
    return rows


def ours(settings, review: bool) -> int:
    from lms.services import placement
    from lms.services.dashboard import Dashboard

    board = Dashboard(settings, None, TODAY)
    board.groups("site")
    board.groups("team")
    if review:
        board.candidates(placement.Reviewer(settings, today=TODAY))
    return len(board.at_risk())


def best_of(repeat: int, step) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench._common import throwaway_database
    from lms import create_app
    from lms.db import database
    from lms.migrations import upgrade
    from lms.services import clock

    with throwaway_database(args.database, "dash") as url:
        app = create_app(database_url=url, TESTING=True)
        upgrade()
        clock.freeze(dt.datetime.combine(TODAY, dt.time(2)))
        settings = app.extensions["lms"].settings
        with app.app_context(), database.connection_context():
            started = time.perf_counter()
            build(args.agents, args.days, args.seed)
            print(f"built {args.agents} agents x {args.days} days in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
            raw, raw_rows = best_of(args.repeat, raw_sql)
            board, at_risk = best_of(args.repeat, lambda: ours(settings, False))
            full, _ = best_of(args.repeat, lambda: ours(settings, True))
        print("| step | seconds | ratio to raw SQL |\n|---|---|---|")
        print(f"| raw SQL over daily rows ({len(RAW_QUERIES)} queries, {raw_rows} result rows) | {raw:.2f} | 1.00 |")
        print(f"| dashboard, all teams ({at_risk} agents at risk) | {board:.2f} | {board / raw:.2f} |")
        print(f"| dashboard + promotion candidates | {full:.2f} | {full / raw:.2f} |")
        print(f"database: {args.database}; {args.agents} agents x {args.days} days; best of {args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
