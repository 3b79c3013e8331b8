"""One-time links in emails to supporters: what can be wrong with one, and its nonce.

Each app signs its own links (its own salt and payload); the errors are shared so every
"this link does not work" page says the same thing for the same reason.
"""

import secrets


class LinkError(Exception):
    """A link that cannot do what it was sent for; `kind` says why (for the page shown)."""

    kind = "invalid"


class LinkInvalid(LinkError):
    kind = "invalid"


class LinkExpired(LinkError):
    kind = "expired"


class LinkUsed(LinkError):
    kind = "used"


def new_nonce() -> str:
    """A single-use secret stored on the row a link acts on; cleared once it is used."""
    return secrets.token_urlsafe(16)
