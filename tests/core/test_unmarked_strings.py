"""Nothing a person reads is left out of the catalogues: the text of every template, and
the attributes read aloud or shown (labels, placeholders, titles, alt text), sit inside
`{% translate %}` or `{% blocktranslate %}`; the messages Python shows (flash messages,
validation errors, the API's errors, form labels) are marked with gettext. A string left
unmarked shows in English on every page in Romanian, Spanish and Hindi."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "clientela"

# Names and keys that read the same in every language.
SAME_IN_EVERY_LANGUAGE = {
    "Clientela",
    "CSV",
    "Excel",
    "XLSX",
    "JSON",
    "vCard",
    "PDF",
    "Ctrl",
    "Ctrl K",
    "Esc",
}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
WORDS = re.compile("[A-Za-z][A-Za-z'\u2019 ,.!?-]*[A-Za-z]")


class _Reader(HTMLParser):
    """The text and read attributes of a template whose tags were taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and WORDS.search(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.found += [(self.getpos()[0], words) for words in WORDS.findall(data)]


def _keep_lines(match: re.Match) -> str:
    return "\n" * match.group(0).count("\n")


def unmarked_in_template(source: str) -> list[tuple[int, str]]:
    # Translated blocks and comments go; a block that names a CSS class ("body_class")
    # holds no words; other tags and variables leave nothing, so the HTML around them
    # still parses.
    source = re.sub(
        r"{%\s*(blocktranslate|blocktrans|comment)\b.*?{%\s*end\1\s*%}",
        _keep_lines,
        source,
        flags=re.S,
    )
    source = re.sub(r"{%\s*block\s+\w*class\w*\s*%}.*?{%\s*endblock", _keep_lines, source)
    source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", _keep_lines, source, flags=re.S)
    reader = _Reader()
    reader.feed(source)
    return [(line, text) for line, text in reader.found if text not in SAME_IN_EVERY_LANGUAGE]


def test_every_templates_words_are_in_the_catalogue():
    unmarked = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for path in sorted(SOURCE.rglob("templates/**/*.html"))
        for line, text in unmarked_in_template(path.read_text(encoding="utf-8"))
    ]
    assert not unmarked, "Text outside {% translate %}:\n" + "\n".join(unmarked)


def test_the_check_finds_what_it_looks_for():
    template = """{% load i18n %}{% block body_class %}app{% endblock %}
<h1>{% translate "Contacts" %}</h1>
<p class="muted"{% if x %} hidden{% endif %}>No contacts yet.</p>
<input placeholder="Search" aria-label="{% translate 'Search' %}">
{% blocktranslate %}Hello {{ name }}{% endblocktranslate %} <kbd>Ctrl K</kbd>
<script>const words = "not read";</script>"""
    assert unmarked_in_template(template) == [(3, "No contacts yet"), (4, 'placeholder="Search"')]


# Calls whose text a person reads: (name, index of the text among the arguments).
SHOWN_ARGUMENTS = {
    "ValidationError": 0,
    "PermissionDenied": 0,
    "HttpError": 1,
    "add_error": 1,
}
MESSAGE_LEVELS = {"success", "error", "info", "warning", "debug"}
SHOWN_KEYWORDS = {"label", "help_text", "empty_label", "message"}


def _literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_literal(part) for part in node.values)
    return False


def unmarked_in_python(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        receiver = func.value if isinstance(func, ast.Attribute) else None
        shown: list[ast.AST] = []
        if name in SHOWN_ARGUMENTS and len(node.args) > SHOWN_ARGUMENTS[name]:
            shown.append(node.args[SHOWN_ARGUMENTS[name]])
        if name in MESSAGE_LEVELS and getattr(receiver, "id", "") == "messages":
            shown += node.args[1:2]  # messages.success(request, text)
        # Form fields' labels; the API's record types name themselves for developers.
        if name not in {"Resource", "Site", "Action"}:
            shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        found += [(node.lineno, f"{name}(…)") for value in shown if _literal(value)]
    return found


def test_every_message_python_shows_is_marked():
    unmarked = [
        f"{path.relative_to(SOURCE)}:{line}: {call} with text not marked for translation"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line, call in unmarked_in_python(path.read_text(encoding="utf-8"))
    ]
    assert not unmarked, "\n".join(unmarked)


def test_the_python_check_finds_what_it_looks_for():
    source = """
messages.success(request, "Saved.")
messages.success(request, _("Saved."))
raise ValidationError("Too long.")
form.add_error("email", "Taken.")
form.add_error("email", _("Taken."))
name = forms.CharField(label="Name")
log.info("Import %s started", run)
"""
    assert unmarked_in_python(source) == [
        (2, "success(…)"),
        (4, "ValidationError(…)"),
        (5, "add_error(…)"),
        (7, "CharField(…)"),
    ]
