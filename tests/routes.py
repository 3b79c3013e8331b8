"""Every route the URLconf serves, from django.urls' resolver: tests that must cover every
route enumerate them here, so a new route is covered (or fails them) as soon as it exists."""

import dataclasses

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern


@dataclasses.dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the pattern of an unnamed route
    pattern: str
    converters: tuple[tuple[str, str], ...]  # (argument, converter class name)
    callback: object

    @property
    def name(self) -> str:
        return self.key.rpartition(":")[2]

    @property
    def is_admin(self) -> bool:
        """Wagtail's admin, for people logged in to it (its login page is public)."""
        return self.pattern.startswith("admin/") and self.key != "wagtailadmin_login"

    @property
    def is_webhook(self) -> bool:
        return self.pattern.startswith("webhooks/")

    @property
    def is_debug_media(self) -> bool:
        """/media/, served only with DEBUG on (make run): tests/test_urls.py."""
        return self.pattern.startswith("^media/")


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for entry in patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(n for n in (namespace, entry.namespace) if n)
                walk(entry.url_patterns, pattern, inner)
            elif isinstance(entry, URLPattern):
                name = ":".join(n for n in (namespace, entry.name) if n) if entry.name else ""
                converters: tuple[tuple[str, str], ...] = ()
                if isinstance(entry.pattern, RoutePattern):
                    converters = tuple(
                        (argument, type(converter).__name__)
                        for argument, converter in entry.pattern.converters.items()
                    )
                found.append(Route(name or pattern, pattern, converters, entry.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


def public_routes() -> list[Route]:
    """What anyone on the internet can request: all but the admin, the ESP webhooks and
    the DEBUG-only media."""
    return [r for r in routes() if not (r.is_admin or r.is_webhook or r.is_debug_media)]
