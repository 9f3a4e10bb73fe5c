"""Logging in with an e-mail, logging out, and resetting a forgotten password."""

import re

import pytest
from django.core import mail


@pytest.mark.django_db
def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


@pytest.mark.django_db
def test_login_with_email_in_any_case_reaches_the_home_page(client, user):
    response = client.post(
        "/login/",
        {"username": "ANA.Popescu@Firma.ro", "password": "Corect-cal-baterie-9"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/"
    page = response.content.decode()
    assert "Welcome, Ana" in page
    assert 'aria-current="page"' in page


@pytest.mark.django_db
def test_wrong_password_says_so_and_keeps_the_email(client, user):
    response = client.post("/login/", {"username": user.email, "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "That e-mail and password do not match an active account." in page
    assert f'value="{user.email}"' in page


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(user_client):
    assert user_client.get("/").status_code == 200
    response = user_client.post("/logout/")
    assert response.status_code == 302
    assert user_client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email_link(client, user):
    response = client.post("/password-reset/", {"email": "ana.popescu@firma.ro"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Rau-Dunarea-curge-7", "new_password2": "Rau-Dunarea-curge-7"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Rau-Dunarea-curge-7")


@pytest.mark.django_db
def test_unknown_page_shows_the_products_404(user_client):
    response = user_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is no page at this address." in response.content.decode()


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case(make_user):
    from django.core.exceptions import ValidationError

    make_user(email="jose@empresa.es")
    with pytest.raises(ValidationError):
        make_user(email="JOSE@empresa.es")
