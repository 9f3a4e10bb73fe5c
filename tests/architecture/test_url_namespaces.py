"""Every URL of the product lives in its app's namespace, and every name the code and the
templates reverse is one of them: an app cannot shadow another's `detail` or `list`, and a
bare name left behind in a template, a redirect or the sidebar shows up here rather than as
a NoReverseMatch on a page no test opened."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from clientela.core import navigation

SRC = Path(__file__).resolve().parents[2] / "src" / "clientela"

# A literal name given to Django's reversing helpers, in Python or in a template.
REVERSED = re.compile(
    r"""(?:\{%\s*url\s+|\b(?:reverse|reverse_lazy|redirect|record_url|resolve_url)\(\s*)"""
    r"""(['"])([\w:\-]+)\1"""
)


def walk(patterns, namespace: str = ""):
    """(namespace, name, route) for every named pattern, and every namespace met."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace:
                yield ("namespace", inner.rstrip(":"), str(pattern.pattern))
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ("pattern", f"{namespace}{pattern.name}", str(pattern.pattern))


def named() -> set[str]:
    return {name for kind, name, _ in walk(get_resolver().url_patterns) if kind == "pattern"}


def test_every_named_url_pattern_has_a_namespace():
    bare = sorted(
        f"{name} ({route})"
        for kind, name, route in walk(get_resolver().url_patterns)
        if kind == "pattern" and ":" not in name
    )
    assert bare == [], f"URL patterns outside any namespace (give the app an app_name): {bare}"


def test_no_two_includes_share_a_namespace():
    # Django keeps one of two includes with the same namespace for reversing: the other
    # app's names would silently resolve to nothing.
    counts = Counter(
        name for kind, name, _ in walk(get_resolver().url_patterns) if kind == "namespace"
    )
    assert [name for name, count in counts.items() if count > 1] == []


def test_every_name_the_code_and_templates_reverse_exists():
    known = named()
    missing = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
            continue
        for match in REVERSED.finditer(path.read_text(encoding="utf-8")):
            name = match.group(2)
            if ":" in name and name not in known:
                missing.append(f"{path.relative_to(SRC)}: {name}")
            elif ":" not in name and name in {n.rsplit(":", 1)[-1] for n in known}:
                missing.append(f"{path.relative_to(SRC)}: bare {name}")
    assert missing == []


def test_the_sidebar_settings_and_login_settings_name_namespaced_urls():
    known = named() | {"admin:index"}
    names = [area.url_name for area in navigation.AREAS]
    names += [section.url_name for section in navigation.SECTIONS]
    names += [settings.LOGIN_URL, settings.LOGIN_REDIRECT_URL, settings.LOGOUT_REDIRECT_URL]
    assert [name for name in names if name not in known] == []
