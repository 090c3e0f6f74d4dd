"""Every UI string has a zh_CN translation, placeholders intact, and the compiled catalog is current."""
import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "lms/translations/zh/LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
PLACEHOLDER = re.compile(r"%\(\w+\)\w")


def _source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog():
    with open(CATALOG / "lms.po", "rb") as po:
        return read_po(po)


def test_every_ui_string_is_translated():
    catalog = _catalog()
    translated = {}
    for message in catalog:
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            translated[key] = all(strings)
    missing = sorted(m for m in _source_messages() if not translated.get(m))
    assert not missing, "untranslated (run ./scripts/i18n.sh, then translate): %s" % missing[:20]


def test_translations_keep_their_placeholders():
    for message in _catalog():
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        if not target:
            continue  # untranslated: the test above reports it
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(target)), source


def test_compiled_catalog_is_current():
    buffer = io.BytesIO()
    write_mo(buffer, _catalog())
    assert (CATALOG / "lms.mo").read_bytes() == buffer.getvalue(), "run ./scripts/i18n.sh to compile"
