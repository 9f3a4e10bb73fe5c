"""Contacts, companies and tags in the API: the lists' own filters and sorts, the same
services as the pages (permissions, validation, audit, versions)."""

import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, JsonValue

from clientela.api.registry import Resource, register
from clientela.api.types import Date, Id, JsonObject, SchemaFormat, name_text, text
from clientela.core import custom_fields, permissions, record_services
from clientela.customers import contact_points, listing, selectors, services
from clientela.customers.models import (
    AddressKind,
    Company,
    CompanyStatus,
    Contact,
    Kind,
    LifecycleStage,
    Source,
    Tag,
)
from clientela.users import selectors as user_selectors

# The languages a contact may be written to in (settings.LANGUAGES).
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

KindName = Literal[tuple(Kind.values)]


class EmailIO(Schema):
    address: Annotated[text(254), SchemaFormat("email")]
    kind: KindName = "work"


class PhoneIO(Schema):
    number: text(40)
    kind: KindName = "work"


class AddressIO(Schema):
    address_kind: Literal[tuple(AddressKind.values)] = "work"
    street: text(200) = ""
    city: text(100) = ""
    region: text(100) = ""
    postal_code: text(20) = ""
    country: text(2) = ""


class RecordOut(Schema):
    id: int
    version: int
    owner_id: int | None
    emails: list[EmailIO]
    phones: list[PhoneIO]
    addresses: list[AddressIO]
    tags: list[str]
    custom: dict
    created_at: datetime.datetime
    updated_at: datetime.datetime
    last_activity_at: datetime.datetime | None


class ContactOut(RecordOut):
    full_name: str
    given_name: str
    family_name: str
    position: str
    company_id: int | None
    lifecycle_stage: str
    source: str
    marketing_consent: bool
    next_step: str
    language: str = Field(
        description="What is sent to the contact is written in it; empty: the sender's."
    )
    last_contacted_at: datetime.datetime | None


class CompanyOut(RecordOut):
    name: str
    legal_name: str
    tax_id: str | None = Field(None, description="Left out (null) for roles that may not see it.")
    industry: str
    size: str
    website: str
    status: str


class PointsIn(Schema):
    owner_id: Id | None = None
    emails: list[EmailIO] | None = Field(None, max_length=20)
    phones: list[PhoneIO] | None = Field(None, max_length=20)
    addresses: list[AddressIO] | None = Field(None, max_length=10)
    tags: list[text(60)] | None = Field(None, max_length=contact_points.MAX_TAGS)
    custom: JsonObject | None = None


# A new contact needs a name: its full name, or a given or family name to make it from.
ONE_NAME: dict[str, JsonValue] = {
    "anyOf": [{"required": [key]} for key in ("full_name", "given_name", "family_name")]
}


class ContactFields(PointsIn):
    full_name: name_text(200) = Field(None)
    given_name: name_text(100) = Field(None)
    family_name: name_text(100) = Field(None)
    position: text(120) = ""
    company_id: Id | None = None
    company_name: text(200) | None = Field(None, description="Find or create the company by name.")
    lifecycle_stage: text(40) | None = Field(None, description="A stage key, such as `lead`.")
    source: Literal[tuple(Source.values)] | None = None
    marketing_consent: bool | None = None
    next_step: text(200) = ""
    language: Literal[("", *LANGUAGE_CODES)] = Field(
        "", description="Invoices and e-mails to the contact are in it; empty: the sender's."
    )


class ContactIn(ContactFields):
    model_config = ConfigDict(json_schema_extra=ONE_NAME)


class ContactUpdate(ContactFields):
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")


class CompanyFields(PointsIn):
    legal_name: text(200) = ""
    tax_id: text(40) = ""
    industry: text(80) = ""
    size: text(20) = ""
    website: text(200) = ""
    status: Literal[tuple(CompanyStatus.values)] | None = None


class CompanyIn(CompanyFields):
    name: name_text(200)


class CompanyUpdate(CompanyFields):
    name: name_text(200) = Field(None)
    version: int | None = Field(None, ge=1, le=2**31)


class RecordFilters(Schema):
    """The filters of the contacts and companies lists, by the same names as the pages'."""

    q: text(200) | None = None
    owner: text(200) | None = Field(None, description="`me`, `none` or user ids: `3,5`.")
    tag: text(60) | None = None
    created_from: Date | None = None
    created_to: Date | None = None
    updated_from: Date | None = None
    updated_to: Date | None = None
    inactive_days: int | None = Field(None, ge=1, le=3650)
    stale: bool | None = None


class ContactFilters(RecordFilters):
    stage: text(40) | None = Field(None, description="Stage keys, comma-separated.")
    contacted_from: Date | None = None
    contacted_to: Date | None = None


def visible_custom(user, record_type: str) -> set[str]:
    """The custom field keys the user may see, looked up once per request's user object
    (a list would otherwise ask once per row)."""
    known = user.__dict__.setdefault("_api_custom_keys", {}) if user is not None else {}
    if record_type not in known:
        known[record_type] = {d.key for d in custom_fields.definitions(record_type, user)}
    return known[record_type]


def _points(record, user, record_type: str) -> dict:
    visible = visible_custom(user, record_type)
    points = selectors.contact_points(record)
    return {
        "id": record.pk,
        "version": record.version,
        "owner_id": record.owner_id,
        "emails": points.emails,
        "phones": points.phones,
        "addresses": points.addresses,
        "tags": sorted(points.tags),
        "custom": {k: v for k, v in (record.custom or {}).items() if k in visible},
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "last_activity_at": record.last_activity_at,
    }


