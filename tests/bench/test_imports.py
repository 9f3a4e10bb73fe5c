"""The import benchmark brings in every record type it times: the contacts of its file,
then orders, calls and notes, and tasks on them, none refused, so a change that breaks
one type's import breaks `make bench` visibly here first."""

from __future__ import annotations

import pytest

from bench import imports


@pytest.mark.django_db(transaction=True)  # the raw floor's temporary table
def test_the_import_benchmark_times_every_type(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    result = imports.run(60, lambda line: None)
    assert (result["created"], result["rejected"]) == (59, 1)  # one broken e-mail
    other = result["other_types"]
    assert set(other) == {"order", "activity", "task"}
    for record_type, figures in other.items():
        assert (figures["created"], figures["rejected"]) == (59, 0), record_type
        assert figures["rows_per_second"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_second_run_into_the_same_database_imports_new_people(settings, tmp_path):
    """`make bench` on a database kept from a run before (or a generated one): the file is
    of people it does not have, so the rate is of importing, not of skipping."""
    from clientela.customers.models import Contact

    settings.IMPORT_DIR = tmp_path / "imports"
    imports.run(40, lambda line: None, types=[])
    again = imports.run(40, lambda line: None, types=["task"])
    # People 39 to 78 this time, none with the broken e-mail of every 200th.
    assert (again["contacts_before"], again["created"], again["skipped"]) == (39, 40, 0)
    assert again["other_types"]["task"]["created"] == 40
    assert Contact.objects.count() == 79
