"""Whose settings a screen works on: the user's own (自身の設定), or — for a 責任者 — any user's.

Views get a Scope and build every link through it, so the same screens serve
/beatman/setting/self/... and /beatman/setting/admin/users/<id>/...
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.urls import reverse

from beatbox.models import User

SELF_NS = "extmail"
ADMIN_NS = "extmail_admin"


@dataclass(frozen=True)
class Scope:
    owner: User
    actor: User
    for_user: bool  # a 責任者 acting for `owner` through the administration pages

    def url(self, name: str, **kwargs) -> str:
        if self.for_user:
            return reverse(f"{ADMIN_NS}:{name}", kwargs={"user_pk": self.owner.pk, **kwargs})
        return reverse(f"{SELF_NS}:{name}", kwargs=kwargs)


def scope_of(request: HttpRequest, user_pk: int | None) -> Scope:
    """The scope of this request; administration URLs are simply not there for others."""
    if user_pk is None:
        return Scope(owner=request.user, actor=request.user, for_user=False)
    if not getattr(request.user, "is_admin", False):
        raise Http404
    try:
        owner = User.objects.get(pk=user_pk)
    except User.DoesNotExist:
        raise Http404 from None
    return Scope(owner=owner, actor=request.user, for_user=True)
