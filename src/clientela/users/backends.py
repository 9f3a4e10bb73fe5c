"""Loads the logged-in user with their role and team in the same query: every request
checks permissions, so they are needed on every page."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from clientela.users.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("role", "team").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
