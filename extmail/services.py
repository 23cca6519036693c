"""Every change to linkages goes through here (keyword-only arguments, one transaction each)."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import probe
from .crypto import DecryptionError
from .forms import LinkageInput
from .models import (
    CheckStatus,
    ConnectionCheck,
    Linkage,
    LinkageDraft,
    LinkageFields,
    LinkageState,
    Mailbox,
)
from .selectors import address_conflict

log = logging.getLogger("extmail")

COPIED_FIELDS = ("mail_address", "pop_host", "pop_port", "pop_account", "pop_auth",
                 "leave_on_server", "pop_ssl", "smtp_host", "smtp_port", "smtp_auth",
                 "smtp_account", "smtp_ssl")


class ServiceError(Exception):
    """A request the user can understand and fix; the message is shown as it is."""


# --- drafts and starting a check ---------------------------------------------------------

def create_draft(*, owner, value: LinkageInput, target: Linkage | None = None) -> LinkageDraft:
    draft = LinkageDraft(id=uuid.uuid4(), owner=owner, target=target)
    for name in COPIED_FIELDS:
        setattr(draft, name, getattr(value, name))
    draft.set_secret("pop_password", value.pop_password)
    draft.set_secret("smtp_password", value.smtp_password)
    draft.save()
    # Drafts older than a day were abandoned on the confirmation screen: drop them (and the
    # encrypted passwords they hold).
    LinkageDraft.objects.filter(
        owner=owner, created_at__lt=timezone.now() - timedelta(days=1)).delete()
    return draft


def start_check(*, owner, draft_pk: uuid.UUID) -> ConnectionCheck:
    """[接続確認を開始]: save the draft as a linkage (or a pending change) and queue its check.

    Safe to call twice (double click, re-post, back button): the second call returns the
    check the first one started.
    """
    with transaction.atomic():
        draft = LinkageDraft.objects.select_for_update().select_related("target").get(
            owner=owner, pk=draft_pk)
        if draft.started_check_id is not None:
            return draft.started_check
        _enforce_rate_limit(owner)
        if draft.target is None:
            linkage = _linkage_from_draft(draft)
            check = ConnectionCheck.objects.create(linkage=linkage, requested_by=owner)
            _forget_draft_secrets(draft)
        elif draft.target.state == LinkageState.OK:
            # A working linkage keeps its settings until the new ones pass (the draft is
            # checked and applied only on success).
            _assert_address_free(draft, exclude=draft.target)
            check = ConnectionCheck.objects.create(linkage=draft.target, requested_by=owner,
                                                   draft=draft)
        else:
            _apply_draft(draft, draft.target)
            check = ConnectionCheck.objects.create(linkage=draft.target, requested_by=owner)
            _forget_draft_secrets(draft)
        if check.draft_id is None:
            check.linkage.state = LinkageState.CHECKING
            check.linkage.save(update_fields=["state", "updated_at"])
        draft.started_check = check
        draft.save(update_fields=["started_check", "pop_password_enc", "smtp_password_enc"])
        transaction.on_commit(lambda: _enqueue(check))
    log.info("check %s queued for linkage %s by user %s", check.pk, check.linkage_id, owner.pk)
    return check


def request_check(*, linkage: Linkage, requested_by) -> ConnectionCheck:
    """Run the check again for a saved linkage (the 「接続確認」 link)."""
    with transaction.atomic():
        running = linkage.checks.filter(
            status__in=[CheckStatus.PENDING, CheckStatus.RUNNING], draft__isnull=True).first()
        if running is not None:
            return running
        _enforce_rate_limit(requested_by)
        check = ConnectionCheck.objects.create(linkage=linkage, requested_by=requested_by)
        if linkage.state != LinkageState.OK:
            linkage.state = LinkageState.CHECKING
            linkage.save(update_fields=["state", "updated_at"])
        transaction.on_commit(lambda: _enqueue(check))
    return check


def _enqueue(check: ConnectionCheck) -> None:
    from .tasks import connection_check

    # Only the check's id travels through the task queue: never a password.
    connection_check.enqueue(str(check.pk))


def _enforce_rate_limit(user) -> None:
    since = timezone.now() - timedelta(seconds=settings.BEATBOX_CHECK_RATE_WINDOW)
    recent = ConnectionCheck.objects.filter(requested_by=user, created_at__gte=since).count()
    if recent >= settings.BEATBOX_CHECK_RATE:
        minutes = max(1, settings.BEATBOX_CHECK_RATE_WINDOW // 60)
        raise ServiceError(_("Too many connection checks in a short time. Please wait "
                             "%(minutes)d minutes and try again.") % {"minutes": minutes})


def _assert_address_free(draft: LinkageDraft, exclude: Linkage | None) -> None:
    problem = address_conflict(owner=draft.owner, address=draft.mail_address, exclude=exclude)
    if problem:
        raise ServiceError(problem)


def _linkage_from_draft(draft: LinkageDraft) -> Linkage:
    _assert_address_free(draft, exclude=None)
    linkage = Linkage(id=uuid.uuid4(), owner=draft.owner)
    _apply_draft(draft, linkage)
    return linkage


def _apply_draft(draft: LinkageDraft, linkage: Linkage) -> None:
    """Copy a draft's settings into a linkage; a blank draft password keeps the stored one."""
    _assert_address_free(draft, exclude=linkage if linkage.pk and not linkage._state.adding
                         else None)
    now = timezone.now()
    for name in COPIED_FIELDS:
        setattr(linkage, name, getattr(draft, name))
    if draft.pop_password_enc:
        linkage.set_secret("pop_password", draft.get_secret("pop_password"))
        linkage.pop_password_set_at = now
    if draft.smtp_auth != "custom":
        linkage.set_secret("smtp_password", "")
        linkage.smtp_password_set_at = None
    elif draft.smtp_password_enc:
        linkage.set_secret("smtp_password", draft.get_secret("smtp_password"))
        linkage.smtp_password_set_at = now
    try:
        with transaction.atomic():
            linkage.save()
    except IntegrityError:
        raise ServiceError(
            _("You already have an external mail linkage for this address.")) from None


