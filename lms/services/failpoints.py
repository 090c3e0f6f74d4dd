"""Named points where a test can have this process killed outright (SIGKILL: no cleanup, no
exception handler), to prove a crash there leaves the database as it was.

Set LMS_FAILPOINTS=name[,name...] in the environment of a process started for the test; unset
(as always in production) every call is a cheap no-op. `name=hang` instead stops the process
there, saying so in the log, until the test kills it from outside: a crash in the middle of work
while other processes carry on.
"""
from __future__ import annotations

import logging
import os
import signal
import time

log = logging.getLogger(__name__)


def reached(name: str) -> None:
    armed = os.environ.get("LMS_FAILPOINTS")
    if not armed:
        return
    for point in armed.split(","):
        if point == name:
            os.kill(os.getpid(), signal.SIGKILL)
        if point == f"{name}=hang":
            log.warning("failpoint %s reached by %s: waiting to be killed", name, os.getpid())
            while True:
                time.sleep(3600)
