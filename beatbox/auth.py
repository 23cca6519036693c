"""Login for imported users whose initial password has not been hashed yet."""

from __future__ import annotations

import hmac

from django.contrib.auth.backends import ModelBackend
from django.db import transaction

from .models import PendingPassword, User


class PendingPasswordBackend(ModelBackend):
    """Compares with the waiting (encrypted) initial password, then hashes it at once."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        from extmail import crypto

        try:
            pending = PendingPassword.objects.select_related("user").get(
                user__login=username)
        except PendingPassword.DoesNotExist:
            return None
        secret = crypto.decrypt(pending.secret_enc,
                                row=f"beatbox.pendingpassword:{pending.user_id}",
                                field="password")
        if not hmac.compare_digest(secret.encode(), password.encode()):
            return None
        user: User = pending.user
        with transaction.atomic():
            user.set_password(password)
            user.save(update_fields=["password"])
            pending.delete()
        return user if self.user_can_authenticate(user) else None
