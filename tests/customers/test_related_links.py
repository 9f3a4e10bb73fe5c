"""A record may name a related one its reader may not open — a rep's contact working at
another team's company, a deal of theirs with that company. The name is part of the
record they see; a link to it is not: it would answer 404 (the load test found 40 % of
reps' clicks on a contact's company did). Those they may open stay links."""

from __future__ import annotations

import re

import pytest

from clientela.customers import services
from clientela.deals import services as deal_services
from clientela.users.services import create_user

COMPANY = "Livada de Sus SRL"


@pytest.fixture
def contact_at_other_teams_company(two_teams):
    owner_b, rep_a = two_teams
    company = services.create_company(actor=owner_b, data={"name": COMPANY})
    # The system (an import, an administrator) put Radu's contact at Bogdan's company.
    contact = services.create_contact(
        actor=None, data={"full_name": "Ion Pop", "company": company, "owner": rep_a}
    )
    deal = deal_services.create_deal(
        actor=None, data={"name": "Livada renewal", "company": company, "owner": rep_a}
    )
    return rep_a, owner_b, company, contact, deal


def links_to(html: str, path: str) -> bool:
    return bool(re.search(rf'<a[^>]+href="{re.escape(path)}"', html))


def test_a_company_the_reader_cannot_open_is_named_not_linked(
    client, contact_at_other_teams_company
):
    rep_a, _, company, contact, deal = contact_at_other_teams_company
    client.force_login(rep_a)
    assert client.get(company.get_absolute_url()).status_code == 404

    for page in [contact.get_absolute_url(), "/contacts/", deal.get_absolute_url(), "/deals/list/"]:
        html = client.get(page).content.decode()
        assert COMPANY in html, page
        assert not links_to(html, company.get_absolute_url()), page


def test_a_company_the_reader_may_open_stays_a_link(client, contact_at_other_teams_company):
    _, _, company, contact, deal = contact_at_other_teams_company
    admin = create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)
    client.force_login(admin)
    for page in [contact.get_absolute_url(), "/contacts/", deal.get_absolute_url(), "/deals/list/"]:
        html = client.get(page).content.decode()
        assert links_to(html, company.get_absolute_url()), page
