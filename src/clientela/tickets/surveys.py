"""Satisfaction surveys: when a ticket is resolved, or (if the business wants it:
SURVEY_AFTER_DELIVERY) an order delivered, its customer gets an e-mail, in their
language, with a signed link to rate the help (or the order) from 1 to 5 and say why. The link needs no
login: it is the survey's number signed with the site's secret (django.core.signing,
salted for surveys only) and it expires; it answers once.

    start(ticket)            -- on resolution (services): the survey row and its job
    start_for_order(order)   -- on delivery (the orders' stage hook): the same for an order
    send(survey_id)          -- the job: the e-mail, once, recorded in its transaction
    survey_for_token(token)  -- the public page: the survey, or SurveyLinkError
    answer(survey, rating=, comment=) -- the customer's answer, once
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela import jobs
from clientela.core import audit
from clientela.customers import languages
from clientela.orders import services as orders
from clientela.orders.models import Order
from clientela.tickets.models import Survey, Ticket

SALT = "clientela.tickets.survey"
MAX_COMMENT = 2000
RATINGS = range(1, 6)


class SurveyLinkError(Exception):
    """A survey link that cannot be used: `reason` is "tampered", "expired" or "gone"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AlreadyAnswered(Exception):
    """The survey was answered before: it answers once."""


def token_for(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SALT, compress=True)


def link_for(survey: Survey, base_url: str = "") -> str:
    base = (base_url or settings.PUBLIC_URL).rstrip("/")
    return base + reverse("tickets:survey", kwargs={"token": token_for(survey)})


def survey_for_token(token: str) -> Survey:
    """The survey a link names, if its signature holds and it has not expired."""
    max_age = settings.SURVEY_LINK_DAYS * 24 * 3600
    try:
        pk = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise SurveyLinkError("expired") from None
    except signing.BadSignature:
        raise SurveyLinkError("tampered") from None
    survey = (
        Survey.objects.select_related("ticket", "order")
        .filter(pk=pk if isinstance(pk, int) else 0)
        .first()
    )
    if survey is None or survey.subject.deleted_at is not None:
        raise SurveyLinkError("gone")
    return survey


def start(ticket: Ticket) -> Survey | None:
    """A survey for a ticket just resolved, sent by a background job: one per ticket (a
    ticket reopened and resolved again is not asked twice), and only when its customer
    has an e-mail address to send it to. Called inside the resolving transaction, so the
    survey and its job exist only if the resolution is saved."""
    contact = ticket.contact
    if contact is None or not contact.email or ticket.merged_into_id is not None:
        return None
    if Survey.objects.filter(ticket=ticket).exists():
        return None
    survey = Survey.objects.create(
        ticket=ticket,
        contact=contact,
        agent_id=ticket.owner_id,
        department_id=ticket.department_id,
        language=languages.language_of(contact),
        created_at=timezone.now(),
    )
    _queue(survey)
    return survey


def _queue(survey: Survey) -> None:
    from clientela.tickets.tasks import send_survey

    jobs.enqueue(send_survey, survey.pk)


def start_for_order(order: Order) -> Survey | None:
    """A survey for an order just delivered, when the business asks after deliveries: one
    per order, to its contact if they have an e-mail address. In the delivering
    transaction, as `start`."""
    contact = order.contact
    if not settings.SURVEY_AFTER_DELIVERY or contact is None or not contact.email:
        return None
    if Survey.objects.filter(order=order).exists():
        return None
    survey = Survey.objects.create(
        order=order,
        contact=contact,
        language=languages.language_of(contact),
        created_at=timezone.now(),
    )
    _queue(survey)
    return survey


def on_order_stage(order: Order, stage: str) -> None:
    """The orders' stage hook: a delivered order asks its customer."""
    if stage == orders.DELIVERED:
        start_for_order(order)


def send(survey_id: int) -> bool:
    """E-mail the survey to the customer, in their language. Idempotent: the row is locked
    and marked sent in the transaction that sends, so a job run twice sends once."""
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("ticket", "order", "contact")
            .filter(pk=survey_id)
            .first()
        )
        if survey is None or survey.sent_at is not None or survey.contact is None:
            return False
        if not survey.contact.email or survey.answered_at is not None:
            return False
        context = {
            "survey": survey,
            "ticket": survey.ticket,
            "order": survey.order,
            "link": link_for(survey),
            "days": settings.SURVEY_LINK_DAYS,
        }
        with languages.writing_to(survey.contact):
            subject = render_to_string("tickets/survey_email_subject.txt", context).strip()
            body = render_to_string("tickets/survey_email.txt", context)
        send_mail(subject, body, None, [survey.contact.email])
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
    return True


@transaction.atomic
def answer(survey: Survey, *, rating: int | str | None, comment: str = "") -> Survey:
    """The customer's rating (1 to 5) and comment. It answers once: a second answer, even
    one racing the first, is refused with AlreadyAnswered."""
    try:
        value = int(rating) if rating not in (None, "") else None
    except (TypeError, ValueError):
        value = None
    if value not in RATINGS:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": _("At most %(n)d characters, please.") % {"n": MAX_COMMENT}}
        )
    locked = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("ticket", "order")
        .get(pk=survey.pk)
    )
    if locked.answered_at is not None:
        raise AlreadyAnswered
    locked.rating, locked.comment, locked.answered_at = value, comment, timezone.now()
    locked.save(update_fields=["rating", "comment", "answered_at"])
    audit.log(
        actor=None,
        action="rate",
        record=locked.subject,
        before={"rating": "", "comment": ""},
        after={"rating": value, "comment": comment},
        state=None,
    )
    return locked
