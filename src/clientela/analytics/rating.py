"""A rating per person on the people page: points for what they did in the period, each
kind of work worth a weight, the formula written out beside the figures. The weights are
the installation's (core.InstallationSetting), changed by a role with team reports
(analytics.services.set_rating_weights, audited); until then, DEFAULT_WEIGHTS."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions
from clientela.core.models import InstallationSetting

WEIGHTS_KEY = "people_rating_weights"
MAX_WEIGHT = 100
TIMES = "\u00d7"


@dataclass(frozen=True)
class Part:
    key: str
    label: str | Promise


PARTS = (
    Part("calls", _("calls made")),
    Part("meetings", _("meetings held")),
    Part("tasks_on_time", _("tasks done on time")),
    Part("deals_won", _("deals won")),
    Part("tickets_in_time", _("tickets resolved within deadline")),
)
DEFAULT_WEIGHTS = {
    "calls": 1,
    "meetings": 2,
    "tasks_on_time": 1,
    "deals_won": 5,
    "tickets_in_time": 2,
}


def weights() -> dict[str, int]:
    """The installation's weights, each part's; a part missing or unreadable in what was
    stored keeps its default."""
    stored = (
        InstallationSetting.objects.filter(key=WEIGHTS_KEY).values_list("value", flat=True).first()
    )
    found = dict(DEFAULT_WEIGHTS)
    try:
        saved = json.loads(stored) if stored else {}
    except ValueError:
        saved = {}
    if isinstance(saved, dict):
        for part in PARTS:
            value = saved.get(part.key)
            if isinstance(value, int) and not isinstance(value, bool):
                found[part.key] = min(max(value, 0), MAX_WEIGHT)
    return found


def formula(chosen: dict[str, int]) -> str:
    """The rating written out: "1 times calls made + 2 times meetings held…", with the
    multiplication sign."""
    return " + ".join(f"{chosen[part.key]} {TIMES} {part.label}" for part in PARTS)


def points(done: dict[str, int], chosen: dict[str, int]) -> int:
    return sum(chosen[part.key] * done.get(part.key, 0) for part in PARTS)


def may_change(user) -> bool:
    """Who sets the weights: a role with team reports (a manager, an administrator)."""
    return permissions.can(user, "view_reports")
