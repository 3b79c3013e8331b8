"""One person, one address: the canonical form of an email used to recognise a supporter.

Shared by petitions and letters, which both depend on campaigns and never on each other.
"""

# Gmail ignores dots in the local part and treats googlemail.com as gmail.com, so
# a.na@googlemail.com and ana@gmail.com reach the same inbox and are the same person.
GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """Lower-cased and trimmed, `+tag` removed; for Gmail, dots ignored and one domain.

    Only for recognising people: mail is always sent to the address as typed.
    """
    address = email.strip().lower()
    local, sep, domain = address.rpartition("@")
    if not sep or not local:
        return address
    local = local.split("+", 1)[0] or local
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    """The domain of the canonical address (googlemail.com is gmail.com): what trending
    sources and bulk invalidation group supporters by (campaigns.models.sources)."""
    return canonical_email(email).rpartition("@")[2].rstrip(".")
