"""Every change to linkages goes through here (keyword-only arguments, one transaction each)."""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from beatbox import audit

from . import crypto, probe
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
    purge_stale_drafts()
    return draft


def purge_stale_drafts() -> int:
    """Drafts older than a day were abandoned on the confirmation screen: drop them, with the
    encrypted passwords they hold (also run by the schedule, for users who never return)."""
    return LinkageDraft.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=1)).delete()[0]


def start_check(*, owner, draft_pk: uuid.UUID, actor=None) -> ConnectionCheck:
    """[接続確認を開始]: save the draft as a linkage (or a pending change) and queue its check.

    Safe to call twice (double click, re-post, back button): the second call returns the
    check the first one started. `actor` is who clicked (the owner, or a 責任者 for them).
    """
    actor = actor or owner
    with transaction.atomic():
        draft = LinkageDraft.objects.select_for_update().select_related("target").get(
            owner=owner, pk=draft_pk)
        if draft.started_check_id is not None:
            return draft.started_check
        _enforce_rate_limit(owner)
        if draft.target is None:
            linkage = _linkage_from_draft(draft)
            check = ConnectionCheck.objects.create(linkage=linkage, requested_by=actor)
            _forget_draft_secrets(draft)
            action = "linkage.add"
        elif draft.target.state == LinkageState.OK:
            # A working linkage keeps its settings until the new ones pass (the draft is
            # checked and applied only on success).
            _assert_address_free(draft, exclude=draft.target)
            check = ConnectionCheck.objects.create(linkage=draft.target, requested_by=actor,
                                                   draft=draft)
            action = "linkage.change_requested"
        else:
            _apply_draft(draft, draft.target)
            check = ConnectionCheck.objects.create(linkage=draft.target, requested_by=actor)
            _forget_draft_secrets(draft)
            action = "linkage.change"
        audit.record(actor=actor, action=action, subject=owner, target=draft.mail_address,
                     details={"linkage": str(check.linkage_id), **_settings_summary(draft)})
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
        _enforce_rate_limit(linkage.owner)
        audit.record(actor=requested_by, action="linkage.check", subject=linkage.owner,
                     target=linkage.mail_address, details={"linkage": str(linkage.pk)})
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


