"""Demo companies and contacts with names from Romania, Spain, India and English-speaking
countries, spread over owners and stages so every list and page has something to show."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clientela.customers import demo_timeline, services
from clientela.customers.models import Contact
from clientela.users import selectors as user_selectors
from clientela.users.models import User

COMPANIES = [
    ("Fabrica de Pâine Cluj SRL", "Food", "fabricadepaine.ro", "RO", "Cluj-Napoca"),
    ("Transilvania Logistic SA", "Logistics", "translogistic.ro", "RO", "Brașov"),
    ("Dacia Soft SRL", "Software", "daciasoft.ro", "RO", "București"),
    ("Hermanos Ruiz e Hijos SL", "Wholesale", "hermanosruiz.es", "ES", "Sevilla"),
    ("Cervecería Montaña SA", "Beverages", "cerveceriamontana.es", "ES", "León"),
    ("Clínica Dental Sonrisa", "Healthcare", "sonrisa.es", "ES", "Málaga"),
    ("Sharma Textiles Pvt Ltd", "Textiles", "sharmatextiles.in", "IN", "Jaipur"),
    ("Ganga Agro Exports", "Agriculture", "gangaagro.in", "IN", "Patna"),
    ("Northwind Traders Ltd", "Retail", "northwind.example", "GB", "Leeds"),
    ("Blue Harbor Consulting", "Consulting", "blueharbor.example", "US", "Boston"),
    ("Maple & Oak Furniture", "Furniture", "mapleoak.example", "US", "Portland"),
    ("Riverside Dental Group", "Healthcare", "riversidedental.example", "US", "Austin"),
]
PEOPLE = {
    "RO": [
        ("Andrei", "Popa"),
        ("Elena", "Dumitru"),
        ("Mihai", "Stan"),
        ("Ioana", "Munteanu"),
        ("Ștefan", "Gheorghe"),
        ("Cristina", "Rădulescu"),
        ("Bogdan", "Matei"),
        ("Alina", "Țurcanu"),
    ],
    "ES": [
        ("Lucía", "Fernández"),
        ("Javier", "Gómez"),
        ("Carmen", "Díaz"),
        ("Pablo", "Moreno"),
        ("Sofía", "Álvarez"),
        ("Diego", "Romero"),
        ("Marta", "Navarro"),
        ("Álvaro", "Torres"),
    ],
    "IN": [
        ("Priya", "Sharma"),
        ("Rahul", "Verma"),
        ("Ananya", "Iyer"),
        ("Vikram", "Singh"),
        ("Deepa", "Nair"),
        ("Arjun", "Reddy"),
    ],
    "GB": [("Oliver", "Hughes"), ("Charlotte", "Evans"), ("Harry", "Walsh")],
    "US": [
        ("Emma", "Johnson"),
        ("Liam", "Miller"),
        ("Olivia", "Davis"),
        ("Noah", "Wilson"),
        ("Ava", "Thompson"),
        ("Mason", "Clark"),
    ],
}
PHONE_FORMATS = {
    "RO": "07{:02d} {:03d} {:03d}",
    "ES": "6{:02d} {:03d} {:03d}",
    "IN": "98{:03d} {:05d}",
    "GB": "07700 9{:02d}{:03d}",
    "US": "(202) 555-{:04d}",
}
POSITIONS = ["CEO", "Purchasing manager", "Office manager", "CFO", "Head of sales", "Owner", ""]
TAGS = ["vip", "newsletter", "partner", "trade fair 2026", "reseller"]


def _phone(rng: random.Random, country: str) -> str:
    if country == "US":
        return PHONE_FORMATS["US"].format(rng.randint(100, 199))
    if country == "IN":
        return PHONE_FORMATS["IN"].format(rng.randint(100, 999), rng.randint(10000, 99999))
    if country == "GB":
        return PHONE_FORMATS["GB"].format(rng.randint(0, 99), rng.randint(0, 999))
    return PHONE_FORMATS[country].format(
        rng.randint(20, 89), rng.randint(100, 999), rng.randint(100, 999)
    )


REGIONS = {"RO": "RO", "ES": "ES", "IN": "IN", "GB": "GB", "US": "US"}


def load() -> str:
    return f"{_companies_and_people()}; {demo_timeline.load()}"


def _companies_and_people() -> str:
    if (
        Contact.objects.filter(email__endswith=".example").exists()
        or Contact.objects.filter(email__endswith="fabricadepaine.ro").exists()
    ):
        return "contacts already there"
    rng = random.Random(2026)
    admin = User.objects.filter(is_superuser=True).order_by("date_joined").first()
    team = list(user_selectors.active().order_by("date_joined"))
    stages = services.ensure_stages()
    actor = admin or team[0]
    created = 0
    # Each person works at one company: names are drawn from a shuffled pool per country.
    pools = {country: rng.sample(people, k=len(people)) for country, people in PEOPLE.items()}
    for name, industry, domain, country, city in COMPANIES:
        company = services.create_company(
            actor=actor,
            data={
                "name": name,
                "industry": industry,
                "website": f"https://{domain}",
                "emails": [f"office@{domain}"],
                "owner": rng.choice(team),
                "tags": rng.sample(TAGS, k=rng.randint(0, 2)),
                "addresses": [{"address_kind": "billing", "city": city, "country": country}],
            },
        )
        pool = pools[country]
        for given, family in [pool.pop() for _ in range(min(len(pool), rng.randint(2, 4)))]:
            local = f"{given}.{family}".lower()
            phone = _phone(rng, country) if country == "RO" else _phone_intl(rng, country)
            services.create_contact(
                actor=actor,
                data={
                    "given_name": given,
                    "family_name": family,
                    "position": rng.choice(POSITIONS),
                    "company": company,
                    "emails": [_ascii(f"{local}@{domain}")],
                    "phones": [phone],
                    "lifecycle_stage": rng.choice(stages),
                    "source": rng.choice(["web", "referral", "event", "campaign", "manual"]),
                    "owner": rng.choice(team),
                    "tags": rng.sample(TAGS, k=rng.randint(0, 2)),
                    "marketing_consent": rng.random() < 0.6,
                },
            )
            created += 1
    # Some records nobody has touched for two months, so "needs attention" has content.
    old = timezone.now() - datetime.timedelta(days=62)
    Contact.objects.filter(
        pk__in=list(Contact.objects.order_by("id").values_list("pk", flat=True)[::5])
    ).update(created_at=old)
    return f"{len(COMPANIES)} companies and {created} contacts added"


def _phone_intl(rng: random.Random, country: str) -> str:
    codes = {"ES": "+34 ", "IN": "+91 ", "GB": "+44 ", "US": "+1 "}
    number = _phone(rng, country)
    if country == "US":
        return codes["US"] + number
    return codes[country] + number.lstrip("0")


def _ascii(text: str) -> str:
    from clientela.core.text import fold

    return fold(text).replace(" ", "")
