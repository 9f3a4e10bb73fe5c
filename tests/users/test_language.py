"""Each person reads Clientela in their own language (R28): the one on their account once
logged in, the browser's before; a picker in the user menu and on the log-in page."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core.models import AuditEntry
from clientela.users import services
from clientela.users.models import User


def js_catalogue(response) -> dict:
    """The strings a JavaScript catalogue holds."""
    body = response.content.decode()
    start = body.index("const newcatalog = ") + len("const newcatalog = ")
    return json.loads(body[start : body.index("};", start) + 1])


def html_lang(response) -> str:
    body = response.content.decode()
    start = body.index('<html lang="') + len('<html lang="')
    return body[start : body.index('"', start)]


@pytest.mark.django_db
def test_a_visitor_gets_the_browser_s_language(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
    assert page.status_code == 200
    assert html_lang(page) == "es"
    assert page["Content-Language"] == "es"
    body = page.content.decode()
    assert "Inicia sesión en Clientela" in body and "Log in to Clientela" not in body

    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="hi-IN,hi;q=0.9")
    assert html_lang(page) == "hi"
    assert "Clientela में लॉग इन करें" in page.content.decode()


@pytest.mark.django_db
def test_a_logged_in_person_gets_their_own_language_whatever_the_browser_asks(user, client):
    services.set_language(actor=user, language="ro")
    client.force_login(user)
    page = client.get("/contacts/", HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "ro"
    body = page.content.decode()
    assert ">Contacte<" in body and "Schimbați parola" in body
    assert ">Contactos<" not in body and "Change password" not in body


@pytest.mark.django_db
def test_no_language_on_the_account_follows_the_browser(user, client):
    client.force_login(user)
    page = client.get("/contacts/", HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "es"
    assert "Cambiar contraseña" in page.content.decode()


@pytest.mark.django_db
def test_the_person_s_language_costs_no_query(make_user, client):
    """The middleware reads the user the request loads anyway."""
    counts = {}
    for language in ("", "hi"):
        person = make_user(email=f"p{language or 'none'}@firma.ro")
        services.set_language(actor=person, language=language)
        client.force_login(person)
        client.get("/contacts/")  # fills the process's caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/contacts/").status_code == 200
        counts[language] = len(captured)
    assert counts["hi"] == counts[""]


@pytest.mark.django_db
def test_the_user_menu_picker_saves_the_language_on_the_account(user, client):
    client.force_login(user)
    menu = client.get("/contacts/").content.decode()
    assert 'action="/language/"' in menu
    for code, name in (("en", "English"), ("ro", "Română"), ("es", "Español"), ("hi", "हिंदी")):
        assert f'<option value="{code}" lang="{code}"' in menu and name in menu

    response = client.post("/language/", {"language": "hi", "next": "/contacts/?owner=me"})
    assert response.status_code == 302 and response["Location"] == "/contacts/?owner=me"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    user.refresh_from_db()
    assert user.language == "hi"
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=user.pk
    ).latest("id")
    assert entry.action == "update" and entry.actor == user
    assert entry.changes == {"language": ["", "hi"]}

    page = client.get("/contacts/?owner=me")
    assert html_lang(page) == "hi" and "संपर्क" in page.content.decode()


@pytest.mark.django_db
def test_the_log_in_page_picker_sets_the_cookie_for_a_visitor(client):
    page = client.get("/login/").content.decode()
    assert 'action="/language/"' in page and 'name="language"' in page
    response = client.post("/language/", {"language": "ro", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ro"
    page = client.get("/login/")
    assert html_lang(page) == "ro"
    assert "Autentificare în Clientela" in page.content.decode()


@pytest.mark.django_db
def test_the_picker_refuses_a_language_not_offered_and_a_foreign_next(user, client):
    client.force_login(user)
    response = client.post("/language/", {"language": "xx", "next": "/contacts/"}, follow=True)
    user.refresh_from_db()
    assert user.language == ""
    assert "Choose one of the languages offered." in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies or not (
        response.cookies[settings.LANGUAGE_COOKIE_NAME].value
    )

    response = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_picker_takes_posts_only(client):
    assert client.get("/language/?language=ro").status_code == 405


def test_set_language_refuses_an_unknown_language(db, user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.set_language(actor=user, language="fr")
    user.refresh_from_db()
    assert user.language == ""


@pytest.mark.django_db
def test_the_javascript_catalogue_is_served_here_in_the_page_s_language(user, client):
    services.set_language(actor=user, language="ro")
    client.force_login(user)
    page = client.get("/contacts/").content.decode()
    assert '<script src="/jsi18n/?l=ro&amp;v=' in page
    assert "cdn" not in page.lower()

    script = client.get("/jsi18n/?l=ro&v=1")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")
    assert js_catalogue(script) == {
        "%(count)s selected": ["%(count)s selectată", "%(count)s selectate", "%(count)s selectate"]
    }
    assert "max-age=86400" in script["Cache-Control"]

    client.logout()  # the log-in page loads it too
    hindi = js_catalogue(client.get("/jsi18n/?l=hi&v=1"))
    assert hindi == {"%(count)s selected": ["%(count)s चुना गया", "%(count)s चुने गए"]}


@pytest.mark.django_db
def test_the_invitation_is_written_in_the_invited_person_s_language(user, mailoutbox, make_user):
    from clientela.users.services import role_named

    manager = make_user(email="sef@firma.ro", role=role_named("administrator"))
    invited = services.invite_user(
        actor=manager,
        email="ion@firma.ro",
        full_name="Ion Pop",
        team=None,
        role=role_named("manager"),
        base_url="http://testserver/",
    )
    services.set_language(actor=invited, language="ro")
    mailoutbox.clear()
    services.send_invitation(actor=manager, user=invited, base_url="http://testserver/")
    assert len(mailoutbox) == 1
    assert "vă invită în Clientela" in mailoutbox[0].subject
    assert "Bună ziua, Ion Pop" in mailoutbox[0].body
