"""Call logs from a phone system: a CSV (or spreadsheet) export read with the import's own
reader (encoding, delimiter, bounds), its columns found by their usual names, each call
matched by number (E.164) to a contact, else a company, and logged on its timeline with
its direction, length, colleague and recording. Importing the same log again adds nothing
(the phone system's call id, or a key of time, numbers and length); a row that can't be
read is reported with its line."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.activities.models import CallDirection
from clientela.core import permissions, phones
from clientela.customers import selectors as customer_selectors
from clientela.customers.models import Company, Contact, PhoneNumber
from clientela.dataio.importing import reading
from clientela.dataio.importing.mapping import normalise_header
from clientela.dataio.importing.services import _store
from clientela.users.models import User

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.core.files.uploadedfile import UploadedFile
    from django.db.models import QuerySet

    from clientela.core.models import Record

# The generic PBX export's column names (Asterisk CDR, 3CX, FreePBX and most hosted
# systems call them one of these), normalised as the import normalises headers.
PRESET: dict[str, tuple[str, ...]] = {
    "call_id": ("call id", "callid", "uniqueid", "unique id", "id", "call uuid", "uuid"),
    "started": (
        "date time",
        "datetime",
        "start",
        "start time",
        "started",
        "calldate",
        "call date",
        "timestamp",
        "time start",
    ),
    "date": ("date", "day"),
    "time": ("time", "hour"),
    "direction": ("direction", "type", "call type", "dir"),
    "from": ("from", "caller", "src", "source", "caller id", "callerid", "from number"),
    "to": ("to", "callee", "dst", "destination", "called", "to number", "dialed"),
    "duration": ("duration", "billsec", "talk time", "length", "seconds", "duration s"),
    "recording": ("recording", "recording file", "recording url", "recordingfile", "record"),
    "agent": ("agent", "user", "extension", "ext", "employee", "operator"),
}
INBOUND = {"in", "inbound", "incoming", "received", "i"}
OUTBOUND = {"out", "outbound", "outgoing", "dialed", "o", "placed"}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


@dataclass
class Unmatched:
    line: int
    number: str
    when: datetime.datetime


@dataclass
class CallImportResult:
    logged: int = 0
    already: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    # Recordings attached, and those named in the log but not among the files given.
    recordings: int = 0
    missing_recordings: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Call:
    external_id: str
    occurred_at: datetime.datetime
    direction: str
    numbers: list[str]  # the customer's number first when the direction says which it is
    duration: int | None
    recording: str
    agent: str


def columns_of(headers: list[str]) -> dict[str, int]:
    """Which column holds each field, by the preset's names (first match wins)."""
    found: dict[str, int] = {}
    normalised = [normalise_header(header) for header in headers]
    for name, aliases in PRESET.items():
        for index, header in enumerate(normalised):
            if header in aliases and index not in found.values():
                found[name] = index
                break
    if "started" not in found and "date" not in found:
        raise ValidationError(_("The call log needs a column with the call's date and time."))
    if "from" not in found and "to" not in found:
        raise ValidationError(
            _("The call log needs a column with the caller's or callee's number.")
        )
    return found


