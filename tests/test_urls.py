"""What config.urls serves under /media/ as `make run` has it (DEBUG on): case images, and
never a pack, a reply attachment or an uploaded postal reply."""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import clear_url_caches

import config.urls
from campaigns.private_files import private_storage
from handovers import services as handovers
from replies.models import InboundMessage, Reply, ReplyAttachment, ReplyQuestion
from tests.factories import (
    ConfirmedSignatureFactory,
    ConsentFactory,
    DeliveryFactory,
    EmbassyFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_run_urls(settings):
    """config.urls built with DEBUG on, as under `make run`: MEDIA_ROOT is served."""
    debug = settings.DEBUG
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    # The route is live: a case image in the default storage is served.
    image = default_storage.save("original_images/case.jpg", ContentFile(b"\xff\xd8\xff"))
    yield image
    settings.DEBUG = debug
    importlib.reload(config.urls)
    clear_url_caches()


def assert_private_and_not_served(client, name: str) -> None:
    assert name and private_storage().exists(name)
    assert not default_storage.exists(name)
    assert client.get(f"/media/{name}").status_code == 404


def test_the_media_route_serves_case_images(make_run_urls, client):
    response = client.get(f"/media/{make_run_urls}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff"


def test_a_built_pack_is_not_served_under_media(make_run_urls, client):
    action = UrgentActionFactory(number="121/26")
    for index in range(3):
        signature = ConfirmedSignatureFactory(action=action, name=f"Signer {index}")
        ConsentFactory(supporter=signature.supporter, action=action, kind="share_name")
    pack = handovers.request_pack(action=action, recipient=EmbassyFactory(), include_names=True)
    assert handovers.build_pack(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.named_count == 3
    for name in (pack.pdf.name, pack.csv.name):
        assert name.startswith("handover-packs/ua-121-26-pack-")
        assert_private_and_not_served(client, name)


def test_a_reply_attachment_is_not_served_under_media(make_run_urls, client):
    inbound = InboundMessage.objects.create(fingerprint="a" * 64, raw=b"")
    reply = Reply.objects.create(inbound=inbound, kind=Reply.Kind.QUARANTINED)
    attachment = ReplyAttachment(reply=reply, filename="oficio.pdf", content_type="application/pdf")
    attachment.file.save("oficio.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    assert attachment.file.name.startswith(f"replies/{reply.pk}/")
    assert_private_and_not_served(client, attachment.file.name)


def test_an_uploaded_postal_reply_is_not_served_under_media(make_run_urls, client):
    delivery = DeliveryFactory()
    question = ReplyQuestion.objects.create(letter=delivery.letter, target=delivery.target)
    question.upload.save("reply", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    assert question.upload.name.startswith(f"reply-uploads/{question.pk}/")
    assert_private_and_not_served(client, question.upload.name)
