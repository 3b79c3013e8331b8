"""Pluma's own settings: paces, limits, retention and the other PLUMA_* values."""

from django.core.exceptions import ImproperlyConfigured

from .data import CELERY_BEAT_SCHEDULE
from .email import ANYMAIL_REQUESTS_TIMEOUT, REPLY_DOMAIN
from .environment import env, env_int, env_list

# --- Pluma ----------------------------------------------------------------------------

# How many reverse proxies (load balancer, CDN, …) stand in front of the web nodes: the
# client's address is that many entries from the right of X-Forwarded-For. 0 = none.
PLUMA_TRUSTED_PROXIES = env_int("PLUMA_TRUSTED_PROXIES", 0)
# Sign-ups one client address may make per case before the rest are flagged (not counted).
PLUMA_SIGN_RATE = env("PLUMA_SIGN_RATE", "30/h")
# Posts one client address (an IPv6 /64) may make to each other public form, per case where
# there is one (campaigns/defences.py); further ones are refused, honestly.
PLUMA_FORM_RATE = env("PLUMA_FORM_RATE", "20/h")
# Emails a form may have sent to one address in a day, whichever forms asked for them
# (confirmations, new links, data links): nobody can use Pluma to flood an inbox.
PLUMA_EMAILS_PER_ADDRESS_DAY = env_int("PLUMA_EMAILS_PER_ADDRESS_DAY", 5)
# Anonymous views of Wagtail pages are kept this long in the shared cache and marked
# cacheable as long for CDNs (publishing purges the cache at once); 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 30)
# How long each web process reuses its copy of a public case for the signing form and its
# session endpoint (campaigns/public.py); signing re-checks the status as it writes.
PLUMA_PUBLIC_CASE_SECONDS = env_int("PLUMA_PUBLIC_CASE_SECONDS", 2)
# How often the auto-close task looks for cases past their deadline (seconds).
PLUMA_CLOSE_EXPIRED_EVERY = env_int("PLUMA_CLOSE_EXPIRED_EVERY", 300)
CELERY_BEAT_SCHEDULE["close-expired-actions"]["schedule"] = float(PLUMA_CLOSE_EXPIRED_EVERY)
# Supporters' names, emails and letters on a case are anonymised this many days after it
# closed (counts stay).
PLUMA_RETENTION_DAYS = env_int("PLUMA_RETENTION_DAYS", 183)
# The mailto of the List-Unsubscribe header; mail to it is handled like the one-click link.
PLUMA_UNSUBSCRIBE_EMAIL = env("PLUMA_UNSUBSCRIBE_EMAIL", f"unsubscribe@{REPLY_DOMAIN}")
# How long a "see my data" link works (seconds); it also works only once.
PLUMA_DATA_LINK_MAX_AGE = env_int("PLUMA_DATA_LINK_MAX_AGE", 24 * 3600)
# Default pace per official; each target's delivery policy can change it.
PLUMA_LETTERS_PER_TARGET_HOUR = env_int("PLUMA_LETTERS_PER_TARGET_HOUR", 30)
# A letter stuck in "sending" this long is handed back to the queue by the sweeper.
PLUMA_DELIVERY_LEASE_SECONDS = env_int("PLUMA_DELIVERY_LEASE_SECONDS", 300)
if PLUMA_DELIVERY_LEASE_SECONDS <= 2 * ANYMAIL_REQUESTS_TIMEOUT:
    # A lease shorter than a send could expire mid-send and the letter go out twice.
    raise ImproperlyConfigured(
        "PLUMA_DELIVERY_LEASE_SECONDS must be more than twice ANYMAIL_REQUESTS_TIMEOUT."
    )
