"""State changes of users (利用者管理), by a 責任者. Keyword-only, one transaction each."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import User


class UserRuleError(Exception):
    """A rule about users was broken; the message says which, for the person at the screen."""


def create_user(*, actor: User, login: str, password: str, name: str = "", furigana: str = "",
                email: str = "", is_admin: bool = False) -> User:
    with transaction.atomic():
        user = User.objects.create_user(login, password, name=name, furigana=furigana,
                                        email=email, is_admin=is_admin)
        audit.record(actor=actor, action="user.add", subject=user, target=user.login,
                     details={"is_admin": is_admin})
    return user


def update_user(*, actor: User, user: User, name: str, furigana: str, email: str,
                is_admin: bool, password: str = "") -> User:
    """Change a user's details (the login ID never changes once set)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_admin and not is_admin:
            _assert_may_lose_admin(actor=actor, user=user)
        changed = {f: v for f, v in (("name", name), ("furigana", furigana), ("email", email),
                                     ("is_admin", is_admin)) if getattr(user, f) != v}
        for field, value in changed.items():
            setattr(user, field, value)
        if password:
            user.set_password(password)
        user.save()
        audit.record(actor=actor, action="user.change", subject=user, target=user.login,
                     details={"changed": sorted(changed), "password_changed": bool(password)})
    return user


def delete_user(*, actor: User, user: User) -> None:
    """Delete a user with all their linkages and local mailboxes."""
    from extmail.services import remove_mailboxes_after_commit

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.pk == actor.pk:
            raise UserRuleError(_("You cannot delete your own user."))
        if user.is_admin:
            _assert_may_lose_admin(actor=actor, user=user)
        addresses = list(user.linkages.values_list("mail_address", flat=True))
        remove_mailboxes_after_commit(owner=user)
        audit.record(actor=actor, action="user.delete", subject=None, target=user.login,
                     details={"linkages": addresses})
        user.delete()


def check_may_lose_admin(*, actor: User, user: User) -> None:
    """Raise UserRuleError if `user` may not stop being a 責任者 (own role, or the last)."""
    _assert_may_lose_admin(actor=actor, user=user)


def _assert_may_lose_admin(*, actor: User, user: User) -> None:
    if user.pk == actor.pk:
        raise UserRuleError(_("You cannot remove your own administrator (責任者) role."))
    others = User.objects.select_for_update().filter(is_admin=True, is_active=True).exclude(
        pk=user.pk)
    if not others.exists():
        raise UserRuleError(_("At least one administrator (責任者) must remain."))