def _forget_draft_secrets(draft: LinkageDraft) -> None:
    draft.pop_password_enc = ""
    draft.smtp_password_enc = ""


# --- running a check (in the task worker) -------------------------------------------------

def probe_policy() -> probe.Policy:
    return probe.Policy(
        deadline=settings.BEATBOX_PROBE_DEADLINE,
        op_timeout=settings.BEATBOX_PROBE_TIMEOUT,
        allowed_networks=tuple(settings.BEATBOX_PROBE_ALLOWED_NETWORKS),
        cafile=settings.BEATBOX_PROBE_CAFILE,
        relay_recipient=settings.BEATBOX_PROBE_RELAY_RECIPIENT,
        helo_name=settings.BEATBOX_HOSTNAME,
    )


def _probe_settings(source: LinkageFields, fallback: Linkage | None
                    ) -> tuple[probe.PopSettings, probe.SmtpSettings]:
    def secret(name: str) -> str:
        if getattr(source, f"{name}_enc"):
            return source.get_secret(name)
        return fallback.get_secret(name) if fallback is not None else ""

    pop = probe.PopSettings(host=source.pop_host, port=source.pop_port, ssl=source.pop_ssl,
                            account=source.pop_account, password=secret("pop_password"),
                            auth=probe.PopAuth(source.pop_auth),
                            leave_on_server=source.leave_on_server)
    smtp = probe.SmtpSettings(host=source.smtp_host, port=source.smtp_port,
                              ssl=source.smtp_ssl, auth=probe.SmtpAuth(source.smtp_auth),
                              account=source.smtp_account, password=secret("smtp_password"),
                              mail_from=source.mail_address)
    return pop, smtp


def execute_check(*, check_id: uuid.UUID | str) -> str:
    """Run one queued check to the end and record its outcome; returns the final status."""
    with transaction.atomic():
        check = ConnectionCheck.objects.select_for_update().select_related(
            "linkage", "draft").get(pk=check_id)
        if check.status != CheckStatus.PENDING:
            return check.status  # already run (a task delivered twice)
        check.status, check.started_at = CheckStatus.RUNNING, timezone.now()
        check.save(update_fields=["status", "started_at"])
    source = check.draft or check.linkage
    try:
        pop, smtp = _probe_settings(source, check.linkage if check.draft else None)
    except DecryptionError:
        log.warning("check %s: stored password cannot be decrypted", check.pk)
        return _finish(check, report=None, cause="stored_secret", side="pop")
    runner = import_string(getattr(settings, "BEATBOX_PROBE_RUNNER", "extmail.probe.run_check"))
    report: probe.CheckReport = runner(pop, smtp, probe_policy())
    side = "" if report.ok else ("pop" if not report.pop.ok else "smtp")
    failed = report.pop if side == "pop" else report.smtp
    cause = failed.cause.value if side and failed.cause else ("protocol_error" if side else "")
    return _finish(check, report=report, cause=cause, side=side)


def _finish(check: ConnectionCheck, *, report: probe.CheckReport | None, cause: str,
            side: str) -> str:
    ok = report is not None and report.ok
    with transaction.atomic():
        linkage = Linkage.objects.select_for_update().get(pk=check.linkage_id)
        check.status = CheckStatus.OK if ok else CheckStatus.FAILED
        check.cause, check.side = cause, side
        check.report = dataclasses.asdict(report) if report is not None else {}
        check.finished_at = timezone.now()
        check.save(update_fields=["status", "cause", "side", "report", "finished_at"])
        if ok:
            if check.draft is not None:
                _apply_draft(check.draft, linkage)
                _forget_draft_secrets(check.draft)
                check.draft.save(update_fields=["pop_password_enc", "smtp_password_enc"])
            _mark_checked(linkage, report)
        elif check.draft is None:
            linkage.state = LinkageState.FAILED
            linkage.save(update_fields=["state", "updated_at"])
    log.info("check %s for linkage %s finished: %s %s", check.pk, linkage.pk, check.status,
             cause)
    return check.status


def _mark_checked(linkage: Linkage, report: probe.CheckReport) -> None:
    linkage.state = LinkageState.OK
    linkage.checked_at = timezone.now()
    linkage.smtp_method = report.smtp.method.value if report.smtp.method else ""
    linkage.smtp_mechanism = report.smtp.mechanism
    if not Linkage.objects.filter(owner=linkage.owner, is_primary=True).exclude(
            pk=linkage.pk).exists():
        linkage.is_primary = True  # the first successfully checked linkage is primary
    linkage.save()
    create_mailbox(linkage=linkage)


def create_mailbox(*, linkage: Linkage) -> Mailbox:
    """The local Maildir; created only once the linkage has passed its check."""
    existing = Mailbox.objects.filter(linkage=linkage).first()
    if existing is not None:
        return existing
    root = Path(settings.BEATBOX_MAILBOX_DIR) / str(linkage.pk)
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)
    return Mailbox.objects.create(linkage=linkage, path=str(root))
