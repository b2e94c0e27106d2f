"""The hotline shows the caller's contract and whether it covers calls around the clock."""

import datetime as dt

from django.urls import reverse

from servicedesk.sla.models import Contract

CALLER = reverse("desk:hotline_caller")


def test_the_caller_panel_shows_the_valid_contracts_and_the_24x7_flag(client, l1_agent, customer_user, contract):
    contract.hotline_24x7 = True
    contract.save()
    Contract.objects.create(  # expired: not shown
        organization=customer_user.organization,
        name="Old support",
        plan=contract.plan,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2020, 12, 31),
    )
    client.force_login(l1_agent)
    html = client.get(CALLER, {"contact": customer_user.pk}).content.decode()
    assert "Support 2026 (Business)" in html and "24/7 hotline" in html
    assert "Old support" not in html


def test_without_a_contract_the_panel_says_so(client, l1_agent, customer_user):
    client.force_login(l1_agent)
    html = client.get(CALLER, {"contact": customer_user.pk}).content.decode()
    assert "No valid contract" in html
