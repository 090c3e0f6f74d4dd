"""KPI import benchmark: `lms kpi import` against a plain csv + executemany load of the same file.

It writes a canonical KPI file of N agents x D days (deterministic: fixed seed, fixed dates),
sets up fresh databases holding the agents, then times each step in a child process of its
own, so that the peak RSS reported (its rusage, taken by a small launcher) is that step's alone:

  app start-up  `lms db upgrade` on a current schema: the memory floor of any `lms` process
  baseline      csv.reader + int() + cursor.executemany into a plain table, one transaction;
                on PostgreSQL also psycopg2's execute_values, because psycopg2's executemany
                makes one round trip per row
  import        `lms kpi import FILE --json` into a database without KPI rows: every row new
  re-import     the same file again: every row unchanged
  and the baseline and the import once more for a file 10x smaller, to show whether peak
  memory grows with the size of the file.

Then it checks the result (N x D daily rows; weekly rollups; the same total of contacts in the
file, the daily table and the weekly table) and prints a table. --profile adds imports inside
one process: the full file, split at the start of the write, and the smaller file under cProfile.

    python bench/kpi_import.py                          # 10,000 agents x 100 days on SQLite
    python bench/kpi_import.py --database postgresql    # throwaway lms_bench_<pid>_* databases
    python bench/kpi_import.py --agents 1000 --markdown --profile

Linux only (ru_maxrss in kilobytes). Results and how to read them: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse, urlunparse

HEADER = ("employee_no", "date", "contacts", "resolved_first_contact", "handle_seconds", "csat_responses",
          "csat_positive")
RAW_TABLE = "bench_kpi_raw"
LAST_DAY = dt.date(2026, 6, 28)  # fixed so the file is the same on every run; must be in the past
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
NOT_OURS = {"test", "postgres", "template0", "template1"}  # databases never created, written or dropped
SMALL_FACTOR = 10


class BenchError(RuntimeError):
    """A step failed or a result is wrong; the message says which."""


# --- the workload ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Workload:
    """N agents x D days, the last day being LAST_DAY."""
    agents: int
    days: int
    seed: int

    @property
    def rows(self) -> int:
        return self.agents * self.days

    @property
    def first_day(self) -> dt.date:
        return LAST_DAY - dt.timedelta(days=self.days - 1)

    def dates(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range(self.days)]

    def weeks(self) -> int:
        return len({day - dt.timedelta(days=day.weekday()) for day in self.dates()})

    def roster(self) -> list[dict]:
        """The agents, each hired 1 to 1,500 days before the file's first day."""
        return [{"employee_no": employee_no(i), "name": f"Agent {i}",
                 "hire_date": self.first_day - dt.timedelta(days=1 + (i * 7919) % 1500)}
                for i in range(self.agents)]


def employee_no(i: int) -> str:
    return f"B{i:06d}"


def write_csv(path: Path, work: Workload) -> int:
    """The file, day after day with every agent in each day (as daily exports appended);
    returns the file's total of contacts, which the verification looks for in the database."""
    rng = random.Random(work.seed)
    numbers = [employee_no(i) for i in range(work.agents)]
    total = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for day in work.dates():
            iso = day.isoformat()
            for number in numbers:
                # Valid by construction: resolved <= contacts, positive <= responses <= contacts.
                contacts = 20 + int(rng.random() * 60)
                responses = int(contacts * (0.1 + 0.3 * rng.random()))
                writer.writerow((number, iso, contacts, int(contacts * (0.55 + 0.4 * rng.random())),
                                 contacts * (180 + int(rng.random() * 360)), responses,
                                 int(responses * (0.6 + 0.4 * rng.random()))))
                total += contacts
    return total


# --- databases ------------------------------------------------------------------------------

class SqliteServer:
    """Fresh SQLite files in the work directory (they go with it)."""
    kind = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir

    def fresh(self, label: str) -> str:
        return f"sqlite:///{self.workdir / label}.db"

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def drop_all(self) -> None:
        pass


