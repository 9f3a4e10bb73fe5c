"""Tidying after a process killed mid-way (kill -9, a power cut): working copies of a
backup left in the data folder are removed and imports left "running" are marked stopped.
Done on every start of `clientela run` and `clientela worker` and every five minutes."""

from __future__ import annotations

from clientela.dataio.backups import workfiles
from clientela.dataio.importing import services


def tidy() -> list[str]:
    lines = []
    removed = workfiles.clean_leftovers()
    if removed:
        lines.append(f"Removed {len(removed)} working copies of a backup that was stopped.")
    stopped = services.stop_abandoned()
    if stopped:
        lines.append(
            f"{stopped} import(s) stopped before finishing: resume or undo them on the Import page."
        )
    return lines