def _enforce_rate_limit(owner) -> None:
    """At most BEATBOX_CHECK_RATE checks per user's linkages per window: repeated logins with
    a wrong password could get the provider account locked."""
    since = timezone.now() - timedelta(seconds=settings.BEATBOX_CHECK_RATE_WINDOW)
    recent = ConnectionCheck.objects.filter(linkage__owner=owner, created_at__gte=since).count()
    if recent >= settings.BEATBOX_CHECK_RATE:
        minutes = max(1, settings.BEATBOX_CHECK_RATE_WINDOW // 60)
        raise ServiceError(_("Too many connection checks in a short time. Please wait "
                             "%(minutes)d minutes and try again.") % {"minutes": minutes})


def _assert_address_free(draft: LinkageDraft, exclude: Linkage | None) -> None:
    problem = address_conflict(owner=draft.owner, address=draft.mail_address, exclude=exclude)
    if problem:
        raise ServiceError(problem)


def _linkage_from_draft(draft: LinkageDraft) -> Linkage:
    linkage = Linkage(id=uuid.uuid4(), owner=draft.owner)
    _apply_draft(draft, linkage)
    return linkage


def _apply_draft(draft: LinkageDraft, linkage: Linkage) -> None:
    """Copy a draft's settings into a linkage; a blank draft password keeps the stored one."""
    _assert_address_free(draft, exclude=None if linkage._state.adding else linkage)
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


def _settings_summary(source: LinkageFields) -> dict:
    """What changed hands, for the audit log: servers and options, never a password."""
    return {"pop_server": source.pop_server, "pop_account": source.pop_account,
            "smtp_server": source.smtp_server, "smtp_auth": source.smtp_auth,
            "pop_ssl": source.pop_ssl, "smtp_ssl": source.smtp_ssl,
            "leave_on_server": source.leave_on_server,
            "pop_password_changed": bool(source.pop_password_enc),
            "smtp_password_changed": bool(source.smtp_password_enc)}


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
                audit.record(actor=None, action="linkage.change", subject=linkage.owner,
                             target=linkage.mail_address,
                             details={"linkage": str(linkage.pk), "after_check": True,
                                      **_settings_summary(check.draft)})
                _forget_draft_secrets(check.draft)
                check.draft.save(update_fields=["pop_password_enc", "smtp_password_enc"])
            _mark_checked(linkage, report)
        elif check.draft is None:
            linkage.state = LinkageState.FAILED
            linkage.save(update_fields=["state", "updated_at"])
        else:
            # A change that failed its check: the typed passwords are not kept around (the
            # correction form asks again where the destination changed).
            _forget_draft_secrets(check.draft)
            check.draft.save(update_fields=["pop_password_enc", "smtp_password_enc"])
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


# --- deleting and the primary address -------------------------------------------------------

def delete_linkage(*, linkage: Linkage, actor) -> None:
    """Delete a linkage and its local mailbox (with the mail in it)."""
    with transaction.atomic():
        mine = Linkage.objects.select_for_update().filter(owner_id=linkage.owner_id)
        linkage = mine.get(pk=linkage.pk)
        if linkage.is_primary and mine.exclude(pk=linkage.pk).exists():
            raise ServiceError(_("This is the primary mail address. Choose another primary "
                                 "mail address first, then delete this one."))
        path = linkage.mailbox.path if hasattr(linkage, "mailbox") else None
        audit.record(actor=actor, action="linkage.delete", subject=linkage.owner,
                     target=linkage.mail_address, details={"linkage": str(linkage.pk),
                                                           "mailbox_removed": bool(path)})
        linkage.delete()
        if path:
            transaction.on_commit(lambda: _remove_mailbox_dir(path))


def remove_mailboxes_after_commit(*, owner) -> None:
    """When the user goes (inside the caller's transaction), their Maildirs go after commit."""
    paths = list(Mailbox.objects.filter(linkage__owner=owner).values_list("path", flat=True))
    for path in paths:
        transaction.on_commit(lambda p=path: _remove_mailbox_dir(p))


def _remove_mailbox_dir(path: str) -> None:
    root = Path(settings.BEATBOX_MAILBOX_DIR).resolve()
    target = Path(path).resolve()
    if root not in target.parents:  # never remove anything outside the mailbox area
        log.error("refusing to remove %s: not under %s", target, root)
        return
    shutil.rmtree(target, ignore_errors=True)


def set_primary(*, linkage: Linkage, actor) -> None:
    """Make a successfully checked linkage the user's primary address (主たるメールアドレス)."""
    with transaction.atomic():
        mine = Linkage.objects.select_for_update().filter(owner_id=linkage.owner_id)
        linkage = mine.get(pk=linkage.pk)
        if linkage.state != LinkageState.OK:
            raise ServiceError(_("Only a linkage whose connection check succeeded can be the "
                                 "primary mail address."))
        if linkage.is_primary:
            return
        mine.filter(is_primary=True).update(is_primary=False)
        linkage.is_primary = True
        linkage.save(update_fields=["is_primary", "updated_at"])
        audit.record(actor=actor, action="linkage.primary", subject=linkage.owner,
                     target=linkage.mail_address, details={"linkage": str(linkage.pk)})


def replace_passwords(*, linkage: Linkage, actor, pop_password: str = "",
                      smtp_password: str = "") -> ConnectionCheck:
    """New passwords for unchanged settings (admin site): checked like any change first."""
    value = LinkageInput(
        mail_address=linkage.mail_address, pop_host=linkage.pop_host,
        pop_port=linkage.pop_port, pop_account=linkage.pop_account, pop_auth=linkage.pop_auth,
        leave_on_server=linkage.leave_on_server, pop_ssl=linkage.pop_ssl,
        smtp_host=linkage.smtp_host, smtp_port=linkage.smtp_port,
        smtp_auth=linkage.smtp_auth, smtp_account=linkage.smtp_account,
        smtp_ssl=linkage.smtp_ssl, pop_password=pop_password, smtp_password=smtp_password)
    draft = create_draft(owner=linkage.owner, value=value, target=linkage)
    return start_check(owner=linkage.owner, draft_pk=draft.pk, actor=actor)


# --- bulk registration from Excel (利用者情報一括登録) --------------------------------------

IMPORT_PREVIEW_TTL = timedelta(hours=1)


def preview_import(*, actor, data: bytes, file_name: str = ""):
    """Read and validate a workbook. Nothing is registered: a clean one is kept (rows only,
    passwords encrypted) for [登録]. Returns (plan, batch or None)."""
    from .import_plan import plan_import
    from .importer import Limits, read_workbook
    from .models import ImportBatch

    read = read_workbook(data, limits=Limits(max_rows=settings.BEATBOX_IMPORT_MAX_ROWS,
                                             max_bytes=settings.BEATBOX_IMPORT_MAX_BYTES))
    plan = plan_import(read)
    ImportBatch.objects.filter(status="previewed",
                               created_at__lt=timezone.now() - IMPORT_PREVIEW_TTL).delete()
    if not plan.ok:
        return plan, None
    batch = ImportBatch(id=uuid.uuid4(), created_by=actor, file_name=file_name[:255],
                        file_sha256=plan.sha256, user_count=len(plan.users),
                        linkage_count=len(plan.linkages))
    row_id = f"extmail.importbatch:{batch.id}"
    users = [{"row": u.row, "login": u.login, "name": u.name, "furigana": u.furigana,
              "email": u.email, "is_admin": u.is_admin,
              "password": crypto.encrypt(u.password, row=row_id, field=f"u{u.row}")}
             for u in plan.users]
    linkages = []
    for item in plan.linkages:
        value = dataclasses.asdict(item.value)
        for name in ("pop_password", "smtp_password"):
            secret = value.pop(name)
            value[name] = crypto.encrypt(secret, row=row_id, field=f"l{item.row}:{name}") \
                if secret else ""
        linkages.append({"row": item.row, "login": item.login, **value})
    batch.payload = {"users": users, "linkages": linkages}
    batch.save()
    return plan, batch


def commit_import(*, actor, batch_pk: uuid.UUID):
    """[登録]: every row of a previewed workbook in one transaction, or nothing."""
    from beatbox.models import PendingPassword, User

    from .models import ImportBatch, ImportStatus

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_pk)
        if batch.status != ImportStatus.PREVIEWED:
            return batch  # already registered (double click, re-post)
        if batch.created_at < timezone.now() - IMPORT_PREVIEW_TTL:
            raise ServiceError(_("This preview has expired. Upload the workbook again."))
        row_id = f"extmail.importbatch:{batch.id}"
        users_rows = batch.payload.get("users", [])
        taken = set(User.objects.filter(login__in=[u["login"] for u in users_rows])
                    .values_list("login", flat=True))
        if taken:
            raise ServiceError(_("Some login IDs were registered after the preview (%(ids)s). "
                                 "Upload the workbook again.") % {"ids": ", ".join(
                                     sorted(taken)[:5])})
        new_users = [User(login=u["login"], name=u["name"], furigana=u["furigana"],
                          email=u["email"], is_admin=u["is_admin"],
                          is_superuser=u["is_admin"]) for u in users_rows]
        for user in new_users:
            # Unusable until the background task hashes the imported password ("!" prefix:
            # never matches any password; a short random tail is enough to be unique).
            user.password = "!" + secrets.token_urlsafe(12)
        User.objects.bulk_create(new_users, batch_size=500)
        if any(u.pk is None for u in new_users):  # a database that returns no ids
            new_users = list(User.objects.filter(login__in=[u.login for u in new_users]))
        owners = {u.login.lower(): u for u in new_users}
        others = {row["login"] for row in batch.payload.get("linkages", [])
                  if row["login"].lower() not in owners}
        owners |= {u.login.lower(): u for u in User.objects.filter(login__in=others)}
        PendingPassword.objects.bulk_create([
            _pending(owners[u["login"].lower()], crypto.decrypt(
                u["password"], row=row_id, field=f"u{u['row']}")) for u in users_rows],
            batch_size=500)
        linkages = _insert_linkages(batch, owners, row_id)
        batch.status, batch.committed_at, batch.payload = ImportStatus.COMMITTED, \
            timezone.now(), {}
        batch.save(update_fields=["status", "committed_at", "payload"])
        audit.record(actor=actor, action="import.commit", target=batch.file_name,
                     details={"sha256": batch.file_sha256, "users": len(new_users),
                              "linkages": len(linkages), "batch": str(batch.pk)})
        transaction.on_commit(lambda: _enqueue_import_work(batch))
    return batch