class PostgresServer:
    """Throwaway databases lms_bench_<pid>_<label> on a local server with trust auth; every one
    it created is dropped at the end, and it refuses to touch any database it did not create."""
    kind = "postgresql"

    def __init__(self, server_url: str):
        self.server_url = server_url.rstrip("/")
        self.created: list[str] = []

    def _admin(self):
        import psycopg2

        conn = psycopg2.connect(urlunparse(urlparse(self.server_url)._replace(path="/postgres")))
        conn.autocommit = True  # CREATE and DROP DATABASE cannot run inside a transaction
        return conn

    def fresh(self, label: str) -> str:
        name = f"lms_bench_{os.getpid()}_{label}"
        if name in NOT_OURS:
            raise BenchError(f"refusing to use the database {name!r}")
        with contextlib.closing(self._admin()) as conn, conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return f"{self.server_url}/{name}"

    def version(self) -> str:
        with contextlib.closing(self._admin()) as conn, conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"

    def drop_all(self) -> None:
        if not self.created:
            return
        with contextlib.closing(self._admin()) as conn, conn.cursor() as cursor:
            while self.created:
                # FORCE: a pooled connection left behind must not keep a throwaway database alive.
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')


def release(database) -> None:
    """Close every connection this process holds (the PostgreSQL pool keeps idle ones open)."""
    if not database.is_closed():
        database.close()
    if hasattr(database, "close_all"):
        database.close_all()


def prepare(url: str, work: Workload, config: Path) -> None:
    """Schema and agents, in this process and untimed (a bulk insert is fine for the setup)."""
    import peewee as pw

    from lms import create_app, db
    from lms.migrations import upgrade
    from lms.models import User, UserRole

    app = create_app(config_path=config, database_url=url, TESTING=True)
    with app.app_context():
        upgrade()
        with db.database.connection_context(), db.database.atomic():
            roster = work.roster()
            for start in range(0, len(roster), 1000):  # under SQLite's limit of bound variables
                User.insert_many(roster[start:start + 1000]).execute()
            UserRole.insert_from(User.select(User.id, pw.Value("agent")), [UserRole.user, UserRole.role]).execute()
    release(db.database.obj)


# --- measured steps -------------------------------------------------------------------------

@dataclass
class Step:
    name: str
    rows: int
    seconds: float
    peak_rss_mb: float
    baseline_seconds: float | None = None  # csv + executemany on the same file, for the ratio

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows else None

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else None


# A child's ru_maxrss starts at the high-water mark of the memory it was forked from (Linux keeps
# it across exec), so a step forked straight from this process, which has imported the app, would
# report at least this process's peak. Each step is therefore started by a small process of its own:
# GNU time (floor about 1 MB), or else this launcher (floor about 14 MB), which report its rusage.
GNU_TIME = "/usr/bin/time"
LAUNCHER = ("import os, subprocess, sys; child = subprocess.Popen(sys.argv[2:]); "
            "_, status, usage = os.wait4(child.pid, 0); open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); "
            "sys.exit(os.waitstatus_to_exitcode(status))")


def run_child(command: list[str], env: dict, cwd: Path) -> tuple[float, float, str]:
    """Run a command to its end: wall-clock seconds, its own peak RSS in MB, and its stdout."""
    with tempfile.TemporaryDirectory() as scratch:
        rss_file = Path(scratch) / "maxrss"
        if os.access(GNU_TIME, os.X_OK):
            wrapped = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *command]
        else:
            wrapped = [sys.executable, "-c", LAUNCHER, str(rss_file), *command]
        start = time.perf_counter()
        done = subprocess.run(wrapped, capture_output=True, text=True, env=env, cwd=cwd)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command)} exited with {done.returncode}:\n"
                             f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
        peak_kb = int(rss_file.read_text().split()[-1])  # ru_maxrss is in kilobytes on Linux
    return seconds, peak_kb / 1024, done.stdout


def lms_executable() -> str:
    beside = Path(sys.executable).with_name("lms")  # the virtualenv's, not the resolved interpreter's
    found = str(beside) if beside.exists() else shutil.which("lms")
    if not found:
        raise BenchError("no `lms` executable: install the project (pip install -e .) in this Python")
    return found


def this_script(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "child", *args]


