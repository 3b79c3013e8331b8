"""What each admin group may open and do, as its migrations grant it (DESIGN §1).

Organizers watch counts, read replies, export signatures, prepare and record handovers:
every admin page of that daily work opens for them (200), and what they record there is
written. Editors manage cases, pages and sample letters, which organizers only read. A
user in no group, or one who may only enter the admin, is refused everything here. Each
page is opened with the group's permissions, never a superuser's, so a missing grant
fails here.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page

from handovers import services as handovers
from handovers.models import Handover, HandoverPack
from letters import services as letters
from letters.models import Delivery
from letters.services import bundles
from petitions.models import ReportedAction, SolidarityMessage
from tests.factories import (
    ConfirmedSignatureFactory,
    EmbassyFactory,
    HandoverFactory,
    LetterFactory,
    LetterTemplateFactory,
    SolidarityMessageFactory,
    SupporterFactory,
    TargetFactory,
    UserFactory,
    admin_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_settings")]

REFUSED = (302, 403)


def member_of(name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def work(case, official):
    """A case with what an organizer looks at on a working day: a signature, a letter in
    the outbox, letters waiting to be printed, a pack, a handover, a message to moderate
    and an action reported from offline."""
    ConfirmedSignatureFactory(action=case)
    [delivery] = letters.queue_letter(letter=LetterFactory(case=case, targets=[official]))
    # No email address: its letters wait for a printed bundle.
    governor = TargetFactory(name="Gobernador", email="", postal_address="Palacio de Gobierno")
    letters.queue_letter(letter=LetterFactory(case=case, targets=[governor]))
    embassy = EmbassyFactory()
    pack = handovers.request_pack(action=case, recipient=embassy)
    assert handovers.build_pack(pack_id=pack.pk)
    pack.refresh_from_db()
    return {
        "case": case,
        "delivery": delivery,
        "governor": governor,
        "embassy": embassy,
        "pack": pack,
        "handover": HandoverFactory(action=case, recipient=embassy),
        "message": SolidarityMessageFactory(action=case),
        "reported": ReportedAction.objects.create(
            action=case, supporter=SupporterFactory(), kind=ReportedAction.Kind.CALLED
        ),
        "template": LetterTemplateFactory(case=case),
    }


def daily_pages(work) -> list[str]:
    """Every admin page of an organizer's daily work, by the objects of ``work``."""
    case, pack = work["case"], work["pack"]
    return [
        reverse("case_dashboard:index"),
        reverse("case_dashboard:case", args=[case.pk]),
        reverse("signatures:index"),
        reverse("petitions_report", args=[case.pk]),
        reverse("handover_packs:index"),
        reverse("handover_packs:add"),
        reverse("handover_packs:inspect", args=[pack.pk]),
        reverse("handover_packs:progress", args=[pack.pk]),
        reverse("handover_packs:download", args=[pack.pk, "pdf"]),
        reverse("handover_records:index"),
        reverse("handover_records:add"),
        reverse("handover_records:edit", args=[work["handover"].pk]),
        # The handover's photo: uploading one.
        reverse("wagtailimages:add"),
        reverse("solidarity_messages:index"),
        reverse("solidarity_messages:inspect", args=[work["message"].pk]),
        reverse("solidarity_messages:export", args=[case.pk]),
        reverse("reported_actions:index"),
        reverse("deliveries:index"),
        reverse("deliveries:inspect", args=[work["delivery"].pk]),
        reverse("letter_counts:index"),
        reverse("letter_bundles:index"),
        reverse("letter_templates:index"),
        reverse("reply_inbox:index"),
    ]


def test_an_organizer_opens_every_page_of_the_daily_work(client, work):
    client.force_login(member_of("Organizers"))
    for url in daily_pages(work):
        response = client.get(url)
        assert response.status_code == 200, url


def test_a_user_in_no_group_is_refused_every_page_of_it(client, work):
    # One who may not enter the admin, and one who may but holds nothing else.
    for user in (UserFactory(), admin_user()):
        client.force_login(user)
        for url in daily_pages(work):
            assert client.get(url).status_code in REFUSED, (user, url)


