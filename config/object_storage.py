"""Media in S3-compatible object storage (django-storages), when AWS_STORAGE_BUCKET_NAME
names a bucket (config/settings/core.py).

Two buckets, as there are two folders without it: case images and documents in the
public one, whose policy lets anyone read its objects, so their URLs carry no signature;
delivery packs, reply attachments and uploaded postal replies in the private one, which
lets nobody but Pluma's keys read, and whose storage hands out no URL at all, signed or
not. Its files reach people only through the admin's permission-checking views, which
stream them and log each download (campaigns.private_files.stream_private).

Neither overwrites a file of the same name, as the filesystem storage does not: two
attachments called oficio.pdf on one reply are two files.
"""

from storages.backends.s3 import S3Storage

from campaigns.private_files import WithoutURL


class PublicMediaStorage(S3Storage):
    querystring_auth = False
    file_overwrite = False


class PrivateMediaStorage(WithoutURL, S3Storage):
    file_overwrite = False
    # Objects are private unless a bucket policy says otherwise: no ACL is sent, which
    # buckets with ACLs disabled (the default) also take.
    default_acl = None