class Runner:
    """Runs the steps against one database server, with a hermetic environment for the children."""

    def __init__(self, workdir: Path, config: Path, verbose: bool = True):
        self.workdir, self.config, self.verbose = workdir, config, verbose
        self.lms = lms_executable()

    def env(self, url: str) -> dict:
        # No developer setting leaks in: only the empty config file and this database.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update(LMS_CONFIG=str(self.config), LMS_DATABASE_URL=url)
        return env

    def run(self, name: str, rows: int, command: list[str], url: str) -> tuple[Step, str]:
        self.say(f"  {name} ...")
        seconds, rss, stdout = run_child(command, self.env(url), self.workdir)
        step = Step(name, rows, seconds, rss)
        self.say(f"  {name}: {seconds:.1f} s, peak RSS {rss:.0f} MB")
        return step, stdout

    def start_up(self, url: str) -> Step:
        return self.run("app start-up (`lms db upgrade`, no-op)", 0, [self.lms, "db", "upgrade"], url)[0]

    def baseline(self, file: Path, rows: int, url: str, method: str) -> Step:
        step, stdout = self.run(f"baseline: csv + {method}", rows,
                                this_script("baseline", url, str(file), method), url)
        loaded = json.loads(stdout)["rows"]
        if loaded != rows:
            raise BenchError(f"the baseline loaded {loaded} rows, not {rows}")
        return step

    def kpi_import(self, name: str, file: Path, rows: int, url: str, expect: str) -> Step:
        """`lms kpi import FILE --json`; `expect` names the count that must equal the rows."""
        step, stdout = self.run(name, rows, [self.lms, "kpi", "import", str(file), "--json"], url)
        outcome = json.loads(stdout)
        if not outcome["ok"] or outcome[expect] != rows:
            raise BenchError(f"{name}: expected {expect} = {rows}, got {outcome}")
        return step

    def say(self, text: str) -> None:
        if self.verbose:
            print(text, flush=True)


# --- the baseline and the profile, run as children of this script -----------------------------

def baseline_load(url: str, file: Path, method: str) -> int:
    """The raw approach: csv.reader, int(), one executemany (or execute_values) into a plain
    table with the file's columns, one transaction; no validation, no upsert, no rollups."""
    conn, mark = _raw_connection(url)
    try:
        cursor = conn.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} (employee_no VARCHAR(32), day DATE, contacts INTEGER, "
                       "resolved_first_contact INTEGER, handle_seconds BIGINT, csat_responses INTEGER, "
                       "csat_positive INTEGER)")
        conn.commit()
        with file.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            next(reader)  # the header
            # The date stays ISO text: SQLite stores it as text, PostgreSQL casts it on insert.
            rows = ((r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6])) for r in reader)
            if method == "execute_values":
                from psycopg2.extras import execute_values

                execute_values(cursor, f"INSERT INTO {RAW_TABLE} VALUES %s", rows, page_size=1000)
            else:
                cursor.executemany(f"INSERT INTO {RAW_TABLE} VALUES ({', '.join([mark] * len(HEADER))})", rows)
        conn.commit()
        cursor.execute(f"SELECT COUNT(*) FROM {RAW_TABLE}")
        return cursor.fetchone()[0]
    finally:
        conn.close()


