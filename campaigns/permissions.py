"""Who may do what in the admin: one check for views, one policy for read-only records.

Admin views that are not Wagtail viewsets check a permission with `requires` (or
`require` inside a view that checks several). A refusal is a plain 403 that says why:
Wagtail would turn a PermissionDenied into a redirect to the dashboard, which hides
from an organizer why a button did nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseForbidden
from django.utils.translation import gettext as _
from wagtail.permission_policies import ModelPermissionPolicy

# The group organizers belong to (campaigns/migrations/0003_groups.py), which the apps'
# migrations grant permissions to and which is emailed about trending sources.
ORGANIZERS = "Organizers"

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import Model, QuerySet
    from django.views import View

    # For mypy, the mixin below is what it is mixed into: a view, with a dispatch().
    _MixedIntoView = View
else:
    _MixedIntoView = object


class Refused(PermissionDenied):
    """Raised by `require`; `requires` answers it with a 403."""


def require(request: HttpRequest, *permissions: str) -> None:
    """Raise Refused unless the user has every one of ``permissions``."""
    if not request.user.has_perms(permissions):
        raise Refused


def forbidden() -> HttpResponseForbidden:
    return HttpResponseForbidden(_("You do not have permission to do this."))


def requires(
    *permissions: str,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], R]],
    Callable[Concatenate[HttpRequest, P], R | HttpResponseForbidden],
]:
    """A view decorator: a 403 unless the user has every one of ``permissions``; inside
    the view, a `require` that fails answers the same way."""

    def decorator(
        view: Callable[Concatenate[HttpRequest, P], R],
    ) -> Callable[Concatenate[HttpRequest, P], R | HttpResponseForbidden]:
        @functools.wraps(view)
        def checked(
            request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs
        ) -> R | HttpResponseForbidden:
            try:
                require(request, *permissions)
                return view(request, *args, **kwargs)
            except Refused:
                return forbidden()

        return checked

    return decorator


# Wagtail is untyped: its policy is Any to mypy.
class WrittenBySitePolicy(ModelPermissionPolicy):  # type: ignore[misc]
    """Records only the site writes (signatures, the outbox, export logs, received mail):
    people may look, and do what ``allowed`` names, never the ``denied`` actions."""

    def __init__(
        self, model: type[Model] | str, *, denied: Iterable[str] = ("add", "change", "delete")
    ) -> None:
        super().__init__(model)
        self.denied = frozenset(denied)

    def user_has_permission(self, user: User | AnonymousUser, action: str) -> bool:
        if action in self.denied:
            return False
        return bool(super().user_has_permission(user, action))

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet[User]:
        allowed = [a for a in actions if a not in self.denied]
        users: QuerySet[User] = super().users_with_any_permission(allowed)  # Wagtail: untyped
        return users


class RequiresPermissions(_MixedIntoView):
    """For class-based admin views: a 403 unless the user has ``required_permissions``."""

    required_permissions: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.has_perms(self.required_permissions):
            return forbidden()
        return super().dispatch(request, *args, **kwargs)
