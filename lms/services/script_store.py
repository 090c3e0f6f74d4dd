"""Golden scripts from the pack into the database, upserted by slug, their search index with them.

As for the other pack content, a script edited on the web since it was loaded (its content no
longer matches file_hash) is a conflict when the file changes it too: the database's version
is kept unless `force`. A script that leaves the files stays (retire it on the web).
"""
from __future__ import annotations

import json

from ..models import GoldenScript, User
from .assessment_store import _upsert_row
from .content_store import LoadReport
from .script_pack import ScriptPack
from .script_search import reindex


def pack_fields(script: dict) -> dict:
    """A file's script in the shape of its row (what the loader hashes)."""
    return {"title": script["title"], "scenario": script["scenario"], "topic": script["topic"],
            "channel": script["channel"], "situation": script["situation"], "before": script["before"],
            "after": script["after"], "elements": json.dumps(script["elements"], ensure_ascii=False),
            "why": script["why"], "approved_by": script["approved_by"], "status": "published", "source": "pack"}


def load_scripts(pack: ScriptPack, report: LoadReport, actor: User | None = None, force: bool = False) -> None:
    """Upsert every script of a checked pack (the caller holds the transaction)."""
    assert pack.ok, "load only a pack without problems"
    for script in pack.scripts:
        written = len(report.created) + len(report.updated)
        row = _upsert_row(GoldenScript, "slug", script["slug"], pack_fields(script), "golden_script", report,
                          actor, force)
        if len(report.created) + len(report.updated) > written:
            reindex(row)
