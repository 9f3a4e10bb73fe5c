"""vCard 2.1, 3.0 and 4.0 read as flat rows, and contacts written as vCard 3.0.

Phones, Outlook and Google write vCards differently: 2.1 with QUOTED-PRINTABLE and
CHARSET parameters and bare type names (`TEL;CELL:`), 3.0 with `TYPE=` and escaped
commas, 4.0 with `VALUE=uri` and `tel:` URIs. This reader handles all three, streaming
one card at a time."""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator

COLUMNS = (
    "Full name",
    "Given name",
    "Family name",
    "Organization",
    "Title",
    "E-mail",
    "E-mail 2",
    "Phone",
    "Mobile",
    "Phone 2",
    "Street",
    "City",
    "Region",
    "Postal code",
    "Country",
    "Categories",
    "Note",
    "UID",
)
_ESCAPES = {"\\n": "\n", "\\N": "\n", "\\,": ",", "\\;": ";", "\\\\": "\\"}
_ESCAPE = re.compile(r"\\[nN,;\\]")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda match: _ESCAPES[match.group(0)], text)


def _split(text: str, separator: str) -> list[str]:
    """Split on separators that are not escaped, then unescape each part."""
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            parts.append(_unescape("".join(current)))
            current = []
        else:
            current.append(ch)
    parts.append(_unescape("".join(current)))
    return parts


def _logical_lines(lines: Iterable[str]) -> Iterator[str]:
    """Unfold continuation lines (a leading space or tab) and quoted-printable soft breaks."""
    pending = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if pending is not None and line[:1] in (" ", "\t"):
            pending += line[1:]
            continue
        if (
            pending is not None
            and pending.endswith("=")
            and "QUOTED-PRINTABLE" in (pending.split(":", 1)[0].upper())
        ):
            pending = pending[:-1] + line
            continue
        if pending is not None:
            yield pending
        pending = line
    if pending is not None:
        yield pending


def _parse_line(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    if ":" not in line:
        return None
    head, value = line.split(":", 1)
    parts = head.split(";")
    name = parts[0].split(".")[-1].upper()  # "item1.EMAIL" (Apple) → EMAIL
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, sep, values = part.partition("=")
        if not sep:  # vCard 2.1: TEL;CELL;PREF
            params.setdefault("TYPE", []).append(key.upper())
        else:
            params.setdefault(key.upper(), []).extend(
                item.strip('"').upper() for item in values.split(",")
            )
    if "QUOTED-PRINTABLE" in params.get("ENCODING", []):
        charset = (params.get("CHARSET") or ["UTF-8"])[0]
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        try:
            value = raw.decode(charset.lower())
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("utf-8", errors="replace")
    return name, params, value


def _card_row(properties: list[tuple[str, dict, str]]) -> dict[str, str]:
    row: dict[str, str] = {}
    emails: list[str] = []
    phones: list[str] = []
    mobiles: list[str] = []
    categories: list[str] = []
    for name, params, value in properties:
        types = {t.lower() for t in params.get("TYPE", [])}
        if name == "FN":
            row["Full name"] = _unescape(value).strip()
        elif name == "N":
            parts = [*_split(value, ";"), "", ""]
            row["Family name"], row["Given name"] = parts[0].strip(), parts[1].strip()
        elif name == "ORG":
            row["Organization"] = _split(value, ";")[0].strip()
        elif name == "TITLE":
            row["Title"] = _unescape(value).strip()
        elif name == "EMAIL":
            emails.append(_unescape(value).strip().removeprefix("mailto:"))
        elif name == "TEL":
            number = _unescape(value).strip().removeprefix("tel:")
            (mobiles if types & {"cell", "mobile", "iphone"} else phones).append(number)
        elif name == "ADR" and "Street" not in row:
            parts = _split(value, ";") + [""] * 7
            street = " ".join(p.strip() for p in (parts[1], parts[2]) if p.strip())
            row.update(
                {
                    "Street": street.replace("\n", ", "),
                    "City": parts[3].strip(),
                    "Region": parts[4].strip(),
                    "Postal code": parts[5].strip(),
                    "Country": parts[6].strip(),
                }
            )
        elif name == "CATEGORIES":
            categories.extend(part.strip() for part in _split(value, ",") if part.strip())
        elif name == "NOTE":
            row["Note"] = _unescape(value).strip()
        elif name == "UID":
            row["UID"] = value.strip()
    emails = [email for email in emails if email]
    row["E-mail"] = emails[0] if emails else ""
    row["E-mail 2"] = emails[1] if len(emails) > 1 else ""
    row["Phone"] = phones[0] if phones else ""
    row["Phone 2"] = phones[1] if len(phones) > 1 else ""
    row["Mobile"] = mobiles[0] if mobiles else ""
    row["Categories"] = ", ".join(categories)
    if not row.get("Full name"):
        row["Full name"] = " ".join(
            part for part in (row.get("Given name", ""), row.get("Family name", "")) if part
        )
    return row


def cards(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """One flat row per BEGIN:VCARD … END:VCARD block."""
    properties: list | None = None
    for line in _logical_lines(lines):
        stripped = line.strip()
        upper = stripped.upper()
        if upper == "BEGIN:VCARD":
            properties = []
        elif upper == "END:VCARD":
            if properties is not None:
                yield _card_row(properties)
            properties = None
        elif properties is not None and stripped:
            parsed = _parse_line(stripped)
            if parsed:
                properties.append(parsed)


# Writing ------------------------------------------------------------------------------
def _escape(text: str) -> str:
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 6350)."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > 75:
            out.append(current)
            current = " " + ch
        else:
            current += ch
    out.append(current)
    return "\r\n".join(out)


def write_card(card: dict) -> str:
    """A vCard 3.0 for a dict with name parts, org, title, emails, phones, address, tags."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{_escape(card.get('full_name', ''))}",
        f"N:{_escape(card.get('family_name', ''))};{_escape(card.get('given_name', ''))};;;",
    ]
    if card.get("org"):
        lines.append(f"ORG:{_escape(card['org'])}")
    if card.get("title"):
        lines.append(f"TITLE:{_escape(card['title'])}")
    for address, kind in card.get("emails", []):
        lines.append(f"EMAIL;TYPE=INTERNET,{kind.upper()}:{address}")
    for number, kind in card.get("phones", []):
        lines.append(f"TEL;TYPE={'CELL' if kind == 'mobile' else kind.upper()}:{number}")
    for adr in card.get("addresses", []):
        parts = [adr.get(k, "") for k in ("street", "city", "region", "postal_code", "country")]
        lines.append("ADR;TYPE=WORK:;;" + ";".join(_escape(p) for p in parts))
    if card.get("tags"):
        lines.append("CATEGORIES:" + ",".join(_escape(tag) for tag in card["tags"]))
    if card.get("uid"):
        lines.append(f"UID:{card['uid']}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)
