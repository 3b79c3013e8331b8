import csv
import datetime
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from campaigns.models import Consent
from campaigns.private_files import private_storage
from handovers import services
from handovers.models import HandoverPack
from tests.factories import (
    ConfirmedSignatureFactory,
    ConsentFactory,
    EmbassyFactory,
    PaperTallyFactory,
    PetitionTextFactory,
    SignatureFactory,
    UrgentActionFactory,
)
from tests.petitions.helpers import queued, run_queued

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Full paths: the tests run only these two poppler tools, on files they just wrote.
PDFTOTEXT, PDFTOPPM = shutil.which("pdftotext"), shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    not (PDFTOTEXT and PDFTOPPM), reason="needs poppler-utils (pdftotext, pdftoppm)"
)


def expected_fingerprint(action, *, paper: int) -> str:
    """Recomputed here from the table, independently of handovers/services/packs.py."""
    digest = hashlib.sha256(b"pluma-pack-v1\n")
    rows = action.signatures.filter(status="confirmed", is_flagged=False).order_by("pk")
    for signature in rows:
        stamp = signature.confirmed_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        digest.update(f"{signature.pk},{stamp}\n".encode())
    digest.update(f"online={rows.count()}\npaper={paper}\n".encode())
    return digest.hexdigest()


def build(action, recipient=None, django_capture_on_commit_callbacks=None, **kwargs):
    recipient = recipient or EmbassyFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        pack = services.request_pack(action=action, recipient=recipient, **kwargs)
    assert queued(callbacks) == [("handovers.tasks.build_pack", (pack.pk,))]
    run_queued(callbacks)
    pack.refresh_from_db()
    return pack


def csv_rows(pack) -> list[list[str]]:
    with private_storage().open(pack.csv.name, "rb") as file:
        return list(csv.reader(io.StringIO(file.read().decode("utf-8"))))


def pdf_text(pack) -> str:
    path = private_storage().path(pack.pdf.name)
    return subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def case():
    action = UrgentActionFactory(number="58/20", title="Protect Ana, a defender in Yucatán")
    PetitionTextFactory(petition__action=action, language="en", text="Protect Ana now.")
    PetitionTextFactory(petition=action.petition, language="es", text="Protejan a Ana ya.")
    return action


