"""Users in the API, read-only: who records and tasks can be assigned to."""

from ninja import Schema

from clientela.api.registry import Resource, register
from clientela.users import selectors
from clientela.users.models import User


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    team: str | None
    role: str | None


register(
    Resource(
        name="users",
        label="user",
        model=User,
        out=UserOut,
        queryset=selectors.assignable,
        serialize=lambda person, user: {
            "id": person.pk,
            "email": person.email,
            "full_name": person.display_name,
            "team": person.team.name if person.team_id else None,
            "role": person.role.key if person.role_id else None,
        },
        sorts={"email": ["email", "id"]},
        default_sort="email",
    )
)
