"""Named points where a test can have this process killed outright (SIGKILL: no cleanup, no
exception handler), to prove a crash there leaves the database as it was.

Set LMS_FAILPOINTS=name[,name...] in the environment of a process started for the test; unset
(as always in production) every call is a cheap no-op.
"""
from __future__ import annotations

import os
import signal


def reached(name: str) -> None:
    armed = os.environ.get("LMS_FAILPOINTS")
    if armed and name in armed.split(","):
        os.kill(os.getpid(), signal.SIGKILL)