def test_pack_counts_and_fingerprint_match_the_database(case, django_capture_on_commit_callbacks):
    for country in ["CA", "CA", "MX", "ES", "CA"]:
        ConfirmedSignatureFactory(action=case, country=country)
    SignatureFactory(action=case)  # pending: not counted
    ConfirmedSignatureFactory(action=case, is_flagged=True, flag_reason="honeypot")
    ConfirmedSignatureFactory()  # another case
    PaperTallyFactory(action=case, count=7)

    pack = build(case, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    assert pack.status == HandoverPack.Status.READY and pack.progress == 100
    # Both files in the private storage, none where media is served.
    for name in (pack.pdf.name, pack.csv.name):
        assert private_storage().exists(name) and not default_storage.exists(name)
    assert (pack.online_count, pack.paper_count, pack.total) == (5, 7, 12)
    assert pack.fingerprint == expected_fingerprint(case, paper=7)
    rows = csv_rows(pack)
    assert ["Canada", "3", "0", "3"] in rows
    assert ["Mexico", "1", "0", "1"] in rows and ["Spain", "1", "0", "1"] in rows
    assert ["Country not recorded", "0", "7", "7"] in rows
    assert ["Total", "5", "7", "12"] in rows
    assert pack.fingerprint in rows[2]


def test_fingerprint_changes_when_the_signature_set_changes(case):
    signature = ConfirmedSignatureFactory(action=case)
    now = timezone.now()
    first, *_ = services.fingerprint_signatures(action_id=case.pk, until=now, paper=0)
    again, *_ = services.fingerprint_signatures(action_id=case.pk, until=now, paper=0)
    signature.confirmed_at -= datetime.timedelta(seconds=1)
    signature.save()
    changed, *_ = services.fingerprint_signatures(action_id=case.pk, until=now, paper=0)
    with_paper, *_ = services.fingerprint_signatures(action_id=case.pk, until=now, paper=1)
    assert first == again
    assert len({first, changed, with_paper}) == 3


def test_signatures_confirmed_after_the_build_started_are_not_counted(case):
    ConfirmedSignatureFactory(action=case)
    later = timezone.now() + datetime.timedelta(minutes=5)
    ConfirmedSignatureFactory(action=case, confirmed_at=later)
    _digest, online, _countries = services.fingerprint_signatures(
        action_id=case.pk, until=timezone.now(), paper=0
    )
    assert online == 1


def test_pack_lists_names_only_of_signers_who_agreed(case, django_capture_on_commit_callbacks):
    agreed = ConfirmedSignatureFactory(action=case, name="Lucía Fernández", country="ES")
    ConsentFactory(supporter=agreed.supporter, action=case, kind=Consent.Kind.SHARE_NAME)
    withdrew = ConfirmedSignatureFactory(action=case, name="Withdrawn Person")
    ConsentFactory(
        supporter=withdrew.supporter,
        action=case,
        kind=Consent.Kind.SHARE_NAME,
        withdrawn_at=timezone.now(),
    )
    updates_only = ConfirmedSignatureFactory(action=case, name="Updates Only")
    ConsentFactory(supporter=updates_only.supporter, action=case, kind=Consent.Kind.CASE_UPDATES)
    other_case = ConfirmedSignatureFactory(action=case, name="Agreed Elsewhere")
    ConsentFactory(supporter=other_case.supporter, kind=Consent.Kind.SHARE_NAME)
    pending = SignatureFactory(action=case, name="Not Confirmed")
    ConsentFactory(supporter=pending.supporter, action=case, kind=Consent.Kind.SHARE_NAME)

    pack = build(case, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    names = [row[0] for row in csv_rows(pack) if row]
    assert "Lucía Fernández" in names
    for hidden in ["Withdrawn Person", "Updates Only", "Agreed Elsewhere", "Not Confirmed"]:
        assert hidden not in names
    assert pack.named_count == 1 and pack.online_count == 4


def test_pack_without_names_lists_none(case, django_capture_on_commit_callbacks):
    agreed = ConfirmedSignatureFactory(action=case, name="Lucía Fernández")
    ConsentFactory(supporter=agreed.supporter, action=case, kind=Consent.Kind.SHARE_NAME)
    pack = build(
        case,
        include_names=False,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert "Lucía Fernández" not in [row[0] for row in csv_rows(pack) if row]
    assert pack.named_count == 0


def test_csv_cells_cannot_run_as_formulas(case, django_capture_on_commit_callbacks):
    # The signing form refuses such names; one imported or typed by an admin still gets here.
    signature = ConfirmedSignatureFactory(action=case, name='=HYPERLINK("http://x","y")')
    ConsentFactory(supporter=signature.supporter, action=case, kind=Consent.Kind.SHARE_NAME)
    pack = build(case, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert ['\'=HYPERLINK("http://x","y")', "Canada"] in csv_rows(pack)


@needs_poppler
def test_cover_letter_is_in_the_recipients_language(case, django_capture_on_commit_callbacks):
    ConfirmedSignatureFactory(action=case, country="MX")
    spanish = EmbassyFactory(language="es", salutation="Excelentísimo Señor Embajador")
    english = EmbassyFactory(language="en", salutation="Your Excellency")

    text_es = pdf_text(
        build(case, spanish, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    )
    text_en = pdf_text(
        build(case, english, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    )

    assert "Excelentísimo Señor Embajador" in text_es and "En nombre de" in text_es
    assert "Protejan a Ana ya." in text_es and "México" in text_es
    assert "Your Excellency" in text_en and "On behalf of" in text_en
    assert "Protect Ana now." in text_en and "Mexico" in text_en


def test_building_a_pack_twice_builds_it_once(case, django_capture_on_commit_callbacks):
    ConfirmedSignatureFactory(action=case)
    pack = build(case, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert services.build_pack(pack_id=pack.pk) is False
    pack.refresh_from_db()
    assert pack.status == HandoverPack.Status.READY


def test_a_failed_build_is_marked_failed(case, django_capture_on_commit_callbacks, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.packs, "_write_files", explode)
    pack = build(case, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert pack.status == HandoverPack.Status.FAILED and "disk full" in pack.error


@needs_poppler
def test_first_page_renders_legibly(case, django_capture_on_commit_callbacks):
    """Renders page 1 to test-artifacts/ for a person to look at; checks it is not blank."""
    for index, country in enumerate(["CA", "MX", "ES", "AR", "FR"] * 4):
        signature = ConfirmedSignatureFactory(
            action=case, country=country, name=f"Zoë Ñúñez {index}"
        )
        ConsentFactory(supporter=signature.supporter, action=case, kind=Consent.Kind.SHARE_NAME)
    PaperTallyFactory(action=case, count=1234)
    recipient = EmbassyFactory(
        language="es",
        name="Juan Pérez",
        title="Embajador de México",
        organisation="Embajada de México en Canadá",
        salutation="Excelentísimo Señor Embajador",
        postal_address="45 O'Connor Street, Suite 1000\nOttawa, ON K1P 1A4",
    )
    pack = build(
        case, recipient, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / "handover-pack"
    subprocess.run(  # noqa: S603
        [
            PDFTOPPM,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "3",
            private_storage().path(pack.pdf.name),
            str(stem),
        ],
        check=True,
    )
    first = sorted(ARTIFACTS.glob("handover-pack-*.png"))[0]
    assert first.stat().st_size > 10_000
    assert "Juan Pérez" in pdf_text(pack)


# --- names leave built packs ----------------------------------------------------------


def named_pack(case, django_capture_on_commit_callbacks):
    ana = ConfirmedSignatureFactory(action=case, name="Ana Erasable", country="MX")
    luis = ConfirmedSignatureFactory(action=case, name="Luis Keeps", country="MX")
    for signature in (ana, luis):
        ConsentFactory(supporter=signature.supporter, action=case, kind=Consent.Kind.SHARE_NAME)
    pack = build(case, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert pack.named_count == 2
    return pack, ana


def test_erasing_a_supporter_rebuilds_the_packs_that_named_them_without_the_name(
    case, django_capture_on_commit_callbacks
):
    from campaigns.privacy import erase_supporter

    pack, ana = named_pack(case, django_capture_on_commit_callbacks)
    old_files = [pack.pdf.name, pack.csv.name]
    assert all(private_storage().exists(name) for name in old_files)
    fingerprint, online = pack.fingerprint, pack.online_count

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        erase_supporter(supporter=ana.supporter)
    pack.refresh_from_db()
    assert pack.status == HandoverPack.Status.QUEUED and not pack.pdf and not pack.csv
    assert queued(callbacks) == [("handovers.tasks.build_pack", (pack.pk,))]
    for callback in callbacks:
        callback()  # on commit: the old files go, the rebuild is queued
    assert not any(private_storage().exists(name) for name in old_files)
    assert not any(default_storage.exists(name) for name in old_files)
    services.build_pack(pack_id=pack.pk)  # as the worker would

    pack.refresh_from_db()
    assert pack.status == HandoverPack.Status.READY
    assert private_storage().exists(pack.csv.name) and not default_storage.exists(pack.csv.name)
    assert (pack.fingerprint, pack.online_count) == (fingerprint, online)
    assert pack.named_count == 1
    cells = [cell for row in csv_rows(pack) for cell in row]
    assert "Luis Keeps" in cells and "Ana Erasable" not in cells


def test_erasing_someone_who_never_shared_their_name_leaves_packs_alone(
    case, django_capture_on_commit_callbacks
):
    from campaigns.privacy import erase_supporter

    pack, _ana = named_pack(case, django_capture_on_commit_callbacks)
    quiet = ConfirmedSignatureFactory(action=case, name="Quiet Signer")
    erase_supporter(supporter=quiet.supporter)
    pack.refresh_from_db()
    assert pack.status == HandoverPack.Status.READY and pack.named_count == 2


def test_retention_strips_every_name_from_a_cases_packs(case, django_capture_on_commit_callbacks):
    from campaigns.privacy import providers

    pack, _ana = named_pack(case, django_capture_on_commit_callbacks)
    old_files = [pack.pdf.name, pack.csv.name]
    # What retention does to a case: every provider anonymises its rows (petitions the
    # signatures, handovers the packs' names), in one transaction.
    with django_capture_on_commit_callbacks(execute=True):
        for provider in providers():
            provider.anonymise_cases(action_ids=[case.pk])
    assert not any(private_storage().exists(name) for name in old_files)
    services.build_pack(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == HandoverPack.Status.READY and pack.named_count == 0
    cells = [cell for row in csv_rows(pack) for cell in row]
    assert "Luis Keeps" not in cells and "Ana Erasable" not in cells
