"""Every write to the desk's settings: departments (members, lead, assignment, hours,
holidays) and routing rules. Only roles that manage settings make them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import audit, permissions
from clientela.orders.models import OrderStage
from clientela.tickets.models import (
    DEFAULT_HOURS,
    Assignment,
    Channel,
    Department,
    RoutingRule,
    SlaPolicy,
    StatusTransition,
)

if TYPE_CHECKING:
    from clientela.users.models import User

SUPPORT_TEAM = "Support"


# What a new desk starts with (its migration writes the same): the natural status moves,
# and per priority the first-response and resolution targets in business minutes.
DEFAULT_TRANSITIONS = {
    "new": ["open", "waiting", "resolved", "closed"],
    "open": ["waiting", "resolved", "closed"],
    "waiting": ["open", "resolved", "closed"],
    "resolved": ["open", "closed"],
    "closed": ["open"],
}
DEFAULT_TARGETS = {
    "urgent": (60, 4 * 60),
    "high": (4 * 60, 2 * 9 * 60),
    "normal": (8 * 60, 5 * 9 * 60),
    "low": (2 * 9 * 60, 10 * 9 * 60),
}


def ensure_defaults() -> None:
    """The default status moves and SLA targets when there are none at all (a migration
    writes them; a flushed test database needs them again). A table the business has
    filled is left as it is."""
    if not StatusTransition.objects.exists():
        StatusTransition.objects.bulk_create(
            StatusTransition(from_status=source, to_status=target)
            for source, targets in DEFAULT_TRANSITIONS.items()
            for target in targets
        )
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.bulk_create(
            SlaPolicy(priority=priority, first_response_minutes=first, resolution_minutes=last)
            for priority, (first, last) in DEFAULT_TARGETS.items()
        )


def default_department() -> Department:
    """A "Support" department of the Support team's active people, open 9 to 18 on
    weekdays: where tickets go before anyone has set the desk up."""
    from clientela.users.models import User

    department = Department.objects.create(name=_("Support"), hours=DEFAULT_HOURS)
    department.members.set(User.objects.filter(team__name=SUPPORT_TEAM, is_active=True))
    return department


def parse_hours(rows: dict[int, tuple[str, str]]) -> dict[str, list[str]]:
    """Weekday → (opens, closes) as typed ("09:00", "18:00"); a day with neither is closed."""
    hours: dict[str, list[str]] = {}
    for day, (opens, closes) in sorted(rows.items()):
        if not opens and not closes:
            continue
        try:
            start = datetime.time.fromisoformat(opens)
            end = datetime.time.fromisoformat(closes)
        except ValueError:
            raise ValidationError({"hours": _("Write hours as 09:00 and 18:00.")}) from None
        if start >= end:
            raise ValidationError({"hours": _("A day must close after it opens.")})
        hours[str(day)] = [start.strftime("%H:%M"), end.strftime("%H:%M")]
    return hours


def parse_holidays(text: str) -> list[str]:
    """One date a line (or separated by commas), as 2026-12-25."""
    days = set()
    for part in text.replace(",", "\n").split():
        try:
            days.add(datetime.date.fromisoformat(part.strip()))
        except ValueError:
            raise ValidationError(
                {"holidays": _("%(value)s is not a date like 2026-12-25.") % {"value": part}}
            ) from None
    return [day.isoformat() for day in sorted(days)]


@transaction.atomic
def save_department(
    *,
    actor: User | None,
    department: Department | None,
    name: str,
    lead: User | None,
    members: Sequence[User],
    assignment: str,
    time_zone: str,
    hours: dict[str, list[str]],
    holidays: list[str],
) -> Department:
    permissions.require(actor, "manage_settings")
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError({"name": _("Give the department a name.")})
    others = (
        Department.objects.all()
        if department is None
        else Department.objects.exclude(pk=department.pk)
    )
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("There is a department with this name already.")})
    if assignment not in Assignment.values:
        raise ValidationError({"assignment": _("Choose how tickets are assigned.")})
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
    creating = department is None
    before = None if department is None else audit.snapshot(department)
    department = department or Department(position=Department.objects.count())
    department.name, department.lead, department.assignment = name, lead, assignment
    department.time_zone, department.hours, department.holidays = time_zone, hours, holidays
    department.save()
    department.members.set(members)
    audit.log(
        actor=actor,
        action="create" if creating else "update",
        record=department,
        before=before,
        after=audit.snapshot(department),
    )
    return department


@transaction.atomic
def save_rule(
    *,
    actor: User | None,
    rule: RoutingRule | None,
    name: str,
    department: Department,
    position: int,
    keywords: str = "",
    customer_tag: str = "",
    channel: str = "",
    language: str = "",
    order_stage: str = "",
    active: bool = True,
) -> RoutingRule:
    permissions.require(actor, "manage_settings")
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError({"name": _("Give the rule a name.")})
    if channel and channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    keywords = ", ".join(word.strip() for word in keywords.split(",") if word.strip())[:500]
    if order_stage and not OrderStage.objects.filter(key=order_stage).exists():
        raise ValidationError({"order_stage": _("Unknown order status.")})
    if not (keywords or customer_tag.strip() or channel or language.strip() or order_stage):
        raise ValidationError(
            _(
                "Give the rule at least one condition: keywords, a tag, a channel, a language "
                "or an order status."
            )
        )
    creating = rule is None
    before = None if rule is None else audit.snapshot(rule)
    rule = rule or RoutingRule()
    rule.name, rule.department, rule.position, rule.active = name, department, position, active
    rule.keywords, rule.customer_tag = keywords, customer_tag.strip()[:60]
    rule.channel, rule.language = channel, language.strip().lower()[:10]
    rule.order_stage = order_stage
    rule.save()
    audit.log(
        actor=actor,
        action="create" if creating else "update",
        record=rule,
        before=before,
        after=audit.snapshot(rule),
    )
    return rule


@transaction.atomic
def delete_rule(*, actor: User | None, rule: RoutingRule) -> None:
    permissions.require(actor, "manage_settings")
    audit.log(actor=actor, action="delete", record=rule, before=audit.snapshot(rule), after={})
    rule.delete()
