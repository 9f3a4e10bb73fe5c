"""Checks schemathesis runs against the API, loaded with SCHEMATHESIS_HOOKS.

positive_data_acceptance (every request valid by the schema is accepted) is run as is,
except for refusals that depend on what is stored rather than on the request's form (a
referenced record or stage that does not exist, an Idempotency-Key already used for
another request, a SKU already taken, no price list valid today, a rate for the base
currency itself, a transfer to the department a ticket is in), on the world's numbering
plans (a phone number no country has), on what makes a web address (the host names and
addresses Django's URLValidator accepts, which no reasonable pattern states), or on two
fields compared (a task's reminder after its due time). No schema can state those; every other refusal of a valid request still
fails the run.

Each request is sent with one of the tokens in CLIENTELA_FUZZ_TOKENS (role → token), the
roles taken in turn for each operation; at the end, how many requests went as each role.
"""

from __future__ import annotations

import atexit
import json
import os
import zlib
from collections import Counter

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

STORED_DATA = (
    "There is no such ",
    "There is no stage ",
    "Unknown stage.",
    "This key was used for a different request.",
    "already exists.",
    "No price list is valid today",
    " is not a phone number.",
    " has too few or too many digits for a phone number.",
    "Give the website as a web address, like https://example.com.",
    "The contact does not work at this company.",
    # Merging tickets: whether the two ids name one ticket, or one merged away already.
    "cannot be merged with itself.",
    " was merged into another already.",
    " is the base currency: it needs no rate.",
    # Two fields compared: JSON Schema has no "this date before that one".
    "The reminder should come before the due time.",
)


def _refused_for_stored_data(response) -> bool:
    if response.status_code != 422:
        return False
    try:
        errors = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(errors) and all(
        isinstance(error, dict) and any(part in str(error.get("msg", "")) for part in STORED_DATA)
        for error in errors
    )


@schemathesis.check
def positive_data_accepted(ctx, response, case):
    """positive_data_acceptance, less the refusals that depend on stored data."""
    if _refused_for_stored_data(response):
        return None
    return positive_data_acceptance(ctx, response, case)


TOKENS: dict[str, str] = json.loads(os.environ.get("CLIENTELA_FUZZ_TOKENS", "{}"))
ROLES = sorted(TOKENS)
_sent_for: Counter[str] = Counter()
_sent_as: Counter[str] = Counter()


@schemathesis.auth()
class AsEachRole:
    """The next role's token for this operation, as explicit auth (so `ignored_auth` still
    probes each operation without it and with a wrong one). Operations start at different
    roles, so those with a single request (no input to vary) are spread over every role."""

    def get(self, case, ctx):
        return TOKENS or None

    def set(self, case, data, ctx):
        label = case.operation.label
        turn = zlib.crc32(label.encode()) + _sent_for[label]
        _sent_for[label] += 1
        role = ROLES[turn % len(ROLES)]
        _sent_as[role] += 1
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data[role]}"}


@atexit.register
def _tell_roles() -> None:
    for role in ROLES:
        print(f"Requests sent as {role}: {_sent_as[role]}")