def _pending(user, password: str):
    from beatbox.models import PendingPassword

    return PendingPassword(user=user, secret_enc=crypto.encrypt(
        password, row=f"beatbox.pendingpassword:{user.pk}", field="password"))


def _insert_linkages(batch, owners: dict, row_id: str) -> list[Linkage]:
    rows = batch.payload.get("linkages", [])
    now = timezone.now()
    linkages = []
    for row in rows:
        linkage = Linkage(id=uuid.uuid4(), owner=owners[row["login"].lower()],
                          import_batch=batch, state=LinkageState.CHECKING)
        for name in COPIED_FIELDS:
            setattr(linkage, name, row[name])
        for name in ("pop_password", "smtp_password"):
            if row[name]:
                secret = crypto.decrypt(row[name], row=row_id, field=f"l{row['row']}:{name}")
                linkage.set_secret(name, secret)
                setattr(linkage, f"{name}_set_at", now)
        linkages.append(linkage)
    Linkage.objects.bulk_create(linkages, batch_size=500)
    return linkages


def _enqueue_import_work(batch) -> None:
    from .tasks import check_imported_linkages, hash_imported_passwords

    hash_imported_passwords.enqueue(str(batch.pk))
    check_imported_linkages.enqueue(str(batch.pk))


def check_imported_linkages(*, batch_pk: uuid.UUID | str) -> int:
    """Check the next few linkages of an import, then queue the rest for a little later.

    Imports can bring thousands of linkages: they are checked a chunk at a time, spaced out
    (never all providers at once), and other users' checks get the worker in between.
    Returns how many were checked in this round.
    """
    from .models import ImportBatch
    from .tasks import check_imported_linkages as again

    batch = ImportBatch.objects.get(pk=batch_pk)
    chunk = int(getattr(settings, "BEATBOX_IMPORT_CHECK_CHUNK", 10))
    todo = list(Linkage.objects.filter(import_batch=batch, state=LinkageState.CHECKING,
                                       checks__isnull=True).order_by("created_at")[:chunk])
    for linkage in todo:
        check = ConnectionCheck.objects.create(linkage=linkage, requested_by=batch.created_by,
                                               batch=batch)
        execute_check(check_id=check.pk)
    if len(todo) == chunk:
        spacing = float(getattr(settings, "BEATBOX_IMPORT_CHECK_SPACING", 1.0))
        again.using(run_after=timezone.now() + timedelta(seconds=spacing)).enqueue(
            str(batch.pk))
    return len(todo)