def _raw_connection(url: str):
    """A plain DB-API connection and its parameter mark; SQLite with the app's own pragmas."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(unquote(urlparse(url).path))
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute("PRAGMA synchronous=normal")
        return conn, "?"
    import psycopg2

    return psycopg2.connect(url), "%s"


# Functions whose cumulative time the profile reports, and what each stands for.
PROFILED = (
    ("kpi_import.py", "_file_hash", "hash the file (a full pass)"),
    ("tabular.py", "detect_encoding", "detect the encoding (a full pass)"),
    ("tabular.py", "_data_rows", "read rows: csv, clean(), trim, pad"),
    ("kpi_import.py", "look_up", "look up agents"),
    ("kpi_import.py", "check", "check rows: parse and validate"),
    ("kpi_import.py", "_stage", "stage (includes check and look-up)"),
    ("kpi_import.py", "_write", "set-based write, one transaction"),
    ("kpi_rollup.py", "rebuild", "  of which weekly rollups"),
)


def profiled_import(url: str, file: Path, config: Path, profile: bool) -> dict:
    """import_file in this process: when the write starts (the "writing" progress call), and
    with `profile` the cumulative seconds of the PROFILED functions and the top functions."""
    from lms import create_app
    from lms.db import database
    from lms.services.kpi_import import import_file

    app = create_app(config_path=config, database_url=url, TESTING=True)
    marks: dict[str, float] = {}
    profiler = cProfile.Profile() if profile else None
    with app.app_context(), database.connection_context(), file.open("rb") as stream:
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = import_file(stream, file.name, source="bench",
                              on_progress=lambda status, _: marks.setdefault(status, time.perf_counter()))
        if profiler:
            profiler.disable()
        end = time.perf_counter()
    result = {"ok": outcome.ok, "added": outcome.added, "seconds": end - start,
              "until_write": marks.get("writing", end) - start, "write": end - marks.get("writing", end)}
    if profiler:
        stats = pstats.Stats(profiler)
        result["parts"] = _cumulative(stats)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
        result["top"] = text.getvalue()
    return result


def _cumulative(stats: pstats.Stats) -> list[tuple[str, float]]:
    found = []
    for suffix, function, label in PROFILED:
        seconds = sum(ct for (path, _, name), (_, _, _, ct, _) in stats.stats.items()
                      if name == function and path.endswith(suffix))
        found.append((label, seconds))
    return found


def child_main(argv: list[str]) -> None:
    """`kpi_import.py child baseline URL FILE METHOD` or `child inprocess URL FILE CONFIG [--profile]`:
    one measured step, its result as JSON on stdout."""
    if argv[0] == "baseline":
        print(json.dumps({"rows": baseline_load(argv[1], Path(argv[2]), argv[3])}))
    elif argv[0] == "inprocess":
        print(json.dumps(profiled_import(argv[1], Path(argv[2]), Path(argv[3]), "--profile" in argv)))
    else:
        raise SystemExit(f"unknown child step {argv[0]!r}")


# --- verification and report ----------------------------------------------------------------

def verify(url: str, work: Workload, contacts_in_file: int) -> list[tuple[str, bool, str]]:
    """What the imports left: (check, passed, the numbers)."""
    from lms import db

    database = db.bind(url)
    with database.connection_context():
        def one(sql):
            return tuple(int(v) for v in database.execute_sql(sql).fetchone())

        daily_rows, daily_contacts = one("SELECT COUNT(*), COALESCE(SUM(contacts), 0) FROM lms_kpi_daily")
        weekly_rows, weekly_days, weekly_contacts = one(
            "SELECT COUNT(*), COALESCE(SUM(days), 0), COALESCE(SUM(contacts), 0) FROM lms_kpi_weekly")
        raw_rows, = one(f"SELECT COUNT(*) FROM {RAW_TABLE}")
    release(database)
    agent_weeks = work.agents * work.weeks()
    return [
        ("lms_kpi_daily rows = agents x days", daily_rows == work.rows, f"{daily_rows:,} / {work.rows:,}"),
        ("lms_kpi_weekly rows > 0 (= agents x weeks)", 0 < weekly_rows == agent_weeks,
         f"{weekly_rows:,} / {agent_weeks:,}"),
        ("sum(days) of the weeks = daily rows", weekly_days == daily_rows, f"{weekly_days:,} / {daily_rows:,}"),
        ("sum(contacts): daily = weekly = file", daily_contacts == weekly_contacts == contacts_in_file,
         f"{daily_contacts:,} / {weekly_contacts:,} / {contacts_in_file:,}"),
        ("baseline table rows = agents x days", raw_rows == work.rows, f"{raw_rows:,} / {work.rows:,}"),
    ]


COLUMNS = ("step", "rows", "seconds", "rows/s", "peak RSS MB", "x baseline")


def table_cells(step: Step) -> tuple[str, ...]:
    def maybe(value, template):
        return template.format(value) if value is not None else "—"

    seconds = f"{step.seconds:.2f}" if step.seconds < 10 else f"{step.seconds:.1f}"
    return (step.name, f"{step.rows:,}" if step.rows else "—", seconds, maybe(step.rows_per_second, "{:,.0f}"),
            f"{step.peak_rss_mb:.0f}", maybe(step.ratio, "{:.1f}"))


def format_table(steps: list[Step], markdown: bool) -> str:
    rows = [table_cells(step) for step in steps]
    if markdown:
        lines = [COLUMNS, ["---"] + ["---:"] * (len(COLUMNS) - 1), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(cells[i]) for cells in [COLUMNS, *rows]) for i in range(len(COLUMNS))]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(COLUMNS), line(["-" * w for w in widths]), *map(line, rows)])


def machine(server) -> list[str]:
    import peewee

    return [f"CPUs (nproc): {os.cpu_count()}", f"Python {platform.python_version()} on {platform.platform()}",
            f"peewee {peewee.__version__}", server.version()]


# --- the run --------------------------------------------------------------------------------

@dataclass
class Dataset:
    work: Workload
    file: Path
    contacts: int
    url: str = ""


def make_dataset(workdir: Path, name: str, work: Workload, say) -> Dataset:
    file = workdir / f"kpi-{name}-{work.agents}x{work.days}.csv"
    start = time.perf_counter()
    contacts = write_csv(file, work)
    say(f"wrote {file.name}: {work.rows:,} rows, {file.stat().st_size / 2**20:.0f} MB "
        f"in {time.perf_counter() - start:.1f} s")
    return Dataset(work, file, contacts)


def measure(runner: Runner, data: Dataset, label: str, kind: str, reimport: bool) -> list[Step]:
    """Baseline(s) then the importer on one file; the ratios are to csv + executemany."""
    rows = data.work.rows
    steps = [runner.baseline(data.file, rows, data.url, "executemany")]
    if kind == "postgresql":
        steps.append(runner.baseline(data.file, rows, data.url, "execute_values"))
    steps.append(runner.kpi_import(f"lms kpi import, {label} (all new)", data.file, rows, data.url, "added"))
    if reimport:
        steps.append(runner.kpi_import(f"lms kpi import, {label} again (all unchanged)", data.file, rows,
                                       data.url, "unchanged"))
    for step in steps:
        step.baseline_seconds = steps[0].seconds
    return steps


def profile(runner: Runner, server, full: Dataset, small: Dataset) -> str:
    """import_file inside one process on fresh databases: the full file without a profiler (when
    the write starts), then the smaller file under cProfile (where the time goes)."""
    report = []
    for label, data, flag in (("phases", full, []), ("cprofile", small, ["--profile"])):
        url = server.fresh(label)
        prepare(url, data.work, runner.config)
        runner.say(f"  in-process import of {data.file.name}{' under cProfile' if flag else ''} ...")
        _, _, stdout = run_child(this_script("inprocess", url, str(data.file), str(runner.config), *flag),
                                 runner.env(url), runner.workdir)
        result = json.loads(stdout)
        if not result["ok"] or result["added"] != data.work.rows:
            raise BenchError(f"the in-process import failed: {result}")
        if not flag:
            report.append(f"in-process import of {data.work.rows:,} rows: {result['seconds']:.1f} s = "
                          f"{result['until_write']:.1f} s reading, checking and staging + "
                          f"{result['write']:.1f} s set-based write")
        else:
            report.append(f"\ncProfile of {data.work.rows:,} rows ({result['seconds']:.1f} s under the "
                          "profiler), cumulative seconds:")
            report += [f"  {seconds:7.2f}  {label}" for label, seconds in result["parts"]]
            report.append(result["top"])
    return "\n".join(report)


def benchmark(args, workdir: Path, server) -> int:
    runner = Runner(workdir, workdir / "empty.toml")
    runner.config.write_text("")
    say = runner.say
    full = make_dataset(workdir, "full", Workload(args.agents, args.days, args.seed), say)
    small = make_dataset(workdir, "small", Workload(max(1, args.agents // SMALL_FACTOR), args.days, args.seed), say)
    for label, data in (("full", full), ("small", small)):
        start = time.perf_counter()
        data.url = server.fresh(label)
        prepare(data.url, data.work, runner.config)
        say(f"set up {data.url}: schema and {data.work.agents:,} agents in {time.perf_counter() - start:.1f} s")

    steps = [runner.start_up(full.url)]
    steps += measure(runner, full, f"{full.work.agents:,} x {full.work.days}", server.kind, reimport=True)
    steps += measure(runner, small, f"{small.work.agents:,} x {small.work.days}", server.kind, reimport=False)

    failed = 0
    say("\nverification:")
    for data in (full, small):
        for check, passed, numbers in verify(data.url, data.work, data.contacts):
            failed += not passed
            say(f"  {'ok  ' if passed else 'FAIL'} {data.file.name}: {check} ({numbers})")

    print()
    print("\n".join(("- " if args.markdown else "") + line for line in machine(server)))
    print()
    print(format_table(steps, args.markdown))
    if args.profile:
        print("\n" + profile(runner, server, full, small))
    return 1 if failed else 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Time `lms kpi import` against csv + executemany.")
    parser.add_argument("--agents", type=int, default=10_000, help="agents in the file (default 10,000)")
    parser.add_argument("--days", type=int, default=100, help="days per agent (default 100)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-server", default=PG_SERVER,
                        help=f"PostgreSQL server to create throwaway databases on (default {PG_SERVER})")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (files, SQLite databases)")
    parser.add_argument("--markdown", action="store_true", help="print the results as Markdown")
    parser.add_argument("--profile", action="store_true",
                        help="also time the write phase of the full file, and profile the smaller one")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.days < 1:
        parser.error("--agents and --days must be at least 1")
    if LAST_DAY >= dt.date.today():
        parser.error(f"the file's dates end on {LAST_DAY}, which is not in the past on this machine")
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        child_main(argv[1:])
        return 0
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    server = SqliteServer(workdir) if args.database == "sqlite" else PostgresServer(args.pg_server)
    try:
        return benchmark(args, workdir, server)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        server.drop_all()
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
