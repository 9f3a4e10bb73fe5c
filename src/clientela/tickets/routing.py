"""Which department a new ticket goes to: the first routing rule, in order, whose every
filled-in condition the ticket meets. Pure, so the rules are tested on plain facts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clientela.core.text import fold
from clientela.tickets.models import RoutingRule


@dataclass(frozen=True)
class Facts:
    """What the rules look at in a new ticket, folded (lower case, no accents)."""

    text: str  # subject and description
    tags: frozenset[str]  # the contact's and the company's tags
    tier: str
    channel: str
    language: str
    # The stage key of the ticket's order, or of its customer's latest order ("" if none).
    order_stage: str = ""

    @classmethod
    def of(
        cls,
        *,
        subject: str,
        description: str,
        tags: Iterable[str],
        tier: str,
        channel: str,
        language: str,
        order_stage: str = "",
    ) -> Facts:
        return cls(
            text=fold(f"{subject}\n{description}"),
            tags=frozenset(fold(tag) for tag in tags),
            tier=fold(tier),
            channel=channel,
            language=language.strip().lower()[:2],
            order_stage=order_stage,
        )


def keywords(rule: RoutingRule) -> list[str]:
    return [fold(word) for word in rule.keywords.split(",") if word.strip()]


def matches(rule: RoutingRule, facts: Facts) -> bool:
    if not rule.active:
        return False
    words = keywords(rule)
    if words and not any(word in facts.text for word in words):
        return False
    tag = fold(rule.customer_tag)
    if tag and tag not in facts.tags and tag != facts.tier:
        return False
    if rule.channel and rule.channel != facts.channel:
        return False
    if rule.order_stage and rule.order_stage != facts.order_stage:
        return False
    return not (rule.language and rule.language.strip().lower()[:2] != facts.language)


def needs_order_stage(rules: Iterable[RoutingRule]) -> bool:
    """Whether any active rule looks at the order status (read only then)."""
    return any(rule.active and rule.order_stage for rule in rules)


def first_match(rules: Iterable[RoutingRule], facts: Facts) -> RoutingRule | None:
    """The first rule (in the order given: the rules' own) the ticket meets, if any."""
    return next((rule for rule in rules if matches(rule, facts)), None)
