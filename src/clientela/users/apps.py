"""Registers the users app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "clientela.users"
    label = "users"
    verbose_name = _("Users")

    def ready(self) -> None:
        from clientela.core import audit
        from clientela.users import services
        from clientela.users.models import Role, Team, User

        audit.register(User, services.user_snapshot)
        audit.register(Role, services.role_snapshot)
        audit.register(Team, services.team_snapshot)
