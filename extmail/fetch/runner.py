"""One fetch session for one linkage, and the schedule around it.

Per message: RETR (size cap) → clamd scan (fail closed) → Maildir (tmp → new, fsync) →
database commit of the message id → only then DELE (残さない). A crash at any point loses
nothing and duplicates nothing: delivery is idempotent by file name, and a message is deleted
on the server only once the database says it is safely in the box.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from ..crypto import DecryptionError
from ..models import (
    FetchedMessage,
    FetchState,
    Linkage,
    LinkageState,
    MessageStatus,
    UserNotice,
)
from ..probe import PopAuth, PopSettings
from ..probe.net import Deadline, ProbeError
from ..probe.types import Cause
from . import clamd, maildir
from .pop import PopSession

log = logging.getLogger("extmail.fetch")
DONE = (MessageStatus.DELIVERED, MessageStatus.QUARANTINED, MessageStatus.SET_ASIDE,
        MessageStatus.EXISTING)


def crash_point(point: str) -> None:
    """Fault injection for the crash tests: inert unless BEATBOX_FETCH_CRASH_AT names `point`
    (the process is then killed on the spot, as a power cut would)."""
    if os.environ.get("BEATBOX_FETCH_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


class ScannerDown(Exception):
    """clamd could not give a verdict: stop, deliver nothing more, delete nothing more."""


@dataclass
class Outcome:
    status: str  # "ok", "busy", "error", "paused", "skipped"
    delivered: int = 0
    quarantined: int = 0
    set_aside: int = 0
    error: str = ""


def _cfg(name: str, default):
    return getattr(settings, name, default)


def state_of(linkage: Linkage) -> FetchState:
    return FetchState.objects.get_or_create(linkage=linkage)[0]


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_owner(owner: str) -> bool:
    """A lock left by a process of this host that no longer runs (killed, power cut)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _acquire(linkage_id, lease: float) -> bool:
    """Take the per-linkage lock (one session at a time), atomically, or say it is busy.

    A lock expires after its lease; one whose process died on this host is taken over at once.
    """
    now = timezone.now()
    state, _ = FetchState.objects.get_or_create(linkage_id=linkage_id)
    free = Q(lock_until__isnull=True) | Q(lock_until__lt=now)
    if state.lock_owner and state.lock_until and _dead_owner(state.lock_owner):
        free |= Q(lock_owner=state.lock_owner)
    return FetchState.objects.filter(linkage_id=linkage_id).filter(free).update(
        lock_until=now + timedelta(seconds=lease), lock_owner=_me()) == 1


def _release(linkage_id) -> None:
    FetchState.objects.filter(linkage_id=linkage_id, lock_owner=_me()).update(
        lock_until=None, lock_owner="")


def fetch_linkage(linkage_id, *, crash=crash_point) -> Outcome:
    deadline_s = float(_cfg("BEATBOX_FETCH_DEADLINE", 600))
    if not _acquire(linkage_id, deadline_s + 60):
        return Outcome("busy")
    try:
        linkage = Linkage.objects.select_related("mailbox", "owner").get(pk=linkage_id)
        if linkage.state != LinkageState.OK or not hasattr(linkage, "mailbox"):
            return Outcome("skipped")
        return _session(linkage, deadline_s, crash)
    finally:
        _release(linkage_id)


def _policy():
    from ..services import probe_policy

    return probe_policy()


def _session(linkage: Linkage, deadline_s: float, crash) -> Outcome:
    state = state_of(linkage)
    now = timezone.now()
    state.last_fetch_at = now
    outcome = Outcome("ok")
    try:
        password = linkage.get_secret("pop_password")
    except DecryptionError:
        return _failed(linkage, state, "stored_secret", outcome)
    settings_ = PopSettings(host=linkage.pop_host, port=linkage.pop_port, ssl=linkage.pop_ssl,
                            account=linkage.pop_account, password=password,
                            auth=PopAuth(linkage.pop_auth),
                            leave_on_server=linkage.leave_on_server)
    policy = _policy()
    deadline = Deadline(deadline_s)
    session = PopSession(settings_, policy, deadline)
    try:
        session.open()
        _transfer(linkage, state, session, outcome, crash)
        crash("before_quit")
        session.quit()
    except ProbeError as exc:
        return _failed(linkage, state, exc.cause.value, outcome)
    except ScannerDown as exc:
        outcome.error = str(exc)
        _quit_quietly(session)  # DELEs so far are all of messages already in the box
        return _failed(linkage, state, "scanner_down", outcome)
    finally:
        session.close()
        deadline.cancel()
    _succeeded(linkage, state)
    return outcome