def contact_out(contact: Contact, user) -> dict:
    return {
        **_points(contact, user, "contact"),
        **{
            name: getattr(contact, name)
            for name in (
                "full_name",
                "given_name",
                "family_name",
                "position",
                "company_id",
                "source",
                "marketing_consent",
                "next_step",
                "language",
                "last_contacted_at",
            )
        },
        "lifecycle_stage": contact.lifecycle_stage.key,
    }


def company_out(company: Company, user) -> dict:
    hidden = permissions.hidden_fields(user, "company")
    return {
        **_points(company, user, "company"),
        **{
            name: None if name in hidden else getattr(company, name)
            for name in ("name", "legal_name", "tax_id", "industry", "size", "website", "status")
        },
    }


def service_data(user, record_type: str, data: dict, stored_custom: dict | None) -> dict:
    """API fields → the service's: ids to records the user may use, hidden fields dropped."""
    for name in permissions.hidden_fields(user, record_type):
        data.pop(name, None)
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        owner = user_selectors.active_person(owner_id) if owner_id else None
        if owner_id and owner is None:
            raise ValidationError({"owner_id": _("There is no such active user.")})
        data["owner"] = owner
    if "emails" in data and data["emails"] is not None:
        data["emails"] = [dict(item) for item in data["emails"]]
    if "phones" in data and data["phones"] is not None:
        data["phones"] = [dict(item) for item in data["phones"]]
    if "addresses" in data and data["addresses"] is not None:
        data["addresses"] = [dict(item) for item in data["addresses"]]
    for name in ("emails", "phones", "addresses", "tags"):
        if name in data and data[name] is None:
            data[name] = []
    if "custom" in data:
        data["custom"] = custom_fields.keep_hidden(
            record_type, user, stored_custom or {}, data["custom"] or {}
        )
    if "company_id" in data:  # a contact's or a deal's company: one the user may see
        company_id = data.pop("company_id")
        data["company"] = None
        if company_id:
            data["company"] = selectors.companies_for(user).filter(pk=company_id).first()
            if data["company"] is None:
                raise ValidationError({"company_id": _("There is no such company.")})
    return data


def _contact_data(user, data: dict, contact: Contact | None = None) -> dict:
    data = service_data(user, "contact", data, contact.custom if contact else None)
    if data.get("company_name") is None:
        data.pop("company_name", None)
    if "lifecycle_stage" in data:
        key = data.pop("lifecycle_stage")
        if key is not None:
            stage = LifecycleStage.objects.filter(key=key).first()
            if stage is None:
                raise ValidationError(
                    {"lifecycle_stage": _("There is no stage “%(k)s”.") % {"k": key}}
                )
            data["lifecycle_stage"] = stage
    for name in ("source", "marketing_consent"):
        if name in data and data[name] is None:
            data.pop(name)
    return data


def _company_data(user, data: dict, company: Company | None = None) -> dict:
    data = service_data(user, "company", data, company.custom if company else None)
    if "status" in data and data["status"] is None:
        data.pop("status")
    return data


def _filters(record_type: str):
    def apply(user, queryset, params: dict, raw):
        data = {key: value for key, value in params.items() if value not in (None, "")}
        if "stage" in data:
            keys = [key.strip() for key in data["stage"].split(",") if key.strip()]
            data["stage"] = list(LifecycleStage.objects.filter(key__in=keys))
            if not data["stage"]:
                return queryset.none()
        spec = (
            listing.contact_spec(user) if record_type == "contact" else listing.company_spec(user)
        )
        return listing.apply_filters(user, spec, queryset, data, raw)

    return apply


def _record_resource(record_type: str, name: str, model, out, filters, create_in, update_in):
    """Contacts and companies: the pages' list spec, filters, services and trash."""
    list_spec = listing.contact_spec if record_type == "contact" else listing.company_spec
    base = selectors.contact_list if record_type == "contact" else selectors.company_list
    to_data = _contact_data if record_type == "contact" else _company_data
    create = services.create_contact if record_type == "contact" else services.create_company
    update = services.update_contact if record_type == "contact" else services.update_company
    return Resource(
        name=name,
        label=record_type,
        model=model,
        out=out,
        queryset=base,
        prepare=selectors.with_contact_points,
        serialize=contact_out if record_type == "contact" else company_out,
        list_spec=list_spec,
        default_sort="name",
        filters=filters,
        apply_filters=_filters(record_type),
        updated_field="updated_at",
        create_in=create_in,
        create=lambda user, data: create(actor=user, data=to_data(user, data)),
        update_in=update_in,
        update=lambda user, record, data, expected: update(
            actor=user,
            **{record_type: record},
            data=to_data(user, data, record),
            expected_version=expected,
        ),
        delete=lambda user, record: record_services.move_to_trash(actor=user, records=[record]),
        versioned=True,
    )


register(
    _record_resource(
        "contact", "contacts", Contact, ContactOut, ContactFilters, ContactIn, ContactUpdate
    )
)
register(
    _record_resource(
        "company", "companies", Company, CompanyOut, RecordFilters, CompanyIn, CompanyUpdate
    )
)


class TagOut(Schema):
    id: int
    name: str
    color: str


register(
    Resource(
        name="tags",
        label="tag",
        model=Tag,
        out=TagOut,
        queryset=lambda user: Tag.objects.all(),
        serialize=lambda tag, user: {"id": tag.pk, "name": tag.name, "color": tag.color},
        sorts={"name": ["key", "id"]},
        default_sort="name",
        description="Tags are created by naming them on a contact or company.",
    )
)
