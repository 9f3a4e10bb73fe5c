"""Demo colleagues, named as people in Romania, Spain and English-speaking countries are."""

from __future__ import annotations

from clientela.users import services
from clientela.users.models import User

DEMO_DOMAIN = "demo.clientela.example"
DEMO_PEOPLE = (
    ("Ana Popescu", "ana.popescu", "Sales", "sales-representative"),
    ("Ștefan Ionescu", "stefan.ionescu", "Sales", "sales-representative"),
    ("María García López", "maria.garcia", "Support", "support-agent"),
    ("José Martínez", "jose.martinez", "Sales", "manager"),
    ("Emily Carter", "emily.carter", "Marketing", "marketing"),
    ("James O'Brien", "james.obrien", "Management", "manager"),
)


def load() -> str:
    created = 0
    services.ensure_default_roles()
    for full_name, local_part, team_name, role_key in DEMO_PEOPLE:
        email = f"{local_part}@{DEMO_DOMAIN}"
        if User.objects.filter(email__iexact=email).exists():
            continue
        # No password: demo colleagues own records but nobody logs in as them.
        services.create_user(
            email=email,
            full_name=full_name,
            role=services.role_named(role_key),
            team=services.team_named(team_name),
        )
        created += 1
    return f"{created} colleagues added" if created else "colleagues already there"
