"""Create the first admin account, once.

With DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD set, that account is created
(or its password left alone if it exists). Otherwise an `admin` account is created with a
random password that is printed once; later runs leave it untouched.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first superuser if there is none."

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin account {username!r} already exists.")
            return
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(
            username=username,
            email=os.environ.get("DJANGO_SUPERUSER_EMAIL", ""),
            password=password,
        )
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin account {username!r} with password {password}  "
                    "(shown once: write it down, or set DJANGO_SUPERUSER_PASSWORD)."
                )
            )
        else:
            self.stdout.write(f"Created admin account {username!r}.")