def _quit_quietly(session: PopSession) -> None:
    try:
        session.quit()
    except ProbeError:
        pass


def _transfer(linkage: Linkage, state: FetchState, session: PopSession, outcome: Outcome,
              crash) -> None:
    listing = session.uidl()
    if listing is None and linkage.leave_on_server:
        raise ProbeError(Cause.UIDL_MISSING, "UIDL needed to leave mail on the server")
    sizes = session.sizes()
    known = {m.uid: m for m in FetchedMessage.objects.filter(linkage=linkage)}
    if state.only_new and not known and listing:
        _record_existing(linkage, listing, sizes)
        state.only_new = False
        state.save(update_fields=["only_new"])
        return
    ids = Counter(uid for _, uid in listing or [])
    numbers = listing or [(n, None) for n in sorted(sizes)]
    for number, uid in numbers:
        if uid is not None and ids[uid] > 1:
            uid = None  # duplicate UIDLs: identify these messages by their content instead
        _one_message(linkage, session, number, uid, sizes.get(number, 0), known, outcome,
                     crash)
    if linkage.leave_on_server and listing is not None:
        # Forget ids no longer on the server (deleted from elsewhere) so the table stays small.
        present = {uid for _, uid in listing}
        FetchedMessage.objects.filter(linkage=linkage).exclude(uid__in=present).exclude(
            uid__startswith="sha256:").delete()


def _record_existing(linkage: Linkage, listing, sizes) -> None:
    FetchedMessage.objects.bulk_create(
        [FetchedMessage(linkage=linkage, uid=uid, status=MessageStatus.EXISTING,
                        size=sizes.get(n)) for n, uid in listing], ignore_conflicts=True)


def _one_message(linkage, session, number, uid, size, known, outcome, crash) -> None:
    limit = int(_cfg("BEATBOX_FETCH_MAX_MESSAGE", 50 * 1024 * 1024))
    record = known.get(uid) if uid else None
    if record is not None and record.status in DONE:
        if not linkage.leave_on_server and record.status != MessageStatus.SET_ASIDE:
            session.dele(number)  # safely in the box already: a crash came before QUIT
        return
    if size > limit:
        _set_aside(linkage, uid or f"n{number}:{size}", size, "too_large", outcome)
        return
    crash("before_retr")
    try:
        data = session.retr(number, max_bytes=max(limit, size + 1024), crash=crash)
    except ProbeError:
        if uid:
            _count_attempt(linkage, uid, size, outcome)
        raise
    if uid is None:
        uid = "sha256:" + hashlib.sha256(data).hexdigest()
        record = FetchedMessage.objects.filter(linkage=linkage, uid=uid).first()
        if record is not None and record.status in DONE:
            if not linkage.leave_on_server:
                session.dele(number)
            return
    verdict = clamd.scan(data, address=_cfg("BEATBOX_CLAMD", "/var/run/clamav/clamd.ctl"),
                         timeout=float(_cfg("BEATBOX_CLAMD_TIMEOUT", 60)))
    crash("after_scan")
    if verdict.verdict == clamd.Verdict.ERROR:
        raise ScannerDown(verdict.detail)
    infected = verdict.verdict == clamd.Verdict.INFECTED
    root = quarantine_dir(linkage) if infected else Path(linkage.mailbox.path)
    maildir.deliver(root, maildir.message_name(str(linkage.pk), uid), data, crash=crash)
    with transaction.atomic():
        FetchedMessage.objects.update_or_create(
            linkage=linkage, uid=uid,
            defaults={"status": MessageStatus.QUARANTINED if infected else
                      MessageStatus.DELIVERED, "size": len(data), "fetched_at": timezone.now(),
                      "virus": verdict.detail if infected else ""})
    crash("after_commit")
    if infected:
        outcome.quarantined += 1
        log.warning("linkage %s: message quarantined (%s)", linkage.pk, verdict.detail)
    else:
        outcome.delivered += 1
    if not linkage.leave_on_server:
        session.dele(number)
        crash("after_dele")


