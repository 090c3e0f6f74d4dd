"""Morning-rush load check: 200 agents signing in and doing today's micro-task at once, against
gunicorn with 2 workers on loopback, beside a hello-world Flask page under the same server and
load tool in the same run.

For each database it builds an organisation with the product's own commands (`lms db upgrade`,
`lms demo`, `lms roster import` of --agents more agents, one password for every agent, `lms jobs
run issue-microtasks`), then:

  hello     gunicorn serving bench/_hello.py, --users locust users fetching it for --run-time
  routine   gunicorn serving lms.wsgi:app, --users locust users each doing the morning routine
            (bench/_load_users.py): login page, sign in, home, today's micro-task, answer it,
            the result, sign out; then again as the next agent of the pool

and reports requests/s, routines/s, p50/p95/p99 per step, every error (HTTP failures, checks in
the routine, tracebacks in gunicorn's log), the CPU used by the server, by locust and by the whole
machine, and checks that every answer the load tool saw accepted is a done task in the database.
Exit status 1 on any error.

    pip install -e '.[bench]'                          # locust
    python bench/load.py                               # SQLite (a file in a temporary directory)
    python bench/load.py --database postgresql         # the bench_load database (its schema is wiped)
    python bench/load.py --database both --markdown    # what docs/benchmarks.md shows
    python bench/load.py --users 5 --run-time 5 --agents 20   # a quick check

Results: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PASSWORD = "bench-pass-2026"
PG_URL = "postgresql://postgres@127.0.0.1:5432/bench_load"
NEVER = {"test", "postgres", "template0", "template1"}  # databases this script refuses to wipe
STEPS = ("1 login page", "2 sign in", "3 home", "4 task", "5 answer", "6 result", "7 sign out")
SITES = ("上海中心", "成都中心")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾田董潘袁蔡蒋余杜叶程魏苏吕丁"
GIVEN = "芳娜敏静丽艳娟秀霞英玉萍红婷雪琳欣怡佳涵思雨嘉悦瑶颖晓倩伟强磊军洋勇杰涛明超刚华鹏辉宇浩"


# --- the organisation ----------------------------------------------------------------------------

def morning_timezone(now: dt.datetime) -> str:
    """A fixed-offset zone in which it is about 9 in the morning now: today's tasks are issued for
    that day, and the day cannot change during the run (Etc/GMT-8 is UTC+8)."""
    offset = 9 - now.hour
    offset = offset - 24 if offset > 14 else offset + 24 if offset < -12 else offset
    return "Etc/GMT" + ("+" if offset <= 0 else "-") + str(abs(offset))


def roster_csv(path: Path, agents: int, seed: int, today: dt.date) -> None:
    """`agents` agents in teams of 20 at the demo's two sites: 20 % newcomers, 70 % advanced, 10 % elite."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["employee_no", "name", "email", "hire_date", "site", "team", "roles", "tier"])
        for n in range(agents):
            draw = rng.random()
            tier, days = (("newcomer", rng.randint(1, 27)) if draw < 0.2 else
                          ("advanced", rng.randint(190, 360)) if draw < 0.9 else ("elite", rng.randint(400, 900)))
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            out.writerow([f"B{n + 1:05d}", name, f"b{n + 1:05d}@bench.example", today - dt.timedelta(days=days),
                          SITES[(n // 20) % 2], f"早班{n // 20 + 1:03d}组", "agent", tier])


def reset_postgres(url: str) -> None:
    """Create the database if missing, and empty its public schema."""
    import psycopg2
    from urllib.parse import urlparse

    name = urlparse(url).path.strip("/")
    if name in NEVER:
        raise SystemExit(f"refusing to use the database {name!r}: give the load check a database of its own")
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


def lms(env: dict, *args: str) -> str:
    """Run one `lms` command; its stdout, or exit with its error."""
    done = subprocess.run([str(Path(sys.executable).parent / "lms"), *args], env=env, cwd=env["LMS_BENCH_DIR"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"lms {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build(env: dict, workdir: Path, agents: int, seed: int) -> tuple[str, list[str], dict]:
    """The organisation and today's tasks; (the day, the pool of agents with an open task, counts)."""
    from lms import create_app
    from lms.db import database
    from lms.models import MicroTask, User, UserRole
    from lms.services import accounts, clock
    from werkzeug.security import check_password_hash

    started = time.perf_counter()
    lms(env, "db", "upgrade")
    demo = json.loads(lms(env, "demo", "--json"))
    roster = workdir / "roster.csv"
    roster_csv(roster, agents, seed, dt.datetime.now(dt.timezone.utc).date())
    lms(env, "roster", "import", str(roster), "--credentials", "none")
    app = create_app(env["LMS_CONFIG"], database_url=env["LMS_BENCH_URL"])
    with app.app_context(), database.connection_context():
        # One hash for everyone: hashing thousands of passwords with scrypt would take minutes,
        # and a shared hash costs a sign-in exactly what a personal one does.
        agent_ids = UserRole.select(UserRole.user).where(UserRole.role == "agent")
        hashed = accounts.hash_password(PASSWORD)
        User.update(password_hash=hashed, must_change_password=False).where(User.id.in_(agent_ids)).execute()
    # What one sign-in's password check costs by itself (CPU time, so other jobs do not count).
    checks = []
    for _ in range(5):
        cpu = time.process_time()
        check_password_hash(hashed, PASSWORD)
        checks.append(time.process_time() - cpu)
    issued = json.loads(lms(env, "jobs", "run", "issue-microtasks", "--json"))
    with app.app_context(), database.connection_context():
        day = dt.date.fromisoformat(issued["date"])
        if day != clock.today():
            raise SystemExit(f"the tasks were issued for {day}, but today is {clock.today()} for the app")
        pool = [no for (no,) in User.select(User.employee_no).join(MicroTask, on=(MicroTask.user == User.id))
                .where((MicroTask.day == day) & (MicroTask.status == "open") & User.active).tuples()]
        counts = {"agents": User.select().where(User.id.in_(agent_ids)).count(), "demo_agents": demo["counts"]["agents"],
                  "tasks_today": issued["total"], "open_today": len(pool), "build_seconds": 0.0,
                  "password_check_ms": 1000 * sorted(checks)[2]}
    close_database()
    random.Random(seed).shuffle(pool)  # agents of every team and tier arrive mixed
    counts["build_seconds"] = time.perf_counter() - started
    return issued["date"], pool, counts


def done_tasks(config: Path, url: str, day: str) -> int:
    from lms import create_app
    from lms.db import database
    from lms.models import MicroTask

    app = create_app(str(config), database_url=url)
    with app.app_context(), database.connection_context():
        count = MicroTask.select().where((MicroTask.day == dt.date.fromisoformat(day))
                                         & (MicroTask.status == "done")).count()
    close_database()
    return count


def close_database() -> None:
    from lms.db import database

    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    elif database.obj is not None and not database.obj.is_closed():
        database.obj.close()


# --- serving, loading, measuring -----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system, all threads) a live process has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """The CPU of gunicorn's master and its workers."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return cpu_of(pid) + sum(cpu_of(int(c)) for c in children)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    total = sum(values[:8])
    return (total - values[3] - values[4]) / tick, total / tick


class Server:
    """gunicorn on a free loopback port, started and waited for; stopped gracefully."""

    def __init__(self, spec: str, args, env: dict, workdir: Path, ready_path: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(args.workers),
                   "--worker-class", args.worker_class, "--bind", f"127.0.0.1:{self.port}",
                   "--pythonpath", str(REPO), "--chdir", str(workdir), "--backlog", "2048",
                   "--timeout", "60", "--error-logfile", str(log), "--log-level", "warning", spec]
        if args.worker_class == "gthread":
            command[5:5] = ["--threads", str(args.threads)]
        self.log = log
        self.process = subprocess.Popen(command, env=env, cwd=workdir)
        deadline = time.monotonic() + 60
        while True:  # returns as soon as the page answers
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {log}")
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not answer {ready_path} within 60 s; see {log}")
            time.sleep(0.1)

    def cpu(self) -> float:
        return tree_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def problems(self) -> tuple[list[str], dict[str, int]]:
        """What gunicorn logged at ERROR or above (one line per failed request or worker), and how
        often each exception message closed a traceback."""
        if not self.log.exists():
            return [], {}
        lines = self.log.read_text(errors="replace").splitlines()
        events = [line for line in lines if "ERROR" in line or "CRITICAL" in line]
        causes: dict[str, int] = {}
        for line in lines:
            if re.match(r"[A-Za-z_][\w.]*(Error|Exception|Timeout)\w*: ", line):
                causes[line] = causes.get(line, 0) + 1
        return events, causes


@dataclass
class Result:
    label: str
    run_time: float
    started: float = 0.0  # when the first request started (epoch seconds)
    steps: dict = field(default_factory=dict)  # name -> [(ended at, ms)] of the successful requests
    failures: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)
    server_errors: list = field(default_factory=list)
    server_causes: dict = field(default_factory=dict)
    server_cpu: float = 0.0
    database_cpu: float | None = None  # PostgreSQL's backends for this database
    tool_cpu: float = 0.0
    machine_busy: float = 0.0  # CPU seconds the whole machine was busy during the run
    seconds: float = 0.0  # wall time of the locust run (ramp-up, run time, the last routines)
    checks: list = field(default_factory=list)  # (what, ok)

    def times(self, name: str | None = None) -> list[float]:
        """Sorted response times (ms) of the requests that ended within the run time; every
        request step when no name is given (the whole-routine timings aside)."""
        cutoff = self.started + self.run_time
        names = [name] if name else [n for n in self.steps if n != "whole routine"]
        return sorted(ms for n in names for ended, ms in self.steps.get(n, []) if ended <= cutoff)

    def requests(self) -> int:
        """Every successful request, the last routines after the run time included."""
        return sum(len(entries) for name, entries in self.steps.items() if name != "whole routine")

    def count(self, name: str) -> int:
        """Every successful request of this step, the last routines after the run time included."""
        return len(self.steps.get(name, []))

    @property
    def errors(self) -> int:
        return (sum(f["count"] for f in self.failures) + sum(e["count"] for e in self.exceptions)
                + len(self.server_errors) + sum(not ok for _, ok in self.checks))


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)] if values else float("nan")


def locust_path(given: str | None) -> str:
    for candidate in (given, str(Path(sys.executable).parent / "locust"), shutil.which("locust")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("locust is not installed: pip install -e '.[bench]' (or pass --locust PATH)")


def postgres_backends_cpu(url: str) -> float:
    """CPU seconds used so far by the server processes connected to this database (the app's
    pooled connections, opened during the run)."""
    import psycopg2
    from urllib.parse import urlparse

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                           (urlparse(url).path.strip("/"),))
            return sum(cpu_of(pid) for (pid,) in cursor.fetchall())
    finally:
        conn.close()


def drive(label: str, user_class: str, server: Server, args, workdir: Path, env: dict) -> Result:
    """Run locust headless against the server; collect its response times and the CPU used."""
    out = workdir / f"{label}.json"
    env = {**env, "LMS_BENCH_OUT": str(out)}
    command = [locust_path(args.locust), "-f", str(BENCH / "_load_users.py"), "--headless",
               "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.run_time}s",
               # When the run time is up, users finish the routine they are in (an answer the
               # server took is then always seen by the load tool, for the check below).
               "--stop-timeout", "60", "--host", server.url, "--csv", str(workdir / label), "--only-summary",
               "--loglevel", "WARNING", "--exit-code-on-error", "0", user_class]
    result = Result(label, args.run_time)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before, (busy_before, _) = server.cpu(), machine_cpu()
    began = time.monotonic()
    with (workdir / f"{label}.locust.log").open("w") as log:
        done = subprocess.run(command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    result.seconds = time.monotonic() - began
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.machine_busy = machine_cpu()[0] - busy_before
    result.server_cpu = server.cpu() - server_before
    result.tool_cpu = (after_children.ru_utime + after_children.ru_stime
                       - before_children.ru_utime - before_children.ru_stime)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"locust failed ({done.returncode}); see {workdir / (label + '.locust.log')}")
    data = json.loads(out.read_text())
    result.started = data["window"][0] if data["window"] else 0.0
    result.steps = {name: [tuple(entry) for entry in entries] for name, entries in data["times"].items()}
    result.failures, result.exceptions = data["failures"], data["exceptions"]
    return result


def run_database(kind: str, args, workdir: Path) -> tuple[Result, Result, dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir}/lms.db" if kind == "sqlite" else args.pg_url
    if kind == "postgresql":
        reset_postgres(url)
    config = workdir / "config.toml"
    config.write_text(
        f'secret_key = "{secrets.token_hex(32)}"\n'
        f'timezone = "{morning_timezone(dt.datetime.now(dt.timezone.utc))}"\n'
        f'[database]\nurl = "{url}"\n'
        # A contact centre works every day; the bench must find tasks whatever day it runs on.
        '[calendar]\nworkdays = [1, 2, 3, 4, 5, 6, 7]\n', encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    env.update(LMS_CONFIG=str(config), LMS_BENCH_DIR=str(workdir), LMS_BENCH_PASSWORD=PASSWORD,
               LMS_BENCH_AGENTS=str(workdir / "agents.txt"), LMS_BENCH_URL=url)
    print(f"[{kind}] building the organisation ...", file=sys.stderr)
    day, pool, counts = build(env, workdir, args.agents, args.seed)
    (workdir / "agents.txt").write_text("\n".join(pool) + "\n", encoding="utf-8")
    print(f"[{kind}] {counts['agents']} agents, {counts['open_today']} open micro-tasks for {day} "
          f"({counts['build_seconds']:.0f} s); hello-world baseline ...", file=sys.stderr)
    hello_server = Server("bench._hello:app", args, env, workdir, "/", workdir / "hello.gunicorn.log")
    try:
        hello = drive("hello", "HelloUser", hello_server, args, workdir, env)
    finally:
        hello_server.stop()
    hello.server_errors, hello.server_causes = hello_server.problems()
    print(f"[{kind}] the morning routine ...", file=sys.stderr)
    app_server = Server("lms.wsgi:app", args, env, workdir, "/healthz", workdir / "app.gunicorn.log")
    try:
        routine = drive("routine", "MorningAgent", app_server, args, workdir, env)
        if kind == "postgresql":
            routine.database_cpu = postgres_backends_cpu(url)
    finally:
        app_server.stop()
    routine.server_errors, routine.server_causes = app_server.problems()
    answered, done = routine.count("5 answer"), done_tasks(config, url, day)
    counts.update(answered=answered, done_in_database=done, reused=routine.count("4 task (pool reused)"),
                  routines=routine.count("whole routine"))
    routine.checks.append((f"every accepted answer is a done task in the database ({answered} answers, "
                           f"{done} done)", answered == done))
    routine.checks.append(("routines were completed", counts["routines"] > 0))
    return hello, routine, counts


# --- the report ----------------------------------------------------------------------------------

def report(kind: str, hello: Result, routine: Result, counts: dict, args, markdown: bool) -> None:
    def ms(value: float) -> str:
        return "—" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    failures: dict[str, int] = {}
    for f in routine.failures:
        failures[f["name"]] = failures.get(f["name"], 0) + f["count"]
    rows = []

    def row(label: str, times: list[float], seconds: float, errors) -> None:
        rows.append((label, len(times), len(times) / seconds, percentile(times, 50), percentile(times, 95),
                     percentile(times, 99), errors))

    names = list(STEPS) + (["4 task (pool reused)"] if counts["reused"] else [])
    for name in names:
        row(name, routine.times(name), args.run_time, failures.get(name, 0))
    requests, base = routine.times(), hello.times()
    row("all requests of the routine", requests, args.run_time, routine.errors)
    # Every routine, those that ended after the run time included: counting only those that ended
    # within it would leave out the slowest ones.
    whole = sorted(ms for _, ms in routine.steps.get("whole routine", []))
    rows.append(("whole routine (7 requests), all", len(whole), len(routine.times("whole routine")) / args.run_time,
                 percentile(whole, 50), percentile(whole, 95), percentile(whole, 99), ""))
    row("hello-world page (baseline)", base, args.run_time, hello.errors)
    header = ("step", "count", "per s", "p50 ms", "p95 ms", "p99 ms", "errors")
    threads = f", {args.threads} threads" if args.worker_class == "gthread" else ""
    title = (f"{kind}: {args.users} users, {args.run_time} s, gunicorn {args.workers} workers "
             f"({args.worker_class}{threads})")
    if markdown:
        print(f"\n**{title}**\n")
        print("| " + " | ".join(header) + " |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, count, rate, p50, p95, p99, errors in rows:
            print(f"| {name} | {count:,} | {rate:,.1f} | {ms(p50)} | {ms(p95)} | {ms(p99)} | {errors} |")
        print()
    else:
        print(f"\n{title}")
        print(f"{header[0]:<30} {'count':>8} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, count, rate, p50, p95, p99, errors in rows:
            print(f"{name:<30} {count:>8,} {rate:>8,.1f} {ms(p50):>8} {ms(p95):>8} {ms(p99):>8} {errors!s:>7}")
    app_rps, hello_rps = len(requests) / args.run_time, len(base) / args.run_time
    routines = len(routine.times("whole routine"))
    cores = os.cpu_count() or 1
    first = sorted(ms for ended, ms in routine.steps.get("whole routine", [])
                   if ended - ms / 1000 < routine.started + 10)

    def cpu(result: Result) -> str:
        share = result.seconds * cores
        parts = [f"gunicorn {result.server_cpu:.0f} s ({result.server_cpu / share:.0%})"]
        if result.database_cpu is not None:
            parts.append(f"PostgreSQL backends {result.database_cpu:.0f} s ({result.database_cpu / share:.0%})")
        others = result.machine_busy - result.server_cpu - result.tool_cpu - (result.database_cpu or 0)
        parts += [f"locust {result.tool_cpu:.0f} s ({result.tool_cpu / share:.0%})",
                  f"everything else on the machine {max(others, 0):.0f} s ({max(others, 0) / share:.0%})",
                  f"idle {max(share - result.machine_busy, 0) / share:.0%}"]
        return f"{result.seconds:.0f} s x {cores} cores: " + ", ".join(parts)

    lines = [
        f"throughput: {app_rps:,.1f} requests/s, that is {app_rps / len(STEPS):,.2f} routines/s of 7 requests "
        f"({routines} routines ended within the run time, {len(routine.times('5 answer'))} answers taken); "
        f"hello-world page {hello_rps:,.0f} requests/s; ratio {app_rps / hello_rps if hello_rps else 0:.3f}",
        f"first wave: the {len(first)} routines begun in the first 10 s took "
        f"p50 {percentile(first, 50) / 1000:.1f} s, the longest {max(first, default=0) / 1000:.1f} s",
        f"CPU during the routine run, {cpu(routine)}",
        f"gunicorn CPU per routine {1000 * routine.server_cpu / max(counts['routines'], 1):.0f} ms "
        f"(per request {1000 * routine.server_cpu / max(routine.requests(), 1):.1f} ms; one password check "
        f"alone {counts['password_check_ms']:.0f} ms); per hello-world request "
        f"{1000 * hello.server_cpu / max(hello.requests(), 1):.2f} ms",
        f"CPU during the hello run, {cpu(hello)}",
        f"organisation: {counts['agents']:,} agents ({counts['demo_agents']} from the demo), "
        f"{counts['tasks_today']:,} micro-tasks today, built in {counts['build_seconds']:.0f} s; "
        f"{counts['routines']:,} routines done in all (the last ones after the run time); the pool ran out for "
        f"{counts['reused']}",
    ]
    lines += [f"check: {what}: {'ok' if ok else 'FAILED'}" for what, ok in routine.checks]
    for result in (hello, routine):
        lines += [f"error ({result.label}): {f['name']}: {f['error']} x{f['count']}" for f in result.failures]
        lines += [f"exception ({result.label}): {e['msg']} x{e['count']}" for e in result.exceptions]
        lines += [f"server log ({result.label}): {line}" for line in result.server_errors[:5]]
        lines += [f"server exception ({result.label}): {cause} x{n}" for cause, n in result.server_causes.items()]
    lines.append(f"errors: {hello.errors + routine.errors}")
    for line in lines:
        print(("- " if markdown else "") + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL, help="a PostgreSQL database of the load check's own "
                        "(created if missing, its public schema wiped); default %(default)s")
    parser.add_argument("--agents", type=int, default=2000, help="agents added by the roster import, on top "
                        "of the demo's ~60: the pool the simulated users sign in as (default %(default)s)")
    parser.add_argument("--users", type=int, default=200, help="simulated users at once (default %(default)s)")
    parser.add_argument("--spawn-rate", type=float, default=50, help="users started per second (default %(default)s)")
    parser.add_argument("--run-time", type=int, default=60, help="seconds of load per run (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--locust", help="the locust executable (default: beside this Python, then on PATH)")
    parser.add_argument("--markdown", action="store_true", help="print the tables for docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, CSV, SQLite file)")
    args = parser.parse_args()
    if args.users < 1 or args.run_time < 1 or args.agents < 1:
        parser.error("--users, --run-time and --agents must be at least 1")
    locust_path(args.locust)  # fail before building anything
    sys.path.insert(0, str(REPO))
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-load-"))
    errors = 0
    try:
        for kind in kinds:
            hello, routine, counts = run_database(kind, args, workdir / kind)
            report(kind, hello, routine, counts, args, args.markdown)
            errors += hello.errors + routine.errors
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
