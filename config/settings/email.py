"""Email: to supporters, letters to officials through the ESP (anymail), replies back."""

import os

from django.core.exceptions import ImproperlyConfigured

from .environment import IS_PRODUCTION, VAR_DIR, env, env_int

# --- Email ----------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Pluma <noreply@pluma.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL_ESP = env("ANYMAIL_ESP", "")
ANYMAIL_BACKENDS = {
    "postmark": "anymail.backends.postmark.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
}
if ANYMAIL_ESP:
    if ANYMAIL_ESP not in ANYMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"ANYMAIL_ESP must be one of {', '.join(sorted(ANYMAIL_BACKENDS))}, not {ANYMAIL_ESP!r}."
        )
    EMAIL_BACKEND = ANYMAIL_BACKENDS[ANYMAIL_ESP]
elif IS_PRODUCTION:
    raise ImproperlyConfigured("Set ANYMAIL_ESP (postmark, mailgun, amazon_ses or sendgrid).")
else:
    EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox"
# anymail reads its keys (ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_MAILGUN_API_KEY, …) from
# settings; copy every ANYMAIL_* variable of the environment into the ANYMAIL dict.
ANYMAIL: dict[str, str | int] = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
EMAIL_TIMEOUT = 10
# Every ESP call gives up after this many seconds (a string from the environment would
# reach requests as-is, so it is read as a number).
ANYMAIL_REQUESTS_TIMEOUT = env_int("ANYMAIL_REQUESTS_TIMEOUT", 20)
ANYMAIL["REQUESTS_TIMEOUT"] = ANYMAIL_REQUESTS_TIMEOUT
if IS_PRODUCTION and not ANYMAIL.get("WEBHOOK_SECRET"):
    # Without it anyone could mark letters delivered or bounced.
    raise ImproperlyConfigured("Set ANYMAIL_WEBHOOK_SECRET (user:password) for the ESP webhooks.")
if IS_PRODUCTION and ANYMAIL_ESP == "mailgun" and not ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
    # anymail answers every Mailgun webhook post with a 500 without it.
    raise ImproperlyConfigured(
        "Set ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY: Mailgun signs its webhooks with it."
    )
LETTERS_FROM_EMAIL = env(
    "LETTERS_FROM_EMAIL", None if IS_PRODUCTION else "letters@pluma.example.org"
)
REPLY_DOMAIN = env("REPLY_DOMAIN", None if IS_PRODUCTION else "reply.pluma.example.org")
