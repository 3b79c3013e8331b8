import datetime

import pytest
from celery import current_app
from django.core import mail
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from campaigns import tasks as campaign_tasks
from campaigns.models import Announcement, Consent, Download
from campaigns.private_files import private_storage
from handovers import services
from handovers.models import HandoverPack
from tests.factories import (
    ConfirmedSignatureFactory,
    ConsentFactory,
    EmbassyFactory,
    HandoverFactory,
    PaperTallyFactory,
    SupporterFactory,
    UrgentActionFactory,
    admin_user,
)
from tests.petitions.helpers import run_queued

pytestmark = pytest.mark.django_db

FINGERPRINT = "ab" * 32


def record(action, **kwargs):
    defaults = {
        "recipient": EmbassyFactory(organisation="Embassy of Mexico"),
        "handed_over_on": datetime.date(2026, 11, 20),
        "place": "Ottawa",
        "delivered_by": "Section director",
    }
    return services.record_handover(action=action, **{**defaults, **kwargs})


def ready_pack(action, *, online=35000, paper=0):
    return HandoverPack.objects.create(
        action=action,
        recipient=EmbassyFactory(),
        status=HandoverPack.Status.READY,
        online_count=online,
        paper_count=paper,
        fingerprint=FINGERPRINT,
        counted_until=timezone.now(),
    )


def test_handover_freezes_the_pack_count_and_fingerprint():
    action = UrgentActionFactory()
    pack = ready_pack(action, online=34000, paper=1000)
    handover = record(action, pack=pack)
    pack.online_count = 99
    pack.save()
    handover.refresh_from_db()
    assert handover.count_delivered == 35000 and handover.fingerprint == FINGERPRINT


def test_handover_without_pack_freezes_the_current_count():
    action = UrgentActionFactory()
    for _ in range(3):
        ConfirmedSignatureFactory(action=action)
    PaperTallyFactory(action=action, count=2)
    from petitions import counts

    counts.reconcile(action_id=action.pk)
    assert record(action).count_delivered == 5


def test_handover_refuses_a_pack_of_another_case_or_not_ready():
    action = UrgentActionFactory()
    with pytest.raises(ValidationError):
        record(action, pack=ready_pack(UrgentActionFactory()))
    building = ready_pack(action)
    building.status = HandoverPack.Status.BUILDING
    building.save()
    with pytest.raises(ValidationError):
        record(action, pack=building)


def test_timeline_says_how_many_messages_were_handed_to_whom():
    handover = HandoverFactory(
        recipient=EmbassyFactory(organisation="Embassy of Mexico"), count_delivered=35000
    )
    html = render_to_string("handovers/_timeline.html", {"action": handover.action})
    assert "35,000 messages handed to Embassy of Mexico in Ottawa on 20 November" in html
    assert "Section staff" not in html  # who delivered it is for organizers only


@pytest.fixture
def eager():
    """Queued tasks run at once, and their errors reach the caller."""
    conf = current_app.conf
    was = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = was


def test_supporters_who_agreed_to_updates_are_told_once(eager, django_capture_on_commit_callbacks):
    action = UrgentActionFactory(number="58/20")
    told = ConsentFactory(action=action, kind=Consent.Kind.CASE_UPDATES).supporter
    spanish = SupporterFactory(language="es")
    ConsentFactory(supporter=spanish, action=action, kind=Consent.Kind.CASE_UPDATES)
    ConsentFactory(action=action, kind=Consent.Kind.CASE_UPDATES, withdrawn_at=timezone.now())
    ConsentFactory(action=action, kind=Consent.Kind.SHARE_NAME)
    ConsentFactory(kind=Consent.Kind.CASE_UPDATES)  # another case

    with django_capture_on_commit_callbacks(execute=True):
        handover = record(action, count_delivered=35000)
    announcement = Announcement.objects.get(kind=Announcement.Kind.HANDOVER)
    assert announcement.reference == str(handover.pk)
    assert sorted(announcement.deliveries.values_list("supporter_id", flat=True)) == sorted(
        [told.pk, spanish.pk]
    )
    assert set(announcement.deliveries.values_list("status", flat=True)) == {"sent"}

    # Announced again (a retried commit hook), fanned out and sent again: no one twice.
    services.announce_handover(handover_id=handover.pk)
    campaign_tasks.fan_out_announcement(announcement.pk)
    for delivery_id in announcement.deliveries.values_list("pk", flat=True):
        campaign_tasks.send_announcement(delivery_id)

    assert Announcement.objects.filter(kind=Announcement.Kind.HANDOVER).count() == 1
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "35,000 messages handed to Embassy of Mexico in Ottawa" in by_address[told.email].body
    assert "List-Unsubscribe" in by_address[told.email].extra_headers
    spanish_body = by_address[spanish.email].body
    assert (
        "35\xa0000 mensajes entregados a Embassy of Mexico en Ottawa el 20 de noviembre"
        in spanish_body
    )
    assert by_address[spanish.email].subject == "AU 58/20: su mensaje fue entregado"


