"""Work done on every start of a process that serves or runs jobs (`clientela run`,
`clientela worker`), whichever app asks for it: an app registers a step with `at_start`
in its AppConfig.ready, and the starting command calls `run_all`, which prints what each
step reports. The kernel thus never imports the apps that tidy up after themselves."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

# A step returns the lines worth telling whoever started the process (none: nothing done).
Step = Callable[[], list[str]]
_STEPS: list[Step] = []


def at_start(step: Step) -> Step:
    if step not in _STEPS:
        _STEPS.append(step)
    return step


def run_all() -> list[str]:
    """Run every registered step; one that fails is logged and the others still run."""
    lines: list[str] = []
    for step in _STEPS:
        try:
            lines.extend(step())
        except Exception:
            logger.exception("A start-up step (%s) failed.", getattr(step, "__qualname__", step))
    return lines
