"""The simulated users of bench/load.py, for locust (`locust -f bench/_load_users.py ...`).

MorningAgent signs in as the next agent of the pool, opens home, opens today's micro-task,
answers it, reads the result and signs out, then starts again as the next agent: a fresh
browser (no cookies) per agent, no think time. HelloUser fetches the hello-world page.
Only the standard library and locust: it runs in whatever environment has locust.

Environment: LMS_BENCH_AGENTS, a file of employee numbers (one a line) whose micro-task for
today is open; LMS_BENCH_PASSWORD, their password; LMS_BENCH_OUT, where to write every
response time and failure as JSON when locust quits.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TODAY_TASK = re.compile(r'data-testid="today-task" href="([^"]+)"')
# Written for the benchmark: a reply with the complaint frame's parts, and a short reflection.
REPLY = ("您好，非常理解您现在着急的心情，给您添麻烦了，真的很抱歉。我先帮您查一下订单的处理进度，"
         "请您提供一下订单号好吗？核实清楚后，我会在今天下午五点前给您回电话，告诉您具体的处理方案。")
REFLECTION = "今天先复述了客户的问题，确认需求以后再给方案，客户的情绪明显缓和了，下次继续这样做。"


def _pool() -> list[str]:
    path = os.environ.get("LMS_BENCH_AGENTS")
    if not path:
        return []
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


AGENTS = _pool()
PASSWORD = os.environ.get("LMS_BENCH_PASSWORD", "")
_next = itertools.count()  # one locust process, gevent: a plain counter is safe


class _Form(HTMLParser):
    """What a person would fill in on a quiz task: the first option of every question, the
    steps of an ordering question in the order shown, a few words in a text field."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.answer = False
        self._chosen: set[str] = set()
        self._positions: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "textarea" and name == "answer":
            self.answer = True
        elif tag == "input" and name and name != "csrf_token":
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and name not in self._chosen:
                self._chosen.add(name)
                self.fields.append((name, attrs.get("value", "")))
            elif kind == "text":
                self.fields.append((name, "先确认客户的需求"))
        elif tag == "select" and name:
            question = name.rsplit("_", 1)[0]
            self._positions[question] = self._positions.get(question, 0) + 1
            self.fields.append((name, str(self._positions[question])))


class MorningAgent(FastHttpUser):
    wait_time = constant(0)

    def _step(self, method: str, path: str, name: str, expect: int, data=None) -> str | None:
        """One request; None (and a failure in the statistics) unless the status is the expected one."""
        headers, body = {}, None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(method, path, name=name, data=body, headers=headers, allow_redirects=False,
                                 catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
                return None
            text = response.text or ""
            response.success()
            return text

    def _fail(self, name: str, message: str) -> None:
        self.environment.events.request.fire(request_type="CHECK", name=name, response_time=0,
                                             response_length=0, exception=RuntimeError(message), context={})

    @task
    def morning_routine(self):
        index = next(_next)
        employee_no = AGENTS[index % len(AGENTS)]
        reused = index >= len(AGENTS)  # the pool ran out: look only, never answer a task twice
        self.client.cookiejar.clear()  # a new agent at the same desk
        started = time.perf_counter()
        page = self._step("GET", "/login", "1 login page", 200)
        token = CSRF.search(page or "")
        if not token:
            return self._fail("1 login page", "no CSRF token") if page is not None else None
        if self._step("POST", "/login", "2 sign in", 302,
                      {"csrf_token": token.group(1), "employee_no": employee_no, "password": PASSWORD}) is None:
            return None
        home = self._step("GET", "/", "3 home", 200)
        if home is None:
            return None
        link, token = TODAY_TASK.search(home), CSRF.search(home)
        if not link or not token:
            return self._fail("3 home", "no link to today's micro-task, or no CSRF token")
        path = link.group(1)
        page = self._step("GET", path, "4 task" if not reused else "4 task (pool reused)", 200)
        if page is None:
            return None
        if not reused:
            form = _Form()
            form.feed(page)
            fields = [("csrf_token", token.group(1))] + form.fields
            if form.answer:
                fields.append(("answer", REPLY if "lms-customer" in page else REFLECTION))
            if self._step("POST", path, "5 answer", 302, fields) is None:
                return None
            if self._step("GET", path, "6 result", 200) is None:
                return None
        if self._step("POST", "/logout", "7 sign out", 302, {"csrf_token": token.group(1)}) is None:
            return None
        self.environment.events.request.fire(request_type="ROUTINE", name="whole routine",
                                             response_time=(time.perf_counter() - started) * 1000,
                                             response_length=0, exception=None, context={})


class HelloUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def hello(self):
        self.client.get("/", name="hello")


# --- what bench/load.py reads back: every response time, exact (locust's own CSV rounds them) ----

_times: dict[str, list[tuple[float, float]]] = defaultdict(list)  # name -> (ended at, ms)
_kinds: dict[str, str] = {}
_failures: Counter = Counter()
_window: list[float] = []


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, **_):
    now = time.time()
    if not _window:
        _window.extend([now - response_time / 1000, now])
    _window[1] = now
    _kinds[name] = request_type
    if exception is None:
        _times[name].append((round(now, 3), round(response_time, 2)))
    else:
        _failures[(name, str(exception)[:300])] += 1


@events.quitting.add_listener
def _dump(environment, **_):
    out = os.environ.get("LMS_BENCH_OUT")
    if not out:
        return
    exceptions = [{"count": e["count"], "msg": e["msg"], "traceback": e["traceback"]}
                  for e in environment.runner.exceptions.values()] if environment.runner else []
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"window": _window, "kinds": _kinds, "times": _times,
                   "failures": [{"name": n, "error": m, "count": c} for (n, m), c in _failures.items()],
                   "exceptions": exceptions}, handle)
