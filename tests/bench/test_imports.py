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
