"""Forms of actions' admin pages: input validation only."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.defences import IPV4_NETWORK_PREFIX, IPV6_CLIENT_PREFIX, network_of
from campaigns.models.sources import DOMAIN_LENGTH, REASON_LENGTH, SourceKind

# A domain as an email's canonical form holds it: no spaces, no @, no slash.
_DOMAIN = re.compile(r"^[^\s@/]+\.[^\s@/]+$")
# What <input type="datetime-local"> sends, with or without seconds.
DATETIME_LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker: no script needed."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def normalised_network(value: str) -> str:
    """The network as sign-ups and letters store it, from an address or a network of the
    stored size; raises ValidationError otherwise."""
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise forms.ValidationError(
            _("Give an IP address or a network such as 203.0.113.0/24 or 2001:db8:1:2::/64."),
            code="invalid_network",
        ) from None
    expected = IPV4_NETWORK_PREFIX if network.version == 4 else IPV6_CLIENT_PREFIX
    if network.prefixlen not in (expected, network.max_prefixlen):
        raise forms.ValidationError(
            _("Sign-ups keep their IPv4 /24 or IPv6 /64 network: give one, or an address in it."),
            code="network_size",
        )
    return network_of(str(network.network_address))


def normalised_domain(value: str) -> str:
    domain = value.strip().lower().lstrip("@").rstrip(".")
    if not _DOMAIN.match(domain) or len(domain) > DOMAIN_LENGTH:
        raise forms.ValidationError(
            _("Give an email domain such as example.org."), code="invalid_domain"
        )
    return domain


def normalised_source(kind: SourceKind, value: str) -> str:
    if kind == SourceKind.NETWORK:
        return normalised_network(value)
    return normalised_domain(value)


class InvalidateSourceForm(forms.Form):
    """Which source of a case to invalidate, when, and why (actions.services.sources)."""

    kind = forms.ChoiceField(
        label=_("Source"), choices=SourceKind.choices, widget=forms.RadioSelect
    )
    source = forms.CharField(
        label=_("Network or email domain"),
        max_length=DOMAIN_LENGTH,
        help_text=_("A network as shown on the sources page (203.0.113.0/24), or a domain."),
    )
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        input_formats=DATETIME_LOCAL,
        widget=DateTimeLocalInput(),
        help_text=_("Leave empty for every sign-up and letter from this source on the case."),
    )
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        input_formats=DATETIME_LOCAL,
        widget=DateTimeLocalInput(),
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the log with your name, the time and what was invalidated."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        kind, source = cleaned.get("kind"), cleaned.get("source")
        if kind and source:
            try:
                cleaned["source"] = normalised_source(SourceKind(kind), source)
            except forms.ValidationError as error:
                self.add_error("source", error)
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since >= until:
            self.add_error("until", _("The end must be after the start."))
        return cleaned
