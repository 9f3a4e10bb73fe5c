"""A rep who sees the team's records: the team's members are read once per request, not
once per card of a record page (each card narrows its records to the team)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.customers import services
from clientela.users.services import create_user, role_named, team_named


def test_a_record_page_reads_the_team_once(client, db):
    team = team_named("Sales")
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    mate = create_user(email="mate@firma.ro", role=role_named("sales-representative"), team=team)
    company = services.create_company(actor=mate, data={"name": "Fabrica SRL"})
    client.force_login(rep)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(company.get_absolute_url())

    assert response.status_code == 200
    assert "Fabrica SRL" in response.content.decode()
    team_reads = [
        query["sql"]
        for query in queries.captured_queries
        # The visibility rule's lookup: the ids of the team's active members.
        if query["sql"].startswith('SELECT "users_user"."id" AS "pk" FROM "users_user"')
        and '"team_id" =' in query["sql"]
    ]
    assert len(team_reads) == 1, team_reads
