"""The product's URLs plus the bench's floor: a bare page rendering only the user's name."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_safe

from clientela.urls import urlpatterns as product_urlpatterns

BARE = engines["django"].from_string("<p>{{ request.user.display_name }}</p>")


@require_safe
def bare_page(request):
    """The cheapest authenticated page: sessions, auth and a template, no customer data."""
    return HttpResponse(BARE.render({}, request))


urlpatterns = [path("bench/bare/", bare_page, name="bench-bare"), *product_urlpatterns]
