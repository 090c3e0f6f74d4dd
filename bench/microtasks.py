"""Micro-task issuing benchmark: `issue-microtasks` for N agents against a raw bulk insert of
the same rows, in the same run and database; also counts the SQL statements the job sends.

  issue      lms.services.microtasks.issue for a Monday: who works (calendar + rota), which
             template (weekday focus, least recently given), the tasks, their notifications
  again      the same day again: nothing new (the unique key), the cost of a re-run
  raw insert the same (agent, day, template) rows with cursor.executemany in one transaction,
             and the same number of notification rows: the floor for writing them at all

    python bench/microtasks.py                          # 10,000 agents on SQLite
    python bench/microtasks.py --database postgresql    # a throwaway lms_bench_mt_<pid> database

Results: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

MONDAY = dt.date(2026, 11, 2)
SKILLS = ("listening", "empathy", "problem-diagnosis", "objection-handling", "closing", "emotion-management",
          "compliance")


def build(agents: int) -> None:
    from lms.db import database
    from lms.models import Membership, MicroTemplate, Site, Team, User, UserRole

    with database.atomic():
        for tier in ("newcomer", "advanced", "elite"):
            for skill in SKILLS:
                for n in range(3):
                    MicroTemplate.create(slug=f"mt-{tier}-{skill}-{n}", tier=tier, skill=skill, kpi="fcr",
                                         kind="reflection", title=f"{skill} {n}", spec=json.dumps({"prompt": "?"}))
        site = Site.create(name="中心")
        teams = [Team.create(site=site, name=f"团队{t:03d}").id for t in range(100)]
        tiers = ("newcomer", "advanced", "advanced", "advanced", "elite")
        users = [{"employee_no": f"M{i:06d}", "name": "坐席", "tier": tiers[i % 5],
                  "hire_date": dt.date(2025, 1, 6)} for i in range(agents)]
        for start in range(0, agents, 2000):
            User.insert_many(users[start:start + 2000]).execute()
        ids = [u.id for u in User.select(User.id).order_by(User.id)]
        for start in range(0, agents, 2000):
            chunk = ids[start:start + 2000]
            UserRole.insert_many([{"user": i, "role": "agent"} for i in chunk]).execute()
            Membership.insert_many([{"user": i, "team": teams[i % 100], "started_on": dt.date(2025, 1, 6)}
                                    for i in chunk]).execute()


def raw_insert(rows: list[tuple]) -> None:
    """The same tasks and notifications, straight through the DB-API, into cleared tables."""
    from lms.db import database, is_postgres

    mark = "%s" if is_postgres() else "?"
    with database.atomic():
        database.execute_sql("DELETE FROM lms_notification")
        database.execute_sql("DELETE FROM lms_micro_task")
        cursor = database.cursor()
        now = dt.datetime(2026, 11, 2, 0)
        cursor.executemany(f"INSERT INTO lms_micro_task (user_id, day, template_id, issued_at, late, status, answer) "
                           f"VALUES ({', '.join([mark] * 7)})",
                           [(u, MONDAY.isoformat(), t, now, False, "open", "") for u, t in rows])
        cursor.executemany(f"INSERT INTO lms_notification (user_id, kind, title, body, link, dedup_key, created_at) "
                           f"VALUES ({', '.join([mark] * 7)})",
                           [(u, "task", "Today's micro-task is ready", "t", "/tasks/1", f"raw:{u}", now)
                            for u, _ in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench._common import counted, throwaway_database
    from lms import create_app
    from lms.db import database
    from lms.migrations import upgrade
    from lms.models import MicroTask
    from lms.services import clock, microtasks

    with throwaway_database(args.database, "mt") as url:
        app = create_app(database_url=url, TESTING=True)
        upgrade()
        clock.freeze(dt.datetime(2026, 11, 1, 22, 30))  # 06:30 on Monday in Shanghai
        settings = app.extensions["lms"].settings
        with app.app_context(), database.connection_context():
            build(args.agents)
            first, first_statements, result = counted(lambda: microtasks.issue(settings, MONDAY))
            again, again_statements, _ = counted(lambda: microtasks.issue(settings, MONDAY))
            rows = list(MicroTask.select(MicroTask.user, MicroTask.template).tuples())
            raw, _, _ = counted(lambda: raw_insert(rows))
        assert result["issued"] == args.agents, result
        print("| step | seconds | SQL statements | ratio to raw insert |\n|---|---|---|---|")
        print(f"| raw executemany of the same {len(rows)} tasks + notifications | {raw:.2f} | 2 executemany | 1.00 |")
        print(f"| issue-microtasks, first run ({result['issued']} issued) | {first:.2f} | {first_statements} "
              f"| {first / raw:.2f} |")
        print(f"| issue-microtasks, run again (0 issued) | {again:.2f} | {again_statements} | {again / raw:.2f} |")
        print(f"database: {args.database}; {args.agents} agents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
