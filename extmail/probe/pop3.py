"""POP3 side of the connection check: greeting, STLS, USER/PASS or APOP, STAT and UIDL."""

from __future__ import annotations

import hashlib
import re
import threading

from .net import Conn, Deadline, ProbeError, check_wire_safe, hint_ssl_expected, open_conn
from .report import record_failure, timed
from .types import Cause, Policy, PopAuth, PopResult, PopSettings

APOP_STAMP = re.compile(r"<[^<>\s]+>")
MAX_LIST_LINES = 200_000


def greeting_kind(line: str) -> Cause | None:
    """None for a POP3 greeting, else why this is not a POP3 server."""
    if line.startswith("+OK"):
        return None
    if line.startswith(("* OK", "* PREAUTH", "* BYE")) or "IMAP" in line.upper()[:80]:
        return Cause.IMAP_SERVER
    return Cause.NOT_POP_SERVER


def read_multiline(conn: Conn, limit: int = MAX_LIST_LINES) -> list[str]:
    lines: list[str] = []
    while True:
        line = conn.read_line()
        if line == ".":
            return lines
        if len(lines) >= limit:
            raise ProbeError(Cause.PROTOCOL_ERROR, "listing too long")
        lines.append(line[1:] if line.startswith("..") else line)


def command(conn: Conn, line: str) -> tuple[bool, str]:
    conn.send_line(line)
    reply = conn.read_line()
    return reply.startswith("+OK"), reply


def connect_and_login(settings: PopSettings, policy: Policy, deadline: Deadline,
                      result: PopResult) -> Conn:
    """Connect, check the greeting, upgrade with STLS when offered, and log in.

    Shared by the connection check and the fetcher; steps are recorded in `result`.
    """
    check_wire_safe(settings.host, settings.account, settings.password)
    conn = open_conn(settings.host, settings.port, implicit_tls=settings.ssl,
                     policy=policy, deadline=deadline, steps=result.steps)
    try:
        result.tls = conn.tls
        with timed(result.steps, "greeting") as step:
            try:
                greeting = conn.read_line()
            except ProbeError as exc:
                hint_ssl_expected(exc, port=settings.port, ssl_on=settings.ssl)
                raise
            step.raw = greeting
            if (kind := greeting_kind(greeting)) is not None:
                raise ProbeError(kind, "unexpected greeting", greeting)
        stamp = APOP_STAMP.search(greeting[3:])
        caps = capabilities(conn, result)
        if not settings.ssl and "STLS" in caps:
            with timed(result.steps, "stls") as step:
                ok, reply = command(conn, "STLS")
                step.raw = reply
                if not ok:
                    raise ProbeError(Cause.STLS_FAILED, "server refused STLS", reply)
                try:
                    step.detail = conn.start_tls()
                except ProbeError as exc:
                    if exc.cause == Cause.TLS_HANDSHAKE:
                        exc.cause = Cause.STLS_FAILED
                    raise
            result.tls = conn.tls
            capabilities(conn, result)
        login(conn, settings, stamp.group(0) if stamp else None, result)
        return conn
    except BaseException:
        conn.close()
        raise


def check_pop(settings: PopSettings, policy: Policy, deadline: Deadline,
              logged_in: threading.Event | None = None) -> PopResult:
    result = PopResult()
    conn: Conn | None = None
    try:
        conn = connect_and_login(settings, policy, deadline, result)
        if logged_in is not None:
            logged_in.set()
        mailbox(conn, settings, result)
        conn.send_line("QUIT")
        result.ok = True
    except ProbeError as exc:
        result.cause = exc.cause
        record_failure(result.steps, exc)
    finally:
        if conn is not None:
            conn.close()
    return result



def capabilities(conn: Conn, result: PopResult) -> set[str]:
    with timed(result.steps, "capa") as step:
        ok, reply = command(conn, "CAPA")
        if not ok:
            step.raw = reply
            step.detail = "CAPA not supported"
            return set()
        lines = read_multiline(conn, limit=200)
        step.raw = " / ".join(lines)
        return {ln.split(" ", 1)[0].upper() for ln in lines if ln}


def login(conn: Conn, settings: PopSettings, stamp: str | None, result: PopResult) -> None:
    encrypted = bool(conn.tls)
    method = settings.auth
    if method == PopAuth.AUTO:
        method = PopAuth.APOP if stamp and not encrypted else PopAuth.USER
    if method == PopAuth.APOP:
        with timed(result.steps, "apop") as step:
            if not stamp:
                raise ProbeError(Cause.APOP_NOT_OFFERED, "the greeting offers no APOP timestamp")
            digest = hashlib.md5(  # noqa: S324 - APOP is defined with MD5 (RFC 1939)
                (stamp + settings.password).encode("utf-8")
            ).hexdigest()
            ok, reply = command(conn, f"APOP {settings.account} {digest}")
            step.raw = reply
            if not ok:
                raise ProbeError(Cause.POP_AUTH_FAILED, "APOP login rejected", reply)
        result.auth_method = "apop"
        return
    with timed(result.steps, "user") as step:
        ok, reply = command(conn, f"USER {settings.account}")
        step.raw = reply
        if not ok:
            raise ProbeError(Cause.POP_AUTH_FAILED, "USER rejected", reply)
        ok, reply = command(conn, f"PASS {settings.password}")
        step.raw += " / " + reply
        if not ok:
            raise ProbeError(Cause.POP_AUTH_FAILED, "PASS rejected", reply)
    result.auth_method = "user"


def mailbox(conn: Conn, settings: PopSettings, result: PopResult) -> None:
    with timed(result.steps, "stat") as step:
        ok, reply = command(conn, "STAT")
        step.raw = reply
        parts = reply.split()
        if not ok or len(parts) < 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise ProbeError(Cause.PROTOCOL_ERROR, "STAT failed", reply)
        result.message_count, result.mailbox_octets = int(parts[1]), int(parts[2])
        step.detail = f"{result.message_count} messages"
    with timed(result.steps, "uidl") as step:
        ok, reply = command(conn, "UIDL")
        if ok:
            lines = read_multiline(conn)
            result.uidl_supported = True
            step.detail = f"{len(lines)} ids"
        else:
            step.raw = reply
            result.uidl_supported = False
            if settings.leave_on_server:
                raise ProbeError(Cause.UIDL_MISSING, "UIDL not supported", reply)
            step.detail = "UIDL not supported"
