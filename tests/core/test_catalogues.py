"""The catalogues are whole: every marked string of the templates, Python and JavaScript is
in the Romanian, Spanish and Hindi catalogues, translated, not fuzzy, with its placeholders
and each language's plural forms; and they are compiled when they change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from clientela.core import catalogues

LANGUAGES = ("ro", "es", "hi")
DOMAINS = ("django", "djangojs")
# ro: one, few (2-19, and 0), other (20 and more: "21 de zile"); es and hi: one, other.
PLURAL_FORMS = {"ro": 3, "es": 2, "hi": 2}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]|%[sdr]|%%|\{[a-z_]*\}")


def catalogue(language: str, domain: str):
    path = catalogues.LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=domain)


def entries(language: str, domain: str):
    return [message for message in catalogue(language, domain) if message.id]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_offered_language_but_english_has_both_catalogues():
    assert catalogues.languages() == list(LANGUAGES)
    assert settings.LOCALE_PATHS == [catalogues.LOCALE_DIR]
    for language in LANGUAGES:
        for domain in DOMAINS:
            assert entries(language, domain), f"{language} {domain} is empty"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_with_its_placeholders(language, domain):
    problems = []
    the_catalogue = catalogue(language, domain)
    assert the_catalogue.num_plurals == PLURAL_FORMS[language]
    for message in entries(language, domain):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if message.pluralizable:
            forms = list(message.string)
            if len(forms) != PLURAL_FORMS[language] or not all(forms):
                problems.append(f"plural forms missing: {message.id!r} → {forms!r}")
                continue
            wanted = {tuple(placeholders(message.id[0])), tuple(placeholders(message.id[1]))}
            problems += [
                f"placeholders of {message.id!r} lost in {form!r}"
                for form in forms
                if tuple(placeholders(form)) not in wanted
            ]
        elif not message.string:
            problems.append(f"untranslated: {message.id!r}")
        elif placeholders(message.string) != placeholders(message.id):
            problems.append(f"placeholders of {message.id!r} lost in {message.string!r}")
    assert not problems, f"{language} {domain}:\n" + "\n".join(problems)


def test_romanian_uses_comma_below_letters():
    """ș and ț, not the cedilla look-alikes ş and ţ of old encodings."""
    wrong = [
        message.string
        for message in entries("ro", "django")
        if any(letter in "".join(message.string) for letter in "şţŞŢ")
    ]
    assert not wrong


def _undated(text: str) -> str:
    return re.sub(r'^"POT-Creation-Date: [^"]*"$', "", text, flags=re.MULTILINE)


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_catalogues_hold_every_marked_string(tmp_path, settings):
    """Gathering the marked strings again, as `clientela translations make` does, changes
    nothing: a string marked in a template, in Python or in JavaScript without its
    translation, or a translation of a string no longer used, fails here."""
    copy = tmp_path / "clientela"
    shutil.copytree(
        catalogues.PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.fingerprint"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    catalogues.make_catalogues(locale_dir=copy / "locale")
    changed = [
        str(path.relative_to(copy))
        for path in sorted((copy / "locale").glob("*/LC_MESSAGES/*.po"))
        if _undated(path.read_text(encoding="utf-8"))
        != _undated((catalogues.PACKAGE_DIR / path.relative_to(copy)).read_text(encoding="utf-8"))
    ]
    assert not changed, (
        f"Catalogues out of date: {changed}. Run `clientela translations make`, "
        "translate the new entries, and commit the .po files."
    )


def test_compiling_happens_only_when_a_catalogue_changed(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    source = catalogues.LOCALE_DIR / "ro" / "LC_MESSAGES" / "django.po"
    target = locale / "ro" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    monkeypatch.setattr(catalogues, "LOCALE_DIR", locale)
    monkeypatch.setattr(catalogues, "FINGERPRINT_FILE", locale / "catalogues.fingerprint")

    assert not catalogues.is_current()
    assert catalogues.ensure_compiled() is True
    assert target.with_suffix(".mo").is_file()
    assert catalogues.is_current()
    assert catalogues.ensure_compiled() is False  # nothing changed: nothing to do

    target.write_text(
        target.read_text(encoding="utf-8").replace('"Contacte"', '"Persoane de contact"'),
        encoding="utf-8",
    )
    assert not catalogues.is_current()
    assert catalogues.ensure_compiled() is True

    target.with_suffix(".mo").unlink()  # a compiled file lost: compiled again
    assert not catalogues.is_current()


def test_compiled_catalogues_translate(settings):
    from django.utils import translation

    assert (catalogues.LOCALE_DIR / "hi" / "LC_MESSAGES" / "django.mo").is_file()
    with translation.override("hi"):
        assert translation.gettext("Contacts") == "संपर्क"
    with translation.override("ro"):
        assert translation.ngettext("%(n)s day", "%(n)s days", 21) % {"n": 21} == "21 de zile"
        assert translation.ngettext("%(n)s day", "%(n)s days", 3) % {"n": 3} == "3 zile"
    with translation.override("es"):
        assert translation.ngettext("%(n)s day", "%(n)s days", 21) % {"n": 21} == "21 días"


def test_mo_files_are_not_kept_in_the_repository():
    ignored = (Path(catalogues.PACKAGE_DIR).parents[1] / ".gitignore").read_text()
    assert "*.mo" in ignored.splitlines()
