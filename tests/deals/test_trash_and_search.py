"""A deal in the trash comes back from the Trash page; search finds deals but not amounts."""

from __future__ import annotations

from clientela.deals.models import Deal


def test_a_trashed_deal_leaves_the_board_and_comes_back_from_the_trash(client, people, history):
    client.force_login(people[0])
    deal = Deal.objects.get(name="D3")
    assert client.post(f"/deals/{deal.pk}/trash/")["Location"] == "/deals/list/"
    assert ">D3<" not in client.get("/deals/list/").content.decode()
    assert client.get(deal.get_absolute_url()).status_code == 404
    trash = client.get("/trash/").content.decode()
    assert "D3" in trash and "Deal" in trash
    client.post("/trash/action/", {"type": "deal", "id": deal.pk, "action": "restore"})
    assert client.get(deal.get_absolute_url()).status_code == 200


def test_search_finds_a_deal_by_name_and_company_never_by_amount(client, people, history):
    client.force_login(people[0])
    found = client.get("/search/?q=D4").content.decode()
    assert f"/deals/{Deal.objects.get(name='D4').pk}/" in found
    by_amount = client.get("/search/?q=2500").content.decode()
    assert not any(f"/deals/{deal.pk}/" in by_amount for deal in Deal.objects.all())


def test_custom_fields_on_a_deal_are_edited_and_shown(client, people, history):
    from clientela.core.models import CustomField, FieldType

    CustomField.objects.create(
        record_type="deal", key="tender", label="Tender number", field_type=FieldType.TEXT
    )
    client.force_login(people[0])
    deal = Deal.objects.get(name="D3")
    form = client.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert 'name="custom__tender"' in form
    client.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": "D3",
            "stage": deal.stage_id,
            "amount": "1000.00",
            "currency": "RON",
            "source": "manual",
            "owner": people[0].pk,
            "custom__tender": "T-2026/114",
            "version": deal.version,
        },
    )
    deal.refresh_from_db()
    assert deal.custom == {"tender": "T-2026/114"}
    assert "T-2026/114" in client.get(deal.get_absolute_url()).content.decode()
