"""Which column of a file goes into which field: the fields an import can fill, and the
automatic mapping from header names in English, Romanian and Spanish and from the CSV
exports of HubSpot, Salesforce, Zoho, Pipedrive, Odoo, Outlook and Google."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from clientela.core import custom_fields
from clientela.core.text import fold
from clientela.dataio.importing.other_fields import (
    ACTIVITY_TARGETS,
    EXTRA_SYNONYMS,
    LINK_FIRST,
    ORDER_TARGETS,
    OTHER_SYNONYMS,
    PRODUCT_TARGETS,
    TASK_TARGETS,
    Target,
)

IGNORE = ""
CUSTOM_PREFIX = "custom:"
# A column kept as a new custom field named after its header, made when the run starts.
NEW_CUSTOM = "new-custom-field"


COMMON = (
    Target("email", _("E-mail"), many=True),
    Target("phone", _("Phone"), many=True),
    Target("mobile", _("Mobile phone"), many=True),
    Target("owner", _("Owner (e-mail or name)")),
    Target("tags", _("Tags"), many=True),
    Target("note", _("Note (on the timeline)"), many=True),
    Target("street", _("Street")),
    Target("city", _("City")),
    Target("region", _("Region / county")),
    Target("postal_code", _("Postal code")),
    Target("country", _("Country (2 letters)")),
    Target("external_id", _("ID in the old system")),
)
CONTACT_TARGETS = (
    Target("full_name", _("Full name")),
    Target("given_name", _("Given name")),
    Target("family_name", _("Family name")),
    Target("company", _("Company")),
    Target("position", _("Position")),
    Target("lifecycle_stage", _("Lifecycle stage")),
    Target("source", _("Source")),
    Target("marketing_consent", _("Agrees to marketing")),
    Target("next_step", _("Next step")),
    Target("language", _("Language (for what is sent to them)")),
    *COMMON,
)
COMPANY_TARGETS = (
    Target("name", _("Name")),
    Target("legal_name", _("Legal name")),
    Target("tax_id", _("Tax id")),
    Target("industry", _("Industry")),
    Target("size", _("Size")),
    Target("website", _("Website")),
    Target("status", _("Status")),
    *COMMON,
)
DEAL_TARGETS = (
    Target("deal_name", _("Deal name")),
    Target("amount", _("Amount")),
    Target("currency", _("Currency")),
    Target("deal_stage", _("Pipeline stage")),
    Target("expected_close", _("Expected close (date)")),
    Target("company", _("Company")),
    Target("contact_email", _("Contact's e-mail"), many=True),
    Target("owner", _("Owner (e-mail or name)")),
    Target("note", _("Note (on the timeline)"), many=True),
    Target("external_id", _("ID in the old system")),
)
TARGETS = {
    "contact": CONTACT_TARGETS,
    "company": COMPANY_TARGETS,
    "deal": DEAL_TARGETS,
    "product": PRODUCT_TARGETS,
    "order": ORDER_TARGETS,
    "activity": ACTIVITY_TARGETS,
    "task": TASK_TARGETS,
}
# Record types the record platform gives no custom fields.
NO_CUSTOM = {"product", "activity", "task"}

# Folded header text → target. Folding drops case and accents, so "Teléfono",
# "telefono" and "TELEFONO" are one entry; punctuation becomes spaces.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "full name",
        "name",
        "nume",
        "nombre",
        "contact name",
        "display name",
        "contact",
        "person name",
        "nume complet",
        "nume si prenume",
        "nume prenume",
        "numele complet",
        "nombre completo",
        "nombre y apellidos",
        "contacto",
        "nombre del contacto",
    ),
    "given_name": (
        "first name",
        "firstname",
        "given name",
        "prenume",
        "primer nombre",
        "nombre de pila",
    ),
    "family_name": (
        "last name",
        "lastname",
        "surname",
        "family name",
        "nume de familie",
        "apellido",
        "apellidos",
        "primer apellido",
    ),
    "company": (
        "company",
        "company name",
        "organization",
        "organisation",
        "organization name",
        "account name",
        "account",
        "associated company",
        "related company",
        "employer",
        "firma",
        "companie",
        "compania",
        "societate",
        "organizatie",
        "empresa",
        "nombre de la empresa",
        "organizacion",
        "compania del contacto",
    ),
    "name": (
        "name",
        "company name",
        "company",
        "organization",
        "organization name",
        "account name",
        "organisation",
        "denumire",
        "nume firma",
        "nume companie",
        "firma",
        "companie",
        "empresa",
        "nombre de la empresa",
        "razon social comercial",
        "nombre",
    ),
    "position": (
        "job title",
        "title",
        "position",
        "job position",
        "role",
        "functie",
        "post",
        "pozitie",
        "cargo",
        "puesto",
        "titulo",
    ),
    "lifecycle_stage": (
        "lifecycle stage",
        "stage",
        "lead status",
        "status",
        "etapa",
        "stadiu",
        "etapa ciclu de viata",
        "etapa del ciclo de vida",
        "estado del lead",
        "fase",
    ),
    "source": ("source", "lead source", "sursa", "origen", "fuente"),
    "marketing_consent": (
        "marketing consent",
        "email opt in",
        "marketing opt in",
        "consent",
        "acord marketing",
        "consimtamant marketing",
        "consentimiento",
        "acepta marketing",
    ),
    "language": ("language", "preferred language", "limba", "idioma", "lengua", "locale", "bhasha"),
    "next_step": ("next step", "urmatorul pas", "siguiente paso", "proximo paso"),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "work email",
        "primary email",
        "email 1",
        "e mail 1",
        "e mail 1 value",
        "email 1 value",
        "e mail 2 address",
        "e mail 3 address",
        "email work",
        "email home",
        "email other",
        "business email",
        "adresa de email",
        "adresa email",
        "adresa de e mail",
        "correo",
        "correo electronico",
        "email personal",
        "e mail personal",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "tel",
        "work phone",
        "business phone",
        "phone 1 value",
        "phone work",
        "phone home",
        "phone other",
        "home phone",
        "primary phone",
        "other phone",
        "company main phone",
        "business phone 2",
        "telefon",
        "numar de telefon",
        "nr telefon",
        "telefon fix",
        "telefono",
        "numero de telefono",
        "telefono fijo",
    ),
    "mobile": (
        "mobile",
        "mobile phone",
        "mobile phone number",
        "cell",
        "cell phone",
        "phone mobile",
        "mobil",
        "telefon mobil",
        "movil",
        "celular",
        "telefono movil",
    ),
    "owner": (
        "owner",
        "contact owner",
        "record owner",
        "account owner",
        "owner email",
        "salesperson",
        "assigned to",
        "responsabil",
        "proprietar",
        "agent",
        "propietario",
        "responsable",
        "asignado a",
        "vendedor",
    ),
    "tags": (
        "tags",
        "tag",
        "labels",
        "label",
        "categories",
        "category",
        "etichete",
        "eticheta",
        "categorii",
        "categorie",
        "etiquetas",
        "etiqueta",
        "categorias",
        "categoria",
    ),
    "note": (
        "note",
        "notes",
        "description",
        "comments",
        "comment",
        "nota",
        "note interne",
        "observatii",
        "descriere",
        "comentarii",
        "notas",
        "descripcion",
        "comentarios",
        "observaciones",
    ),
    "street": (
        "street",
        "address",
        "street address",
        "address 1",
        "address line 1",
        "mailing street",
        "billing street",
        "business street",
        "home street",
        "address 1 street",
        "strada",
        "adresa",
        "calle",
        "direccion",
    ),
    "city": (
        "city",
        "mailing city",
        "billing city",
        "business city",
        "home city",
        "address 1 city",
        "town",
        "oras",
        "localitate",
        "ciudad",
        "localidad",
        "municipio",
    ),
    "region": (
        "state",
        "region",
        "state region",
        "province",
        "county",
        "mailing state",
        "mailing state province",
        "billing state province",
        "business state",
        "address 1 region",
        "judet",
        "regiune",
        "provincia",
        "region provincia",
    ),
    "postal_code": (
        "zip",
        "zip code",
        "postal code",
        "postcode",
        "mailing zip",
        "mailing zip postal code",
        "billing zip postal code",
        "business postal code",
        "address 1 postal code",
        "cod postal",
        "codigo postal",
        "cp",
    ),
    "country": (
        "country",
        "country region",
        "mailing country",
        "billing country",
        "business country",
        "address 1 country",
        "tara",
        "pais",
    ),
    "external_id": (
        "id",
        "record id",
        "contact id",
        "lead id",
        "account id",
        "company id",
        "external id",
        "person id",
        "organization id",
        "uid",
        "id extern",
        "cod client",
        "id externo",
        "codigo de cliente",
    ),
    "legal_name": ("legal name", "denumire legala", "razon social"),
    "tax_id": (
        "tax id",
        "vat",
        "vat number",
        "vat id",
        "tax number",
        "cui",
        "cif",
        "cod fiscal",
        "cod de inregistrare fiscala",
        "nif",
        "rfc",
        "numero fiscal",
    ),
    "industry": ("industry", "sector", "industrie", "domeniu", "industria", "rubro"),
    "size": (
        "size",
        "employees",
        "number of employees",
        "company size",
        "numar angajati",
        "angajati",
        "empleados",
        "numero de empleados",
        "tamano",
    ),
    "website": (
        "website",
        "web site",
        "url",
        "site",
        "web",
        "company domain name",
        "domain",
        "site web",
        "pagina web",
        "sitio web",
    ),
    "status": ("status", "company status", "stare", "estado"),
    "deal_name": (
        "deal name",
        "deal title",
        "title",
        "name",
        "opportunity name",
        "deal",
        "nume oportunitate",
        "titlu",
        "oportunitate",
        "nombre de la oportunidad",
        "nombre del trato",
        "oportunidad",
        "trato",
    ),
    "amount": (
        "amount",
        "value",
        "deal value",
        "opportunity amount",
        "valoare",
        "suma",
        "importe",
        "valor",
        "monto",
    ),
    "currency": ("currency", "value currency", "deal currency", "moneda", "valuta", "divisa"),
    "deal_stage": (
        "deal stage",
        "stage",
        "pipeline stage",
        "etapa",
        "faza",
        "fase",
        "etapa del trato",
    ),
    "expected_close": (
        "expected close date",
        "close date",
        "closing date",
        "expected close",
        "data estimata de inchidere",
        "data inchiderii",
        "fecha de cierre",
        "fecha prevista de cierre",
    ),
    "contact_email": (
        "contact email",
        "person email",
        "contact person email",
        "associated contact email",
        "email",
        "e mail",
        "e mail contact",
        "correo del contacto",
        "correo",
    ),
}
SYNONYMS.update(OTHER_SYNONYMS)
for _key, _extra in EXTRA_SYNONYMS.items():
    SYNONYMS[_key] = SYNONYMS[_key] + _extra

# Headers that name one part of the name when another header holds the other part:
# "Nume" + "Prenume" in Romanian, "Nombre" + "Apellidos" in Spanish.
PAIRED_NAMES = {
    "nume": ("family_name", {"prenume"}),
    "nombre": ("given_name", {"apellido", "apellidos", "primer apellido"}),
}
# Prefixes other CRMs put before the field: "Person - Email - Work" (Pipedrive).
PREFIXES = ("person ", "contact ", "organization ", "organisation ", "lead ", "deal ")
NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_header(header: str) -> str:
    return NON_WORD.sub(" ", fold(header or "")).strip()


def targets(record_type: str, user=None) -> list[Target]:
    base = TARGETS[record_type]
    if record_type in NO_CUSTOM:
        return list(base)
    custom = [
        Target(f"{CUSTOM_PREFIX}{field.key}", field.label)
        for field in custom_fields.definitions(record_type, user)
    ]
    keep = Target(NEW_CUSTOM, _("A new custom field named after the column"), many=True)
    return [*base, *custom, keep]


def _lookup(record_type: str, allowed: set[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    first = LINK_FIRST if record_type in {"product", "order", "activity", "task"} else ()
    for key in sorted(SYNONYMS, key=lambda key: key not in first):
        words = SYNONYMS[key]
        if key not in allowed:
            continue
        for word in words:
            table.setdefault(normalise_header(word), key)
    return table


def guess(headers: list[str], record_type: str, user=None) -> list[str]:
    """A target key (or "" to ignore) for each header; single-valued targets are given to
    the first column that claims them."""
    available = targets(record_type, user)
    allowed = {target.key for target in available}
    many = {target.key for target in available if target.many}
    table = _lookup(record_type, allowed)
    for target in available:
        if target.key.startswith(CUSTOM_PREFIX):
            table.setdefault(normalise_header(str(target.label)), target.key)
            table.setdefault(normalise_header(target.key[len(CUSTOM_PREFIX) :]), target.key)
    normalised = [normalise_header(header) for header in headers]
    present = set(normalised)
    chosen: list[str] = []
    taken: set[str] = set()
    for header in normalised:
        key = _match(header, table, present, record_type)
        if key and (key in many or key not in taken):
            chosen.append(key)
            taken.add(key)
        else:
            chosen.append(IGNORE)
    return chosen


def _match(header: str, table: dict[str, str], present: set[str], record_type: str) -> str:
    if record_type == "contact" and header in PAIRED_NAMES:
        key, partners = PAIRED_NAMES[header]
        if partners & present:
            return key
    candidates = [header]
    for prefix in PREFIXES:
        if header.startswith(prefix):
            candidates.append(header[len(prefix) :])
    for candidate in list(candidates):
        # "Email 2", "Phone - Work", "E-mail 1 - Value": the field without its qualifier.
        trimmed = re.sub(r"( \d+)?( (value|work|home|other|mobile|main))?$", "", candidate)
        if trimmed != candidate:
            candidates.append(trimmed)
    for candidate in candidates:
        if candidate in table:
            return table[candidate]
    return IGNORE


def from_template(headers: list[str], saved: dict[str, str], allowed: set[str]) -> list[str]:
    """A saved mapping (header → target) applied to a file's headers."""
    by_header = {normalise_header(header): target for header, target in saved.items()}
    return [
        target if (target := by_header.get(normalise_header(header), "")) in allowed else ""
        for header in headers
    ]