# Replies: supporters are asked "did you get a reply?" this many days after a letter
# reached the official, and reminded once this many days later if they did not answer.
PLUMA_REPLY_QUESTION_DAYS = env_int("PLUMA_REPLY_QUESTION_DAYS", 14)
PLUMA_REPLY_REMINDER_DAYS = env_int("PLUMA_REPLY_REMINDER_DAYS", 7)
# A reply address stops routing this many days after its letter was sent (quarantine).
PLUMA_REPLY_TOKEN_DAYS = env_int("PLUMA_REPLY_TOKEN_DAYS", 365)
# Largest attachment of a reply, or upload of a postal reply, that is kept (bytes).
PLUMA_REPLY_ATTACHMENT_MAX_BYTES = env_int("PLUMA_REPLY_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Largest ESP inbound post taken (bytes): Postmark sends up to 35 MB of email as base64
# JSON. Only posts with the webhook secret get past Django's 2.5 MB (replies/middleware.py).
PLUMA_INBOUND_MAX_BYTES = env_int("PLUMA_INBOUND_MAX_BYTES", 50 * 1024 * 1024)
# Officials on a daily digest get it after this hour, local time (TIME_ZONE), with at most
# this many letters (an email their server still takes); the rest wait a day.
PLUMA_DIGEST_HOUR = env_int("PLUMA_DIGEST_HOUR", 8)
PLUMA_DIGEST_MAX_LETTERS = env_int("PLUMA_DIGEST_MAX_LETTERS", 1000)
# Letters in one printed bundle (a PDF organizers print and post); the rest go in the next.
PLUMA_BUNDLE_MAX_LETTERS = env_int("PLUMA_BUNDLE_MAX_LETTERS", 2000)
# Trending sources (actions/trending.py): a network (IPv4 /24, IPv6 /64) or an email domain
# from which a case got this many sign-ups, or this many letters, within the last window is
# trending; organizers are emailed once per source per window.
PLUMA_TRENDING_THRESHOLD = env_int("PLUMA_TRENDING_THRESHOLD", 50)
PLUMA_TRENDING_WINDOW_MINUTES = env_int("PLUMA_TRENDING_WINDOW_MINUTES", 60)
# Webmail domains are shared by unrelated people, so on any busy case they pass a count
# threshold on their own: such a domain trends only when it also makes this share (percent)
# of the case's sign-ups (or letters) in the window, i.e. when it crowds out everyone else.
# A burst from few machines still trends by its network whatever the domain.
PLUMA_TRENDING_SHARED_DOMAINS = env_list(
    "PLUMA_TRENDING_SHARED_DOMAINS",
    "gmail.com,outlook.com,hotmail.com,live.com,msn.com,yahoo.com,icloud.com,me.com,aol.com,"
    "proton.me,protonmail.com,gmx.net,gmx.de,web.de,mail.ru,yandex.ru,qq.com,163.com,"
    "hotmail.es,hotmail.fr,hotmail.co.uk,outlook.es,outlook.fr,yahoo.es,yahoo.fr,yahoo.co.uk,"
    "yahoo.com.mx,prodigy.net.mx,orange.fr,free.fr,laposte.net,libero.it",
)
PLUMA_TRENDING_SHARED_PERCENT = env_int("PLUMA_TRENDING_SHARED_PERCENT", 75)
if PLUMA_TRENDING_THRESHOLD < 1 or PLUMA_TRENDING_WINDOW_MINUTES < 1:
    raise ImproperlyConfigured(
        "PLUMA_TRENDING_THRESHOLD and PLUMA_TRENDING_WINDOW_MINUTES must be at least 1."
    )
if not 1 <= PLUMA_TRENDING_SHARED_PERCENT <= 100:
    raise ImproperlyConfigured("PLUMA_TRENDING_SHARED_PERCENT must be between 1 and 100.")
# Webhooks out (webhooks/): each POST to an endpoint waits this long to connect, and this
# long for each read of the answer, before the attempt counts as failed (seconds).
PLUMA_WEBHOOK_TIMEOUT = env_int("PLUMA_WEBHOOK_TIMEOUT", 10)
# An event an endpoint has not taken is retried, with growing waits, for this long (hours).
PLUMA_WEBHOOK_RETRY_HOURS = env_int("PLUMA_WEBHOOK_RETRY_HOURS", 72)
# An endpoint whose every attempt has failed for this long is switched off (hours).
PLUMA_WEBHOOK_DISABLE_HOURS = env_int("PLUMA_WEBHOOK_DISABLE_HOURS", 24)
# Delivered and given-up webhook deliveries (the log) and their events are kept this long.
PLUMA_WEBHOOK_LOG_DAYS = env_int("PLUMA_WEBHOOK_LOG_DAYS", 30)
CELERY_BEAT_SCHEDULE["dispatch-webhooks"] = {
    # Fans events out to endpoints, takes back lost sends, hands out what is due.
    "task": "webhooks.tasks.dispatch_webhooks",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["prune-webhook-log"] = {
    "task": "webhooks.tasks.prune_webhook_log",
    "schedule": 86400.0,
}
# The bearer token Prometheus sends to /metrics (config/metrics.py); without one, /metrics
# answers 404: counts of letters and outboxes are nobody else's business.
PLUMA_METRICS_TOKEN = env("PLUMA_METRICS_TOKEN", "")
