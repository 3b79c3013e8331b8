"""Media in object storage, against a local S3 server (moto) and the real boto3 client:
case images in the public bucket, served by URL; packs in the private bucket, which no
anonymous request reads and no URL names, downloaded only through the admin's view."""

import io
import json
import logging
import socket
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image as PillowImage
from wagtail.images.models import Image
from wagtail.models import Collection

from campaigns.models import Download
from campaigns.private_files import private_storage
from handovers import services as handovers
from tests.factories import (
    ConfirmedSignatureFactory,
    ConsentFactory,
    EmbassyFactory,
    UrgentActionFactory,
    UserFactory,
    admin_user,
)
from tests.test_replica import run_with_settings
from tests.test_settings import PRODUCTION, load_settings

PUBLIC, PRIVATE = "pluma-media", "pluma-private"
KEYS = {"access_key": "moto-key", "secret_key": "moto-secret", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def buckets(s3_server, settings):
    """The two buckets as an operator sets them up, and Pluma's storages pointed at them
    as config/settings/core.py points them with AWS_STORAGE_BUCKET_NAME set."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )
    for bucket in (PUBLIC, PRIVATE):
        client.create_bucket(Bucket=bucket)
    client.put_bucket_policy(
        Bucket=PUBLIC,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{PUBLIC}/*",
                    }
                ],
            }
        ),
    )
    options = {**KEYS, "endpoint_url": s3_server}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "config.object_storage.PublicMediaStorage",
            "OPTIONS": {**options, "bucket_name": PUBLIC},
        },
        "private": {
            "BACKEND": "config.object_storage.PrivateMediaStorage",
            "OPTIONS": {**options, "bucket_name": PRIVATE},
        },
    }
    yield client
    for bucket in (PUBLIC, PRIVATE):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 -- our moto
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def stored_in(client, bucket: str, key: str) -> bool:
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def png() -> ImageFile:
    content = io.BytesIO()
    PillowImage.new("RGB", (4, 3), "teal").save(content, "PNG")
    return ImageFile(content, name="defender.png")


@pytest.mark.django_db
def test_a_case_image_goes_to_the_public_bucket_and_is_served_by_url(buckets, s3_server):
    if Collection.get_first_root_node() is None:  # flushed by a transactional test
        Collection.add_root(name="Root")
    image = Image.objects.create(title="The defender", file=png())
    assert stored_in(buckets, PUBLIC, image.file.name)
    assert not stored_in(buckets, PRIVATE, image.file.name)
    url = default_storage.url(image.file.name)
    assert url == f"{s3_server}/{PUBLIC}/{image.file.name}"  # no signature: public
    assert anonymous_get(url) == 200


@pytest.mark.django_db
def test_a_pack_goes_to_the_private_bucket_and_out_only_through_the_admin(
    buckets, s3_server, client
):
    case = UrgentActionFactory(number="121/26")
    for index in range(3):
        signature = ConfirmedSignatureFactory(action=case, name=f"Signer {index}")
        ConsentFactory(supporter=signature.supporter, action=case, kind="share_name")
    pack = handovers.request_pack(action=case, recipient=EmbassyFactory(), include_names=True)
    assert handovers.build_pack(pack_id=pack.pk)
    pack.refresh_from_db()
    name = pack.csv.name

    assert stored_in(buckets, PRIVATE, name)
    assert not stored_in(buckets, PUBLIC, name)
    # Not to anyone asking the object storage, and no URL to hand out, signed or not.
    assert anonymous_get(f"{s3_server}/{PRIVATE}/{name}") == 403
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(name)
    # A second file of the same name is a second file.
    assert private_storage().save(name, io.BytesIO(b"other")) != name

    download = reverse("handover_packs:download", args=[pack.pk, "csv"])
    client.force_login(UserFactory())
    assert client.get(download).status_code in (302, 403)
    assert not Download.objects.exists()

    client.force_login(admin_user("handovers.view_handoverpack"))
    response = client.get(download)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Signer 0" in body and "Signer 2" in body
    assert "no-store" in response["Cache-Control"]
    assert Download.objects.get().filename == f"ua-121-26-pack-{pack.pk}.csv"
    # Last: closing the response ends the request, which closes the test's connection.
    response.close()


# --- settings -----------------------------------------------------------------------------


def test_a_bucket_name_puts_media_in_object_storage():
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        " print(json.dumps(settings.STORAGES, default=str))"
    )
    result = run_with_settings(
        code,
        **PRODUCTION,
        AWS_STORAGE_BUCKET_NAME="org-media",
        AWS_PRIVATE_BUCKET_NAME="org-private",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
        AWS_S3_REGION_NAME="eu-west-3",
        AWS_S3_CUSTOM_DOMAIN="pluma.example.org/media",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    storages = json.loads(result.stdout)
    assert storages["default"] == {
        "BACKEND": "config.object_storage.PublicMediaStorage",
        "OPTIONS": {
            "endpoint_url": "https://s3.example.net",
            "region_name": "eu-west-3",
            "bucket_name": "org-media",
            "custom_domain": "pluma.example.org/media",
        },
    }
    assert storages["private"] == {
        "BACKEND": "config.object_storage.PrivateMediaStorage",
        "OPTIONS": {
            "endpoint_url": "https://s3.example.net",
            "region_name": "eu-west-3",
            "bucket_name": "org-private",
        },
    }


@pytest.mark.parametrize(
    ("private", "message"),
    [
        (None, "Set the AWS_PRIVATE_BUCKET_NAME environment variable."),
        ("org-media", "AWS_PRIVATE_BUCKET_NAME must not be AWS_STORAGE_BUCKET_NAME"),
    ],
)
def test_object_storage_without_a_private_bucket_of_its_own_is_refused(private, message):
    result = load_settings(
        **PRODUCTION, AWS_STORAGE_BUCKET_NAME="org-media", AWS_PRIVATE_BUCKET_NAME=private
    )
    assert result.returncode != 0
    assert message in result.stderr
