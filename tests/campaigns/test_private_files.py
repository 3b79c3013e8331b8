"""The private storage has no URL; stream_private logs each download; the log is in the
admin for those allowed to read it."""

import tempfile

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from campaigns.models import Download
from campaigns.private_files import private_storage, stream_private
from tests.factories import TargetFactory, UserFactory, admin_user

pytestmark = pytest.mark.django_db


def test_private_files_have_no_url(tmp_path):
    name = private_storage().save("handover-packs/x.csv", ContentFile(b"Ana"))
    assert private_storage().path(name).startswith(str(tmp_path / "private"))
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(name)


def test_a_streamed_file_is_logged_with_who_what_and_how_many_bytes():
    user, target = UserFactory(), TargetFactory(name="Mauricio Vila Dosal")
    request = RequestFactory().get("/")
    request.user = user
    with tempfile.TemporaryFile() as spool:
        spool.write(b"%PDF-1.7 letters")
        response = stream_private(
            request,
            file=File(spool),
            filename="b1-2.pdf",
            content_type="application/pdf",
            what=target,
            kind="bundle",
        )
        assert b"".join(response.streaming_content) == b"%PDF-1.7 letters"
    assert response["Content-Disposition"] == 'attachment; filename="b1-2.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    download = Download.objects.get()
    assert (download.user, download.what, download.label) == (user, target, str(target))
    assert (download.kind, download.filename, download.size) == ("bundle", "b1-2.pdf", 16)


def test_a_file_gone_from_the_storage_is_a_404_and_not_logged():
    from handovers.models import HandoverPack

    pack = HandoverPack(pk=1, csv="handover-packs/gone.csv")
    request = RequestFactory().get("/")
    request.user = UserFactory()
    with pytest.raises(Http404):
        stream_private(
            request, file=pack.csv, filename="x.csv", content_type="text/csv", what=pack, kind="csv"
        )
    assert not Download.objects.exists()


@pytest.fixture
def logged():
    request = RequestFactory().get("/")
    request.user = UserFactory(username="organizer")
    name = private_storage().save("handover-packs/ua-1-26-pack-1.csv", ContentFile(b"Ana"))
    # The file closes with the block; closing the response would also send
    # request_finished, which closes the test's database connection.
    with private_storage().open(name) as file:
        stream_private(
            request,
            file=file,
            filename="ua-1-26-pack-1.csv",
            content_type="text/csv",
            what=TargetFactory(),
            kind="csv",
        )
    return Download.objects.get()


def test_superusers_read_the_download_log_under_reports(client, logged):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    index = client.get(reverse("private_downloads:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert "ua-1-26-pack-1.csv" in html and "organizer" in html
    assert client.get(reverse("private_downloads:inspect", args=[logged.pk])).status_code == 200
    assert (
        reverse("private_downloads:index")
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_the_view_permission_opens_the_download_log_and_nothing_changes_it(client, logged):
    client.force_login(admin_user("campaigns.view_download"))
    assert client.get(reverse("private_downloads:index")).status_code == 200
    for route in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"private_downloads:{route}", args=[] if route == "add" else [logged.pk])


def test_without_the_view_permission_the_download_log_is_closed(client, logged):
    client.force_login(admin_user("handovers.view_handoverpack", "replies.view_reply"))
    assert client.get(reverse("private_downloads:index")).status_code in (302, 403)
    assert (
        reverse("private_downloads:index")
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )
