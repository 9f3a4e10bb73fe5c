"""Demo data for imports: a saved HubSpot mapping and a finished import of a small HubSpot
export, with one row rejected, so the Import page shows what a real run looks like."""

from __future__ import annotations

import csv
import io

from clientela.dataio.importing import services
from clientela.dataio.models import ImportRun, MappingTemplate
from clientela.users.models import User

TEMPLATE = "HubSpot contacts (demo)"
HEADER = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Company Name",
    "Job Title",
    "Lifecycle Stage",
    "City",
    "Notes",
]
ROWS = [
    [
        "9001",
        "Irina",
        "Constantinescu",
        "irina@livada-verde.ro",
        "0745 201 301",
        "Livada Verde SRL",
        "Achiziții",
        "opportunity",
        "Cluj-Napoca",
        "Met at the Bucharest fair",
    ],
    [
        "9002",
        "Tudor",
        "Marinescu",
        "tudor@livada-verde.ro",
        "0745 201 302",
        "Livada Verde SRL",
        "Logistică",
        "lead",
        "Cluj-Napoca",
        "",
    ],
    [
        "9003",
        "Carmen",
        "Ruiz Ortega",
        "carmen@olivares.es",
        "+34 622 100 200",
        "Olivares del Sur",
        "Compras",
        "customer",
        "Sevilla",
        "Prefers WhatsApp",
    ],
    [
        "9004",
        "Pablo",
        "Iglesias Mora",
        "pablo@olivares",
        "+34 622 100 201",
        "Olivares del Sur",
        "Gerente",
        "customer",
        "Sevilla",
        "",
    ],
    [
        "9005",
        "Ananya",
        "Iyer",
        "ananya@chai-co.in",
        "+91 98200 11122",
        "Chai & Co",
        "Founder",
        "salesqualifiedlead",
        "Pune",
        "",
    ],
]


def load() -> str:
    if MappingTemplate.objects.filter(name=TEMPLATE).exists():
        return ""
    MappingTemplate.objects.create(
        name=TEMPLATE,
        record_type="contact",
        mapping={
            "Record ID": "external_id",
            "First Name": "given_name",
            "Last Name": "family_name",
            "Email": "email",
            "Phone Number": "phone",
            "Company Name": "company",
            "Job Title": "position",
            "Lifecycle Stage": "lifecycle_stage",
            "City": "city",
            "Notes": "note",
        },
    )
    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if actor is None:
        return "a saved HubSpot mapping (no administrator yet to run the sample import)"
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *ROWS])
    run = services.create_run(
        actor=actor,
        source=io.BytesIO(out.getvalue().encode()),
        file_name="hubspot-crm-exports-contacts.csv",
        record_type="contact",
    )
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    run = services.execute(run.pk)
    return f"a saved HubSpot mapping and a sample import ({run.created} created, {run.rejected} rejected)"
