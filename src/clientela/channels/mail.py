"""E-mail as Clientela reads and writes it: a raw message parsed into the fields a Message
keeps (never trusting a header to be well formed), HTML sanitised, threading keys."""

from __future__ import annotations

import datetime
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import nh3
from django.utils import timezone

log = logging.getLogger(__name__)
MAX_TEXT = 200_000
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|rif|r|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,490}>")
# Tags and attributes kept: what text needs to read as written, no scripts, no styles, no
# forms. Images only from the message itself (cid:) unless the reader asks for remote ones.
_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str
    date: datetime.datetime
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        return list(dict.fromkeys([a for a in [self.from_address, *self.to, *self.cc] if a]))


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser can't even decode
        return ""
    return " ".join(_no_nul(str(value or "")).split())


def _no_nul(text: str) -> str:
    """Text as a database keeps it: PostgreSQL refuses NUL characters, which forged mail has."""
    return text.replace("\x00", "")


def _addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    try:
        values = message.get_all(name) or []
        pairs = getaddresses([str(v) for v in values])
    except Exception:
        return []
    return [
        (_no_nul(n).strip()[:200], _no_nul(a).strip().lower()[:254]) for n, a in pairs if "@" in a
    ]


def message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def subject_key(subject: str) -> str:
    return " ".join(_REPLY_PREFIX.sub("", subject or "").lower().split())[:300]


def participants_key(addresses: list[str]) -> str:
    return " ".join(sorted(set(addresses)))[:1000]


def sanitise_html(html: str, *, remote_images: bool = False) -> str:
    """HTML safe to put in a page: no scripts, handlers or styles; remote images only when
    asked for (they tell the sender the mail was read)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if remote_images and value.startswith("https://") else None
        return value

    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "img": {"src", "alt"}, "td": {"colspan"}},
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
    )


def html_to_text(html: str) -> str:
    text = nh3.clean(re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", html), tags=set())
    import html as html_module

    return "\n".join(line.strip() for line in html_module.unescape(text).splitlines()).strip()


def _text_of(part: EmailMessage) -> str:
    """A text part's content; one in a charset nobody knows read as UTF-8, as well as it goes."""
    try:
        return _no_nul(str(part.get_content()))
    except (LookupError, UnicodeError, ValueError):
        payload = part.get_payload(decode=True)
        return _no_nul(payload.decode("utf-8", "replace")) if isinstance(payload, bytes) else ""


def parse(raw: bytes) -> Parsed:
    """The fields of a raw message. A message broken in any way still parses to what can
    be read of it; one without a Message-ID gets one from its content (the same each time,
    so it is kept once)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    ids = message_ids(_header(message, "Message-ID"))
    message_id = ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()}@clientela.invalid>"
    sender = _addresses(message, "From")
    from_name, from_address = sender[0] if sender else ("", "")
    if not from_address:
        from_address = parseaddr(_header(message, "From"))[1].lower()[:254]
    try:
        date = parsedate_to_datetime(_header(message, "Date"))
        if timezone.is_naive(date):
            date = timezone.make_aware(date, datetime.UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        date = timezone.now()
    # A date ahead of now (a wrong clock, a forged header) would keep the message on top of
    # every timeline: it counts from when it is read.
    date = min(date, timezone.now())
    text, html, attachments = "", "", []
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            disposition = part.get_content_disposition()
            content_type = part.get_content_type()
            if disposition == "attachment" or (part.get_filename() and disposition != "inline"):
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                name = _no_nul(str(part.get_filename() or "attachment"))[:255]
                attachments.append(Attachment(name, content_type, data))
            elif content_type == "text/plain" and not text:
                text = _text_of(part)
            elif content_type == "text/html" and not html:
                html = _text_of(part)
        except Exception as error:  # an undecodable part is left out, the rest is kept
            log.info("a part of %s left out: %s", message_id, error)
            continue
    clean_html = sanitise_html(html, remote_images=True)[:MAX_TEXT] if html else ""
    return Parsed(
        message_id=message_id[:500],
        in_reply_to=(message_ids(_header(message, "In-Reply-To")) or [""])[0][:500],
        references=message_ids(_header(message, "References"))[-50:],
        from_address=from_address,
        from_name=from_name,
        to=[a for _n, a in _addresses(message, "To")],
        cc=[a for _n, a in _addresses(message, "Cc")],
        subject=_header(message, "Subject")[:300],
        text=(text or (html_to_text(clean_html) if clean_html else "")).strip()[:MAX_TEXT],
        html=clean_html,
        date=date,
        attachments=attachments,
    )
