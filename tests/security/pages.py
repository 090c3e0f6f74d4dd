"""Reading pages the way a browser would, for the security tests: the forms on a page (to post
what a user would post) and anything in the markup that could run script."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

C0_AND_SPACE = "".join(map(chr, range(0x21)))
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, kind of control
    files: list[str] = field(default_factory=list)

    def text_fields(self, filled_only: bool = False) -> list[str]:
        """Where a person types free text (text inputs and text areas); those holding a value."""
        return [name for name, value, kind in self.fields
                if kind in ("text", "textarea", "search") and (value or not filled_only)]

    def data(self, **overrides) -> dict:
        """The values a user submitting it untouched would send, with `overrides` on top."""
        values: dict = {}
        for name, value, _kind in self.fields:
            values.setdefault(name, []).append(value)
        values = {k: v if len(v) > 1 else v[0] for k, v in values.items()}
        values.update(overrides)
        return values


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.problems: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._script_depth = 0

    # --- script that could run -------------------------------------------------------
    def _check(self, tag, attrs):
        for name, value in attrs:
            name = (name or "").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            if name in URL_ATTRIBUTES and value is not None:
                # As a browser reads a URL: outer spaces and controls dropped, tabs and newlines anywhere.
                squeezed = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"<{tag} {name}={value!r}> script URL")
        if tag == "script":
            self._script_depth += 1
            if not dict(attrs).get("src"):
                self.problems.append("<script> without src (inline script)")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("select", "textarea", "form"):
            self.handle_endtag(tag)

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").upper(), a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            if kind == "file":
                self._form.files.append(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on"), kind))
            elif kind not in ("submit", "button", "image", "reset"):
                self._form.fields.append((a["name"], a.get("value", ""), kind))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form.fields.append((self._select, value, "select"))
                self._select_chosen = True
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._script_depth and data.strip():
            self.problems.append(f"inline script body {data.strip()[:40]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_depth = max(self._script_depth - 1, 0)
        if self._form is None:
            return
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._form.fields.append((self._select, self._select_first, "select"))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.fields.append((self._textarea, "".join(self._text), "textarea"))
            self._textarea = None
        elif tag == "form":
            self._form = None


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def forms_on(html: str) -> list[Form]:
    return read(html).forms


def form_for(html: str, path: str) -> Form | None:
    """The form on the page that posts to `path` (an empty action posts to the page itself)."""
    for form in forms_on(html):
        if form.method == "POST" and form.action.split("?")[0] in ("", path):
            return form
    return None


def script_problems(html: str) -> list[str]:
    """Anything in the markup that a browser could run: inline scripts, handlers, script URLs."""
    return read(html).problems
