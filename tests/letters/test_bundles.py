import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from campaigns.models import Download
from letters import services
from letters.models import Delivery, DeliveryPolicy
from letters.services import bundles
from tests.factories import LetterFactory, SupporterFactory, TargetFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ADDRESS = "Palacio de Gobierno\nCalle 61 s/n, Centro\n97000 Mérida, Yucatán\nMéxico"


@pytest.fixture
def governor(case):
    # No email: the policy defaults to a printed bundle.
    return TargetFactory(
        name="Mauricio Vila Dosal",
        title="Gobernador de Yucatán",
        salutation="Señor Gobernador",
        email="",
        postal_address=ADDRESS,
    )


def write_letters(case, target, count: int) -> list[Delivery]:
    deliveries = []
    for number in range(count):
        supporter = SupporterFactory(
            name=f"Ana López {number}", city="Ottawa", postal_code="K1A 0B1", country="CA"
        )
        letter = LetterFactory(case=case, supporter=supporter, targets=[target])
        deliveries += services.queue_letter(letter=letter)
    return deliveries


def pdf_text(raw: bytes) -> str:
    tool = shutil.which("pdftotext")
    if not tool:
        pytest.skip("needs pdftotext (poppler-utils)")
    result = subprocess.run(  # noqa: S603 -- a fixed command line
        [tool, "-layout", "-", "-"], input=raw, capture_output=True, check=True
    )
    return result.stdout.decode()


def test_bundle_letters_wait_for_the_organizers(case, governor):
    (delivery,) = write_letters(case, governor, 1)
    assert DeliveryPolicy.objects.get(target=governor).mode == DeliveryPolicy.Mode.PRINTED_BUNDLE
    assert services.deliver(delivery_id=delivery.pk) == "held"
    assert services.sweep_deliveries()["enqueued"] == 0
    assert list(bundles.waiting_for_bundles().values_list("target_id", "waiting")) == [
        (governor.pk, 1)
    ]


def test_a_bundle_takes_the_waiting_letters_once(case, governor):
    write_letters(case, governor, 3)
    key, count = bundles.prepare_bundle(target=governor)
    assert count == 3
    assert bundles.prepare_bundle(target=governor)[1] == 0
    assert set(Delivery.objects.values_list("status", "lease_expires_at")) == {
        (Status.SENDING, None)
    }
    # In the post room, not lost: the sweeper leaves the bundle alone.
    assert services.sweep_deliveries() == {"requeued": 0, "enqueued": 0, "failed": 0}
    assert [b["letters"] for b in bundles.open_bundles()] == [3]
    assert bundles.open_bundles()[0]["key"] == key


def test_posting_a_bundle_sends_only_its_letters_and_only_once(case, governor):
    write_letters(case, governor, 2)
    key, _ = bundles.prepare_bundle(target=governor)
    (late,) = write_letters(case, governor, 1)

    assert bundles.record_bundle_posted(key=key) == 2
    assert bundles.record_bundle_posted(key=key) == 0
    assert Delivery.objects.filter(status=Status.SENT).count() == 2
    assert Delivery.objects.get(pk=late.pk).status == Status.QUEUED
    assert set(
        Delivery.objects.filter(status=Status.SENT).values_list("message_id", flat=True)
    ) == {bundles.bundle_message_id(key)}


def test_a_returned_bundle_goes_back_to_the_queue(case, governor):
    write_letters(case, governor, 2)
    key, _ = bundles.prepare_bundle(target=governor)
    assert bundles.return_bundle(key=key) == 2
    assert bundles.record_bundle_posted(key=key) == 0
    assert bundles.prepare_bundle(target=governor)[1] == 2


def test_the_pdf_has_one_page_per_letter_with_address_and_no_private_data(case, governor):
    write_letters(case, governor, 3)
    key, _ = bundles.prepare_bundle(target=governor)
    out = io.BytesIO()

    assert bundles.write_bundle_pdf(key=key, out=out) == 3

    raw = out.getvalue()
    assert len(re.findall(rb"/Type /Page\b", raw)) == 3
    pages = pdf_text(raw).split("\f")
    first = pages[0]
    for expected in [
        "Ana López 0",
        "Ottawa, Canadá",
        "Mauricio Vila Dosal",
        "Calle 61 s/n, Centro",
        "97000 Mérida, Yucatán",
        "UA 58/20: proteja al defensor",
        "Señor Gobernador:",
        "Proteja al defensor, por favor.",
    ]:
        assert expected in first, expected
    assert "Ana López 1" in pages[1] and "Ana López 1" not in first
    assert "@example.net" not in pdf_text(raw)
    assert "K1A 0B1" not in pdf_text(raw)


def test_the_first_page_renders_legibly_to_png(case, governor):
    tool = shutil.which("pdftoppm")
    if not tool:
        pytest.skip("needs pdftoppm (poppler-utils)")
    write_letters(case, governor, 2)
    key, _ = bundles.prepare_bundle(target=governor)
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "bundle.pdf"
    with pdf.open("wb") as out:
        bundles.write_bundle_pdf(key=key, out=out)
    subprocess.run(  # noqa: S603 -- a fixed command line
        [
            tool,
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "bundle-page-1"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "bundle-page-1.png").stat().st_size > 5_000


# --- The admin -------------------------------------------------------------------------


@pytest.fixture
def admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_an_organizer_prepares_downloads_and_posts_a_bundle(admin, case, governor):
    write_letters(case, governor, 2)
    index = admin.get(reverse("letter_bundles:index"))
    assert index.status_code == 200
    assert "Mauricio Vila Dosal" in index.content.decode()

    response = admin.post(reverse("letter_bundles:prepare", args=[governor.pk]))
    assert response.status_code == 302
    (bundle,) = bundles.open_bundles()

    pdf = admin.get(reverse("letter_bundles:pdf", args=[bundle["key"]]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    # Never stored, but logged like every private file.
    download = Download.objects.get()
    assert (download.what, download.kind, download.size) == (governor, "bundle", len(content))

    assert admin.post(reverse("letter_bundles:posted", args=[bundle["key"]])).status_code == 302
    assert Delivery.objects.filter(status=Status.SENT).count() == 2
    gone = admin.get(reverse("letter_bundles:pdf", args=[bundle["key"]]))
    assert gone.status_code == 404


def test_bundle_actions_need_a_post(admin, case, governor):
    write_letters(case, governor, 1)
    url = reverse("letter_bundles:prepare", args=[governor.pk])
    assert admin.get(url).status_code == 405
    assert Delivery.objects.get().status == Status.QUEUED


def test_a_malformed_bundle_key_is_a_404(admin):
    for key in ["b1-x", "b1-1%27", "%2e%2e"]:
        assert admin.get(f"/admin/letters/bundles/{key}/pdf/").status_code == 404
    assert admin.post("/admin/letters/bundles/b1-x/posted/").status_code == 302


def test_bundles_are_for_organisers_only(client, case, governor):
    write_letters(case, governor, 1)
    key, _ = bundles.prepare_bundle(target=governor)
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse("letter_bundles:index")).status_code in (302, 403)
    assert client.get(reverse("letter_bundles:pdf", args=[key])).status_code in (302, 403)
    client.post(reverse("letter_bundles:posted", args=[key]))
    assert Delivery.objects.get().status == Status.SENDING
