"""Recording the audit log (called from services only, inside their transactions)."""

from __future__ import annotations

from .models import AuditEntry

# Field names whose values are never written to the log, whatever a caller passes.
SECRET_KEYS = {"pop_password", "smtp_password", "password", "pop_password_enc",
               "smtp_password_enc", "password1", "password2"}


def record(*, actor, action: str, subject=None, target: str = "",
           details: dict | None = None) -> AuditEntry:
    clean = {k: v for k, v in (details or {}).items() if k not in SECRET_KEYS}
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_login=getattr(actor, "login", "") or "system",
        action=action,
        subject_login=getattr(subject, "login", "") or "",
        target=target[:300],
        details=clean,
    )
