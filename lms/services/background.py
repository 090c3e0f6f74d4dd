"""Work that outlives the web request that started it (a big upload's import), on a thread
with its own database connection. A process that dies takes its threads with it; the work
must therefore leave the database as it was (transactions) and a heartbeat that pages use
to say it was interrupted."""
from __future__ import annotations

import logging
import threading

from ..db import database

log = logging.getLogger(__name__)
_threads: dict[str, threading.Thread] = {}


def start(name: str, target, *args) -> threading.Thread:
    def run():
        try:
            with database.connection_context():
                target(*args)
        except Exception:  # nothing above this thread would log it
            log.exception("background task %s failed", name)
        finally:
            _threads.pop(name, None)

    thread = threading.Thread(target=run, name=name, daemon=True)
    _threads[name] = thread
    thread.start()
    return thread


def wait_all(timeout: float = 60) -> None:
    """Wait for the running tasks (tests; a clean shutdown)."""
    for thread in list(_threads.values()):
        thread.join(timeout)