def test_an_organizer_builds_a_pack_and_records_a_handover(client, work):
    organizer = member_of("Organizers")
    client.force_login(organizer)
    case, embassy = work["case"], work["embassy"]

    response = client.post(
        reverse("handover_packs:add"), {"action": case.pk, "recipient": embassy.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert HandoverPack.objects.filter(requested_by=organizer).count() == 1

    response = client.post(
        reverse("handover_records:add"),
        {
            "action": case.pk,
            "recipient": embassy.pk,
            "pack": work["pack"].pk,
            "handed_over_on": "2026-11-20",
            "place": "Ottawa",
            "delivered_by": "Section staff",
            "received_by": "Consul",
            "count_delivered": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    handover = Handover.objects.get(recorded_by=organizer)
    assert handover.fingerprint == work["pack"].fingerprint

    # The record is corrected later, when the embassy acknowledges receipt.
    edit = client.get(reverse("handover_records:edit", args=[handover.pk]))
    assert edit.status_code == 200


def test_an_organizer_moderates_a_message_and_posts_a_bundle(client, work):
    client.force_login(member_of("Organizers"))
    message = work["message"]
    response = client.post(reverse("solidarity_messages:moderate", args=[message.pk, "approve"]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == SolidarityMessage.Status.APPROVED

    response = client.post(reverse("letter_bundles:prepare", args=[work["governor"].pk]))
    assert response.status_code == 302
    [bundle] = bundles.open_bundles()
    pdf = client.get(reverse("letter_bundles:pdf", args=[bundle["key"]]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    response = client.post(reverse("letter_bundles:posted", args=[bundle["key"]]))
    assert response.status_code == 302
    assert Delivery.objects.get(target=work["governor"]).status == Delivery.Status.SENT


def test_an_organizer_reads_but_never_edits_cases_pages_sample_letters_or_the_outbox(client, work):
    client.force_login(member_of("Organizers"))
    case = work["case"]
    page = Page.objects.get(depth=2)
    refused = [
        reverse("urgent_actions:edit", args=[case.pk]),
        reverse("urgent_actions:add"),
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[page.pk]),
        reverse("letter_templates:edit", args=[work["template"].pk]),
        reverse("letter_templates:add"),
        reverse("deliveries:edit", args=[work["delivery"].pk]),
        reverse("handover_packs:edit", args=[work["pack"].pk]),
        reverse("handover_packs:delete", args=[work["pack"].pk]),
        reverse("handover_records:delete", args=[work["handover"].pk]),
        reverse("solidarity_messages:delete", args=[work["message"].pk]),
        reverse("reported_actions:edit", args=[work["reported"].pk]),
        reverse("reported_actions:delete", args=[work["reported"].pk]),
    ]
    for url in refused:
        assert client.get(url).status_code in REFUSED, url
    assert client.get(reverse("urgent_actions:inspect", args=[case.pk])).status_code == 200
    response = client.post(reverse("handover_records:delete", args=[work["handover"].pk]))
    assert response.status_code in REFUSED
    assert Handover.objects.filter(pk=work["handover"].pk).exists()


def test_editors_manage_cases_and_sample_letters_but_not_handovers_or_moderation(client, work):
    client.force_login(member_of("Editors"))
    case, message = work["case"], work["message"]
    for url in (
        reverse("urgent_actions:edit", args=[case.pk]),
        reverse("letter_templates:add"),
        reverse("letter_templates:edit", args=[work["template"].pk]),
        reverse("delivery_policies:index"),
    ):
        assert client.get(url).status_code == 200, url

    for url in (reverse("handover_records:add"), reverse("handover_packs:add")):
        assert client.get(url).status_code in REFUSED, url
    response = client.post(
        reverse("handover_records:add"),
        {
            "action": case.pk,
            "recipient": work["embassy"].pk,
            "handed_over_on": "2026-11-21",
            "place": "Ottawa",
            "delivered_by": "Editor",
        },
    )
    assert response.status_code in REFUSED
    assert not Handover.objects.filter(handed_over_on=datetime.date(2026, 11, 21)).exists()
    response = client.post(reverse("solidarity_messages:moderate", args=[message.pk, "approve"]))
    assert response.status_code in REFUSED
    message.refresh_from_db()
    assert message.status == SolidarityMessage.Status.PENDING
