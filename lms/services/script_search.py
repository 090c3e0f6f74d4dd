"""Chinese-aware search of the golden-script library, the same on SQLite and PostgreSQL.

Neither database tokenises Chinese usefully (SQLite's FTS5 trigram tokenizer cannot match a
2-character word such as 退款; PostgreSQL has no Chinese parser), so the application keeps
its own index: every character bigram of a script's normalised text, one row each in
`lms_golden_script_gram`, written in the same transaction as the script.

Normalising is NFKC (full-width letters and digits to ASCII), lower case, and Traditional ->
Simplified (the script checker's map). Text splits into runs of letters, digits and CJK
characters at spaces and punctuation; bigrams never span two runs. A query's words are its
runs; a script matches when the index holds every bigram of every word (one SQL query with
GROUP BY / HAVING), and then each word is checked as a substring of the normalised text, so a
script holding 退 and 款 apart is no hit. One-character words have no bigram: they are matched
by substring over at most SCAN_LIMIT scripts. Ranking: words found in the title, then in the
situation, then in the golden wording; then more occurrences.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from peewee import fn

from ..db import database
from ..models import GoldenScript, GoldenScriptGram
from .script_pack import topic_label
from .script_rules import normalise as traditional_to_simplified

RUN = re.compile(r"[^\W_]+")  # letters, digits and CJK characters; `_` separates like a space
SCAN_LIMIT = 500  # scripts read when no word is long enough for the index
MAX_WORDS, MAX_WORD_CHARS = 8, 40
INDEXED = ("title", "situation", "after", "before", "why", "topic")
RANKED = ("title", "situation", "after")


def normalise(text: str) -> str:
    return traditional_to_simplified(unicodedata.normalize("NFKC", text or "").lower())


def words(text: str) -> list[str]:
    """The distinct runs of the normalised text, in order."""
    seen: list[str] = []
    for run in RUN.findall(normalise(text)):
        if run not in seen:
            seen.append(run)
    return seen


def bigrams(text: str) -> set[str]:
    return {run[i:i + 2] for run in RUN.findall(normalise(text)) for i in range(len(run) - 1)}


def _texts(script: GoldenScript) -> dict[str, str]:
    """The searchable fields, normalised; the topic by its label and its slug."""
    texts = {name: normalise(getattr(script, name) or "") for name in INDEXED if name != "topic"}
    texts["topic"] = normalise(f"{topic_label(script.topic)} {script.topic.replace('_', ' ')}")
    return texts


def reindex(script: GoldenScript) -> int:
    """Replace the script's bigram rows (inside the caller's transaction, or one of its own)."""
    grams = set().union(*(bigrams(text) for text in _texts(script).values()))
    with database.atomic():
        GoldenScriptGram.delete().where(GoldenScriptGram.script == script.id).execute()
        rows = [{"script": script.id, "gram": gram} for gram in sorted(grams)]
        for start in range(0, len(rows), 500):
            GoldenScriptGram.insert_many(rows[start:start + 500]).execute()
    return len(grams)


def reindex_all() -> int:
    """Rebuild the whole index (e.g. after rows were written around the services); returns the scripts."""
    count = 0
    with database.atomic():
        for script in GoldenScript.select():
            reindex(script)
            count += 1
    return count


@dataclass(frozen=True)
class Filters:
    scenario: str = ""
    topic: str = ""
    channel: str = ""
    element: str = ""
    statuses: tuple[str, ...] = ("published",)


@dataclass
class Hit:
    script: GoldenScript
    where: dict[str, list[str]]  # word -> the fields it was found in
    rank: tuple

    @property
    def elements(self) -> list[str]:
        return json.loads(self.script.elements or "[]")


def _filtered(filters: Filters):
    query = GoldenScript.select().where(GoldenScript.status.in_(list(filters.statuses) or [""]))
    for name in ("scenario", "topic", "channel"):
        value = getattr(filters, name)
        if value:
            query = query.where(getattr(GoldenScript, name) == value)
    if filters.element:
        query = query.where(GoldenScript.elements.contains(json.dumps(filters.element)))
    return query


def search(text: str, filters: Filters = Filters(), limit: int = 100) -> list[Hit]:
    """Scripts matching every word of `text` (none: every script) and the filters, best first."""
    terms = [w[:MAX_WORD_CHARS] for w in words(text)][:MAX_WORDS]
    query = _filtered(filters)
    grams = set().union(*(bigrams(term) for term in terms)) if terms else set()
    if grams:
        having = (GoldenScriptGram.select(GoldenScriptGram.script)
                  .where(GoldenScriptGram.gram.in_(sorted(grams)))
                  .group_by(GoldenScriptGram.script)
                  .having(fn.COUNT(GoldenScriptGram.id) == len(grams)))
        query = query.where(GoldenScript.id.in_(having))
    elif terms:
        query = query.order_by(GoldenScript.id).limit(SCAN_LIMIT)
    hits = []
    for script in query:
        if filters.element and filters.element not in json.loads(script.elements or "[]"):
            continue  # the JSON text matched a longer name
        texts = _texts(script)
        where = {term: [name for name, value in texts.items() if term in value] for term in terms}
        if not all(where.values()):
            continue  # every bigram is there, but not side by side
        rank = tuple(sum(name in found for found in where.values()) for name in RANKED)
        occurrences = sum(value.count(term) for term in terms for value in texts.values())
        hits.append(Hit(script, where, (*rank, occurrences)))
    hits.sort(key=lambda h: (tuple(-r for r in h.rank), h.script.scenario, h.script.title))
    return hits[:limit]
