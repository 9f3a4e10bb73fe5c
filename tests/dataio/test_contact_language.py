"""A contact's language (what is sent to them is written in it) leaves in the contacts
export and comes back through the importer, named by its code or by its name in English,
in itself, or in another language the product speaks."""

from __future__ import annotations

import pytest

from clientela.customers import services
from clientela.customers.models import Contact
from clientela.dataio.importing import mapping
from clientela.dataio.importing.rows import language_code
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes, import_file
from tests.dataio.test_export import rows_of


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ro", "ro"),
        ("RO-ro", "ro"),
        ("Romanian", "ro"),
        ("română", "ro"),
        ("Rumano", "ro"),
        ("es", "es"),
        ("es_ES", "es"),
        ("Spanish", "es"),
        ("español", "es"),
        ("spaniolă", "es"),
        ("hi", "hi"),
        ("Hindi", "hi"),
        ("हिन्दी", "hi"),
        ("en", "en"),
        ("English", "en"),
        ("engleză", "en"),
        ("Klingon", None),
        ("fr", None),
    ],
)
def test_a_language_is_read_by_its_code_or_its_name(text, code):
    assert language_code(text) == code


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


def test_the_language_column_maps_itself_and_an_unknown_one_only_warns(admin):
    people = csv_bytes(
        [
            ["Name", "Email", "Preferred language"],
            ["Ana Pop", "ana@x.ro", "română"],
            ["Juan Pérez", "juan@x.es", "Spanish"],
            ["Priya Shah", "priya@x.in", "हिन्दी"],
            ["Kor Klingon", "kor@x.org", "Klingon"],
        ]
    )
    assert mapping.guess(["Name", "Email", "Preferred language"], "contact")[2] == "language"
    run = import_file(admin, people)
    assert (run.created, run.rejected, run.warned) == (4, 0, 1)
    languages = dict(Contact.objects.values_list("full_name", "language"))
    assert languages == {"Ana Pop": "ro", "Juan Pérez": "es", "Priya Shah": "hi", "Kor Klingon": ""}
    assert "Klingon" in run.notes.get(row=5).message


def test_the_language_goes_out_in_the_export_and_comes_back(client, admin):
    for name, email, language in [
        ("Ana Pop", "ana@x.ro", "ro"),
        ("Juan Pérez", "juan@x.es", "es"),
        ("Priya Shah", "priya@x.in", "hi"),
        ("John Smith", "john@x.com", "en"),
    ]:
        services.create_contact(
            actor=admin, data={"full_name": name, "emails": [email], "language": language}
        )
    client.force_login(admin)
    rows = rows_of(client.get("/exports/contact/?format=csv"))
    column = rows[0].index("Language")
    assert sorted(row[column] for row in rows[1:]) == ["en", "es", "hi", "ro"]
    exported = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows).encode()
    Contact.objects.all().delete()
    run = import_file(admin, exported)
    assert (run.created, run.rejected) == (4, 0)
    assert dict(Contact.objects.values_list("full_name", "language")) == {
        "Ana Pop": "ro",
        "Juan Pérez": "es",
        "Priya Shah": "hi",
        "John Smith": "en",
    }
