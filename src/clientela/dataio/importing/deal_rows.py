"""One file row of deals turned into what the deals services take: the same reading as a
contact's row (normalised text, bounded lengths, owners with no account as warnings), with
a deal's own fields: amount, currency, stage, expected close, company and contacts."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.core.text import fold
from clientela.dataio.importing.rows import (
    SPLIT,
    Converted,
    RowRejected,
    _most,
    _owner,
    read_custom,
    row_values,
    too_long,
)
from clientela.deals import services as deal_services
from clientela.deals.models import Deal, Stage

if TYPE_CHECKING:
    from clientela.dataio.importing.rows import Lookups

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")
CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def stages() -> dict[str, Stage]:
    """Every pipeline's stages by folded name, the default pipeline's first."""
    default = deal_services.ensure_pipeline()
    found: dict[str, Stage] = {}
    for stage in Stage.objects.select_related("pipeline").order_by("pipeline_id", "position"):
        key = fold(stage.name)
        if key not in found or stage.pipeline_id == default.pk:
            found[key] = stage
    return found


def _date(text: str) -> datetime.date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


def convert_deal(run, headers: list[str], cells: list[str], lookups: Lookups) -> Converted:
    """A deal's row as `create_deal`'s input; the company named and the contacts' e-mails
    are kept aside (`company_name`, `emails`) for the batch to look up together."""
    values = row_values(run, headers, cells)
    problems: list[tuple[str, str]] = []
    out = Converted()
    data = out.data

    def first(key: str) -> tuple[str, str]:
        return values.get(key, [("", "")])[0]

    column, name = first("deal_name")
    most = _most(Deal, "name")
    if not name:
        mapped = run.mapping.index("deal_name") if "deal_name" in run.mapping else None
        problems.append(
            (headers[mapped] if mapped is not None else _("Deal name"), _("A deal needs a name."))
        )
    elif len(name) > most:
        problems.append((column, too_long(name, most)))
    data["name"] = name
    if "amount" in values:
        column, text = first("amount")
        try:
            data["amount"] = deal_services.parse_amount(text)
        except ValidationError as error:
            problems.append((column, " ".join(error.messages)))
    if "currency" in values:
        column, text = first("currency")
        if CURRENCY.match(text):
            data["currency"] = text.upper()
        else:
            problems.append((column, _("Use a three-letter currency, like RON or EUR.")))
    if "deal_stage" in values:
        column, text = first("deal_stage")
        stage = lookups.deal_stages.get(fold(text))
        if stage is None:
            out.warnings.append(
                (
                    column,
                    _("No pipeline has the stage “%(value)s”: the deal starts in the first stage.")
                    % {"value": text},
                )
            )
        else:
            data["stage"] = stage
    if "expected_close" in values:
        column, text = first("expected_close")
        when = _date(text)
        if when is None:
            problems.append((column, _("Write the date as YYYY-MM-DD or DD.MM.YYYY.")))
        else:
            data["expected_close"] = when
    column, out.company_name = first("company")
    if len(out.company_name) > _most(Deal, "name"):
        problems.append((column, too_long(out.company_name, _most(Deal, "name"))))
    out.contact_emails = [
        (column, address.lower())
        for column, text in values.get("contact_email", [])
        for address in SPLIT.split(text)
        if address
    ]
    if "owner" in values:
        _owner(*first("owner"), lookups, out)
    out.notes = [text for _column, text in values.get("note", [])]
    column, out.external_id = first("external_id")
    if len(out.external_id) > 255:
        problems.append((column, too_long(out.external_id, 255)))
    read_custom(run, values, lookups, data, problems)
    if problems:
        raise RowRejected(problems)
    return out