def test_recording_through_the_admin_uses_the_service(client, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    action = UrgentActionFactory()
    embassy = EmbassyFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/handovers/new/",
            {
                "action": action.pk,
                "recipient": embassy.pk,
                "handed_over_on": "2026-11-20",
                "place": "Ottawa",
                "delivered_by": "Ana",
                "received_by": "Consul",
                "count_delivered": "",
                "notes": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    handover = action.handovers.get()
    assert handover.recorded_by == admin and handover.count_delivered == 0
    [announce_on_commit] = [cb for cb in callbacks if not hasattr(cb, "func")]
    announce_on_commit()
    assert Announcement.objects.get(kind=Announcement.Kind.HANDOVER).reference == str(handover.pk)


def test_pack_page_polls_progress(client, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    action = UrgentActionFactory()
    ConfirmedSignatureFactory(action=action)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/admin/handover_packs/new/",
            {"action": action.pk, "recipient": EmbassyFactory().pk, "include_names": "on"},
        )
    pack = HandoverPack.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{pack.pk}/")
    assert client.get(f"/admin/handover_packs/{pack.pk}/progress/").json()["status"] == "queued"
    run_queued(callbacks)
    progress = client.get(f"/admin/handover_packs/{pack.pk}/progress/").json()
    assert progress == {"status": "ready", "label": "Ready", "progress": 100, "done": True}
    pdf = client.get(f"/admin/handover_packs/{pack.pk}/download/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert services.build_pack(pack_id=pack.pk) is False


def test_pack_files_are_for_organizers_only(client):
    action = UrgentActionFactory()
    pack = ready_pack(action)
    response = client.get(f"/admin/handover_packs/{pack.pk}/download/pdf/")
    assert response.status_code in (302, 403)


def built_pack(*names):
    action = UrgentActionFactory(number="121/26")
    for name in names:
        signature = ConfirmedSignatureFactory(action=action, name=name)
        ConsentFactory(supporter=signature.supporter, action=action, kind=Consent.Kind.SHARE_NAME)
    pack = services.request_pack(action=action, recipient=EmbassyFactory())
    assert services.build_pack(pack_id=pack.pk)
    pack.refresh_from_db()
    return pack


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(",")}


def test_a_pack_downloads_for_whoever_may_view_packs_and_each_download_is_logged(client):
    pack = built_pack("Ana López", "Luis Pérez")
    organizer = admin_user("handovers.view_handoverpack")
    client.force_login(organizer)

    response = client.get(f"/admin/handover_packs/{pack.pk}/download/csv/")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert "Ana López" in body.decode() and body == private_storage().open(pack.csv.name).read()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ua-121-26-pack-{pack.pk}.csv"'
    assert {"private", "no-store"} <= directives(response["Cache-Control"])
    assert response["X-Content-Type-Options"] == "nosniff"
    download = Download.objects.get()
    assert (download.user, download.what, download.kind) == (organizer, pack, "csv")
    assert (download.filename, download.size) == (f"ua-121-26-pack-{pack.pk}.csv", len(body))

    pdf = client.get(f"/admin/handover_packs/{pack.pk}/download/pdf/")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"
    assert list(Download.objects.values_list("kind", flat=True)) == ["pdf", "csv"]


def test_a_pack_download_without_the_permission_is_refused_and_not_logged(client):
    pack = built_pack("Ana López")
    client.force_login(admin_user("handovers.view_handover"))
    for kind in ("pdf", "csv"):
        response = client.get(f"/admin/handover_packs/{pack.pk}/download/{kind}/")
        assert response.status_code == 403
        assert "Ana López" not in response.content.decode()
    assert not Download.objects.exists()


def test_a_pack_whose_file_is_gone_is_a_404_and_not_logged(client):
    pack = built_pack("Ana López")
    private_storage().delete(pack.csv.name)
    client.force_login(admin_user("handovers.view_handoverpack"))
    assert client.get(f"/admin/handover_packs/{pack.pk}/download/csv/").status_code == 404
    assert client.get(f"/admin/handover_packs/{pack.pk}/download/zip/").status_code == 404
    assert not Download.objects.exists()


# --- the public verification page -----------------------------------------------------


def test_verifying_a_known_fingerprint_shows_case_count_and_date_without_names(client):
    action = UrgentActionFactory(number="58/20", title="Protect Ana")
    ConfirmedSignatureFactory(action=action, name="Secret Signer")
    pack = ready_pack(action, online=34000, paper=1000)
    HandoverFactory(action=action, pack=pack, fingerprint=FINGERPRINT, count_delivered=35000)
    response = client.get("/verify/", {"fingerprint": " " + FINGERPRINT.upper() + "\n"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "UA 58/20: Protect Ana" in html and "35,000" in html and "34,000 online" in html
    assert "35,000 messages handed to" in html
    assert "Secret Signer" not in html and "Section staff" not in html


def test_verifying_an_unknown_fingerprint_is_a_clear_404(client):
    response = client.get("/verify/", {"fingerprint": "cd" * 32})
    assert response.status_code == 404
    assert "No delivery pack has this fingerprint" in response.content.decode()


def test_a_pack_still_building_does_not_verify(client):
    pack = ready_pack(UrgentActionFactory())
    pack.status = HandoverPack.Status.BUILDING
    pack.save()
    assert client.get("/verify/", {"fingerprint": FINGERPRINT}).status_code == 404


@pytest.mark.parametrize("value", ["", "xyz", "ab" * 31, "zz" * 32, "ab" * 33])
def test_verifying_a_malformed_fingerprint_is_a_400(client, value):
    response = client.get("/verify/", {"fingerprint": value})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_verification_page_in_spanish(client):
    response = client.get("/es/verify/")
    assert (
        response.status_code == 200
        and "Comprobar un paquete de entrega" in response.content.decode()
    )
