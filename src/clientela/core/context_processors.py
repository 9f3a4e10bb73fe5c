"""Template context every page needs: the sidebar areas for the person looking."""

from django.http import HttpRequest

from clientela.core.navigation import areas_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_areas": areas_for(user, request.path)}