def hash_pending_passwords(*, limit: int | None = None) -> int:
    """Hash waiting imported passwords (threads: PBKDF2 releases the GIL). Returns how many."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.hashers import make_password

    from beatbox.models import PendingPassword

    pending = list(PendingPassword.objects.select_related("user")[:limit] if limit else
                   PendingPassword.objects.select_related("user"))

    def hashed(item) -> tuple:
        secret = crypto.decrypt(item.secret_enc, row=f"beatbox.pendingpassword:{item.user_id}",
                                field="password")
        return item, make_password(secret)

    done = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for item, encoded in pool.map(hashed, pending):
            with transaction.atomic():
                # Only if still waiting (a login may have hashed it already).
                if PendingPassword.objects.filter(pk=item.pk).delete()[0]:
                    type(item.user).objects.filter(pk=item.user_id).update(password=encoded)
                    done += 1
    return done


# --- fetching: what users can ask for ------------------------------------------------------

def fetch_now(*, linkage: Linkage, actor) -> bool:
    """「今すぐ受信」: queue a fetch of this linkage now. False if it cannot be fetched yet."""
    from .models import FetchState
    from .tasks import fetch_linkages

    if linkage.state != LinkageState.OK:
        return False
    state, _ = FetchState.objects.get_or_create(linkage=linkage)
    if state.paused:
        state.paused = False  # the user asks again: try once more
        state.login_failures = 0
        state.save(update_fields=["paused", "login_failures"])
    transaction.on_commit(lambda: fetch_linkages.enqueue([str(linkage.pk)]))
    audit.record(actor=actor, action="linkage.fetch_now", subject=linkage.owner,
                 target=linkage.mail_address, details={"linkage": str(linkage.pk)})
    return True


def choose_only_new_mail(*, linkage: Linkage, actor) -> bool:
    """Beyond the seed: fetch only mail that arrives from now on (before the first fetch)."""
    from .models import FetchedMessage, FetchState

    if FetchedMessage.objects.filter(linkage=linkage).exists():
        return False  # mail has been fetched already: too late to choose
    state, _ = FetchState.objects.get_or_create(linkage=linkage)
    if state.last_success_at is not None:
        return False
    state.only_new = True
    state.save(update_fields=["only_new"])
    audit.record(actor=actor, action="linkage.only_new_mail", subject=linkage.owner,
                 target=linkage.mail_address, details={"linkage": str(linkage.pk)})
    return True


def take_notices(*, user) -> list:
    """Notices the user has not seen; shown once, then marked seen."""
    from .models import UserNotice

    notices = list(UserNotice.objects.filter(user=user, seen_at__isnull=True).order_by("pk"))
    UserNotice.objects.filter(pk__in=[n.pk for n in notices]).update(seen_at=timezone.now())
    return notices
