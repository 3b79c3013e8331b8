"""Production refuses to start on a setting that would make a node run wrong or alone;
every variable Pluma reads is documented."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "pluma.example.org",
    "SITE_URL": "https://pluma.example.org",
    "DATABASE_URL": "postgres://pluma@db.invalid:5432/pluma",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "ANYMAIL_ESP": "postmark",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "token",
    "ANYMAIL_WEBHOOK_SECRET": "user:password",
    "REPLY_DOMAIN": "reply.pluma.example.org",
    "LETTERS_FROM_EMAIL": "letters@pluma.example.org",
}


def load_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "DATABASE", "REDIS", "ANYMAIL", "PLUMA", "DEBUG"))
    }
    env.update({key: value for key, value in environment.items() if value is not None})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_every_required_setting():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SITE_URL"])
def test_production_refuses_to_start_without(missing):
    result = load_settings(**{**PRODUCTION, missing: None})
    assert result.returncode != 0
    assert f"Set the {missing} environment variable." in result.stderr


def test_production_refuses_to_start_without_a_webhook_secret():
    # Without it anyone could mark letters delivered or bounced.
    result = load_settings(**{**PRODUCTION, "ANYMAIL_WEBHOOK_SECRET": None})
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in result.stderr


def test_production_on_mailgun_refuses_to_start_without_its_webhook_signing_key():
    mailgun = {**PRODUCTION, "ANYMAIL_ESP": "mailgun", "ANYMAIL_MAILGUN_API_KEY": "key"}
    result = load_settings(**mailgun)
    assert result.returncode != 0
    assert "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY" in result.stderr
    assert load_settings(**mailgun, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY="key").returncode == 0


def test_a_lease_shorter_than_a_send_is_refused():
    result = load_settings(**PRODUCTION, PLUMA_DELIVERY_LEASE_SECONDS="30")
    assert result.returncode != 0
    assert "PLUMA_DELIVERY_LEASE_SECONDS" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = load_settings(**PRODUCTION, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off when DJANGO_ENV=production." in result.stderr


def _variables_read() -> set[str]:
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', text))
    return names


def test_every_variable_read_is_in_env_example_and_the_readme():
    documented_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    names = _variables_read()
    assert {"DATABASE_URL", "REDIS_URL", "PLUMA_RETENTION_DAYS"} <= names
    assert not {name for name in names if name not in documented_example}
    assert not {name for name in names if f"`{name}`" not in readme}


def test_private_files_inside_the_served_media_are_refused(tmp_path):
    # Whatever serves MEDIA_ROOT would serve packs and replies' attachments with it.
    media = tmp_path / "media"
    result = load_settings(MEDIA_ROOT=str(media), PRIVATE_MEDIA_ROOT=str(media / "private"))
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT" in result.stderr
    assert load_settings(MEDIA_ROOT=str(media), PRIVATE_MEDIA_ROOT=str(tmp_path)).returncode == 0