def quarantine_dir(linkage: Linkage) -> Path:
    return Path(settings.BEATBOX_MAILBOX_DIR) / "quarantine" / str(linkage.pk)


def _count_attempt(linkage, uid, size, outcome) -> None:
    """A message that keeps failing is set aside after a few tries, so others get through."""
    attempts = int(_cfg("BEATBOX_FETCH_MAX_ATTEMPTS", 3))
    record, _ = FetchedMessage.objects.get_or_create(
        linkage=linkage, uid=uid, defaults={"status": MessageStatus.FAILED, "size": size})
    record.attempts += 1
    if record.attempts >= attempts:
        record.status, record.reason = MessageStatus.SET_ASIDE, "keeps_failing"
        outcome.set_aside += 1
    record.save(update_fields=["attempts", "status", "reason"])


def _set_aside(linkage, uid, size, reason, outcome) -> None:
    _, created = FetchedMessage.objects.get_or_create(
        linkage=linkage, uid=uid, defaults={"status": MessageStatus.SET_ASIDE, "size": size,
                                            "reason": reason})
    if created:
        outcome.set_aside += 1


def _interval() -> timedelta:
    return timedelta(seconds=float(_cfg("BEATBOX_FETCH_INTERVAL", 300)))


def _succeeded(linkage: Linkage, state: FetchState) -> None:
    was_paused = state.paused
    state.last_success_at = timezone.now()
    state.failures = state.login_failures = 0
    state.paused = False
    state.last_error = ""
    state.next_poll_at = timezone.now() + _interval()
    state.save()
    if was_paused:
        UserNotice.objects.create(user=linkage.owner, kind="fetch_resumed",
                                  params={"address": linkage.mail_address})


def _failed(linkage: Linkage, state: FetchState, cause: str, outcome: Outcome) -> Outcome:
    """Back off (doubling, at most 6 h); stop polling after repeated login failures and tell
    the user once."""
    state.failures += 1
    state.last_error, state.last_error_at = cause, timezone.now()
    if cause == Cause.POP_AUTH_FAILED.value:
        state.login_failures += 1
        limit = int(_cfg("BEATBOX_FETCH_LOGIN_FAILURES", 3))
        if state.login_failures >= limit and not state.paused:
            state.paused = True
            UserNotice.objects.create(user=linkage.owner, kind="fetch_paused",
                                      params={"address": linkage.mail_address})
    delay = min(_interval() * (2 ** min(state.failures, 10)), timedelta(hours=6))
    state.next_poll_at = timezone.now() + delay
    state.save()
    log.info("linkage %s: fetch failed (%s), next try in %s", linkage.pk, cause, delay)
    outcome.status = "paused" if state.paused else "error"
    outcome.error = outcome.error or cause
    return outcome


def due_linkages(limit: int) -> list:
    """Checked, not paused, and due (never fetched, or next poll time reached)."""
    now = timezone.now()
    return list(Linkage.objects.filter(state=LinkageState.OK, mailbox__isnull=False).filter(
        Q(fetch__isnull=True) | Q(fetch__paused=False, fetch__next_poll_at__isnull=True) |
        Q(fetch__paused=False, fetch__next_poll_at__lte=now)).values_list("pk", flat=True)[
        :limit])


def fetch_many(linkage_ids, *, concurrency: int | None = None) -> list[Outcome]:
    """Several linkages at once, at most `concurrency` sessions in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    cap = concurrency or int(_cfg("BEATBOX_FETCH_CONCURRENCY", 4))

    def one(pk):
        try:
            return fetch_linkage(pk)
        finally:
            close_old_connections()

    if cap <= 1:
        return [fetch_linkage(pk) for pk in linkage_ids]  # in this thread and connection
    with ThreadPoolExecutor(max_workers=cap) as pool:
        return list(pool.map(one, linkage_ids))