def _when(text: str) -> datetime.datetime:
    text = text.strip()
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                value = datetime.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValidationError(_("“%(v)s” is not a date and time.") % {"v": text}) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _duration(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if all(part.strip().isdigit() for part in parts) and len(parts) <= 3:
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        return seconds
    try:
        return max(0, round(float(text.replace(",", "."))))
    except ValueError:
        raise ValidationError(_("“%(v)s” is not a call length.") % {"v": text}) from None


def _direction(text: str) -> str:
    word = normalise_header(text)
    if word in INBOUND:
        return CallDirection.INBOUND
    if word in OUTBOUND:
        return CallDirection.OUTBOUND
    if word:
        raise ValidationError(
            _("“%(v)s” is no direction: write in(bound) or out(bound).") % {"v": text}
        )
    return ""


def _number(text: str) -> str:
    """The number in E.164, or "" for an internal extension ("201") or an empty cell."""
    try:
        return phones.normalize(text).e164 if text.strip() else ""
    except ValidationError:
        return ""


def read_call(cells: list[str], columns: dict[str, int]) -> _Call:
    """One row of the log as a call; ValidationError with the reason when it is no call."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    started = cell("started") or f"{cell('date')} {cell('time')}".strip()
    if not started:
        raise ValidationError(_("The call has no date."))
    occurred_at = _when(started)
    direction = _direction(cell("direction"))
    caller, callee = _number(cell("from")), _number(cell("to"))
    if not caller and not callee:
        shown = " → ".join(text for text in (cell("from"), cell("to")) if text)
        raise ValidationError(
            _("The call has no phone number: “%(v)s”.") % {"v": shown}
            if shown
            else _("The call has no phone number.")
        )
    numbers = [callee, caller] if direction == CallDirection.OUTBOUND else [caller, callee]
    duration = _duration(cell("duration"))
    call_id = cell("call_id")
    natural = "|".join(
        [occurred_at.isoformat(), caller, callee, str(duration if duration is not None else "")]
    )
    return _Call(
        external_id=(
            f"call:{call_id}"
            if call_id
            else "key:" + hashlib.sha256(natural.encode()).hexdigest()[:40]
        ),
        occurred_at=occurred_at,
        direction=direction,
        numbers=[number for number in numbers if number],
        duration=duration,
        recording=cell("recording"),
        agent=cell("agent"),
    )


def _records_by_number(actor: User | None, numbers: set[str]) -> dict[str, Record]:
    """The contact (else the company) each number belongs to, among those the importer
    may see; a number two records share goes to the contact added first."""
    found: dict[str, Record] = {}
    if not numbers:
        return found
    contacts: QuerySet[Contact]
    companies: QuerySet[Company]
    if actor is None:
        contacts, companies = Contact.objects.live(), Company.objects.live()
    else:
        contacts = customer_selectors.contacts_for(actor)
        companies = customer_selectors.companies_for(actor)
    rows = (
        PhoneNumber.objects.filter(e164__in=numbers)
        .filter(Q(contact__in=contacts) | Q(company__in=companies))
        .select_related("contact", "company")
        .order_by(F("contact_id").asc(nulls_last=True), "id")
    )
    for row in rows:
        record = row.contact or row.company
        if record is not None:
            found.setdefault(row.e164, record)
    return found


def _caller(agent: str, by_key: dict[str, User]) -> User | None:
    return by_key.get(agent.strip().casefold()) if agent else None


def _colleagues(agents: set[str]) -> dict[str, User]:
    """Active colleagues by e-mail and by full name, for the log's agent column."""
    keys = {agent.strip().casefold() for agent in agents if agent.strip()}
    if not keys:
        return {}
    found: dict[str, User] = {}
    for user in User.objects.filter(is_active=True):
        for key in (user.email.casefold(), user.full_name.strip().casefold()):
            if key in keys:
                found.setdefault(key, user)
    return found


def import_calls(
    *,
    actor: User | None,
    source: UploadedFile,
    recordings: Sequence[UploadedFile] | None = None,
) -> CallImportResult:
    """Import a phone system's call log; `recordings` are the audio files it names."""
    if actor is not None:
        permissions.require(actor, "import")
        if not permissions.can(actor, "log_activity"):
            raise PermissionDenied(_("Your role may not log calls."))
    name = Path(source.name or "calls.csv").name
    path, _size = _store(source, name)
    try:
        return _import(actor, path, name, recordings or [])
    finally:
        path.unlink(missing_ok=True)


def _import(
    actor: User | None, path: Path, name: str, recordings: Sequence[UploadedFile]
) -> CallImportResult:
    info = reading.inspect(path, name)
    if info.format not in {"csv", "xlsx"}:
        raise ValidationError(_("A call log is a CSV or Excel file."))
    columns = columns_of(info.headers)
    result = CallImportResult()
    calls: list[tuple[int, _Call]] = []
    for line, cells in reading.data_rows(path, info):
        try:
            calls.append((line, read_call(cells, columns)))
        except ValidationError as error:
            result.problems.append((line, " ".join(error.messages)))
    records = _records_by_number(actor, {n for _line, call in calls for n in call.numbers})
    colleagues = _colleagues({call.agent for _line, call in calls})
    files = {Path(upload.name or "").name: upload for upload in recordings}
    for line, call in calls:
        record = next((records[n] for n in call.numbers if n in records), None)
        if record is None:
            result.unmatched.append(Unmatched(line, call.numbers[0], call.occurred_at))
            continue
        recording_name = Path(call.recording.replace("\\", "/")).name if call.recording else ""
        upload = files.get(recording_name) if recording_name else None
        body = ""
        if recording_name and upload is None:
            if call.recording.lower().startswith(("https://", "http://")):
                body = _("Recording: %(url)s") % {"url": call.recording}
            else:
                result.missing_recordings.append((line, recording_name))
        try:
            activity = activity_services.log_imported_call(
                actor=actor,
                record=record,
                external_id=call.external_id,
                occurred_at=call.occurred_at,
                direction=call.direction,
                duration_seconds=call.duration,
                caller=_caller(call.agent, colleagues),
                body=body,
                recording=upload,
            )
        except IntegrityError:  # the same call imported at the same moment elsewhere
            activity = None
        except ValidationError as error:
            result.problems.append((line, " ".join(error.messages)))
            continue
        if activity is None:
            result.already += 1
            continue
        result.logged += 1
        result.recordings += upload is not None
    return result
