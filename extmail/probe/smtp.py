"""SMTP side of the connection check: greeting, EHLO, STARTTLS, AUTH and a relay test.

The relay test is MAIL FROM + RCPT TO followed by RSET: the check never sends DATA, so no
message is ever sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass

from scramp import ScramClient, ScramException

from .net import Conn, Deadline, ProbeError, check_wire_safe, hint_ssl_expected, open_conn
from .report import record_failure, timed
from .types import Cause, Policy, SmtpAuth, SmtpMethod, SmtpResult, SmtpSettings

# Strongest first: the check uses the first one the server offers.
MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-1", "DIGEST-MD5", "CRAM-MD5", "PLAIN", "LOGIN")


@dataclass
class Reply:
    code: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " / ".join(f"{self.code} {ln}".rstrip() for ln in self.lines)


def read_reply(conn: Conn) -> Reply:
    lines: list[str] = []
    while True:
        line = conn.read_line()
        if len(line) < 3 or not line[:3].isdigit() or (len(line) > 3 and line[3] not in " -"):
            raise ProbeError(Cause.NOT_SMTP_SERVER, "not an SMTP reply", line)
        lines.append(line[4:])
        if len(lines) > 200:
            raise ProbeError(Cause.PROTOCOL_ERROR, "reply too long")
        if len(line) == 3 or line[3] == " ":
            return Reply(int(line[:3]), lines)


def command(conn: Conn, line: str) -> Reply:
    conn.send_line(line)
    return read_reply(conn)


class Session:
    """One SMTP connection up to the point where mail could be sent."""

    def __init__(self, settings: SmtpSettings, policy: Policy, deadline: Deadline,
                 result: SmtpResult):
        self.settings = settings
        self.policy = policy
        self.deadline = deadline
        self.result = result
        self.conn: Conn | None = None
        self.ext: dict[str, str] = {}

    def open(self) -> None:
        steps = self.result.steps
        self.conn = open_conn(self.settings.host, self.settings.port,
                              implicit_tls=self.settings.ssl, policy=self.policy,
                              deadline=self.deadline, steps=steps)
        with timed(steps, "greeting") as step:
            try:
                reply = read_reply(self.conn)
            except ProbeError as exc:
                hint_ssl_expected(exc, port=self.settings.port, ssl_on=self.settings.ssl)
                raise
            step.raw = reply.text
            if reply.code != 220:
                raise ProbeError(Cause.NOT_SMTP_SERVER, "server does not accept mail now",
                                 reply.text)
        self.ehlo()
        if not self.settings.ssl and "STARTTLS" in self.ext:
            with timed(steps, "starttls") as step:
                reply = command(self.conn, "STARTTLS")
                step.raw = reply.text
                if reply.code != 220:
                    raise ProbeError(Cause.STLS_FAILED, "server refused STARTTLS", reply.text)
                try:
                    step.detail = self.conn.start_tls()
                except ProbeError as exc:
                    if exc.cause == Cause.TLS_HANDSHAKE:
                        exc.cause = Cause.STLS_FAILED
                    raise
            self.ehlo()
        self.result.tls = self.conn.tls

    def ehlo(self) -> None:
        assert self.conn is not None
        with timed(self.result.steps, "ehlo") as step:
            reply = command(self.conn, f"EHLO {self.policy.helo_name}")
            step.raw = reply.text
            if reply.code == 250:
                self.ext = {}
                for ln in reply.lines[1:]:
                    key, _, value = ln.partition(" ")
                    self.ext[key.upper()] = value.upper()
                return
            reply = command(self.conn, f"HELO {self.policy.helo_name}")
            step.raw += " / " + reply.text
            if reply.code != 250:
                raise ProbeError(Cause.NOT_SMTP_SERVER, "EHLO and HELO refused", reply.text)
            self.ext = {}

    def mechanisms(self) -> list[str]:
        offered = set(self.ext.get("AUTH", "").split())
        return [m for m in MECHANISMS if m in offered]

    def authenticate(self, account: str, password: str) -> None:
        """AUTH with the strongest offered mechanism; ProbeError on failure."""
        mechs = self.mechanisms()
        if not mechs:
            raise ProbeError(Cause.SMTP_AUTH_NOT_OFFERED, "server offers no AUTH mechanism we know",
                             "AUTH " + self.ext.get("AUTH", ""))
        mech = mechs[0]
        with timed(self.result.steps, f"auth {mech}") as step:
            try:
                reply = AUTHENTICATORS[mech](self, account, password)
            except (UnicodeError, ValueError, TypeError) as exc:
                # A SASL library that cannot encode these credentials for this mechanism.
                raise ProbeError(Cause.SMTP_MECHANISM_UNSUPPORTED,
                                 f"{mech}: {exc.__class__.__name__}") from exc
            step.raw = reply.text
            if reply.code != 235:
                raise ProbeError(Cause.SMTP_AUTH_FAILED, f"AUTH {mech} rejected", reply.text)
        self.result.mechanism = mech

    def relay_test(self) -> Reply:
        """MAIL FROM + RCPT TO to an outside address, then RSET: never DATA."""
        assert self.conn is not None
        with timed(self.result.steps, "relay") as step:
            reply = command(self.conn, f"MAIL FROM:<{self.settings.mail_from}>")
            step.raw = reply.text
            if reply.code == 250:
                reply = command(self.conn, f"RCPT TO:<{self.policy.relay_recipient}>")
                step.raw += " / " + reply.text
            command(self.conn, "RSET")
            step.detail = "accepted" if relay_permitted(reply) else "refused"
        return reply

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.send_line("QUIT")
        except ProbeError:
            pass
        self.conn.close()
        self.conn = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _challenge(reply: Reply) -> bytes:
    try:
        return base64.b64decode(reply.lines[0].strip(), validate=True)
    except (ValueError, IndexError) as exc:
        raise ProbeError(Cause.PROTOCOL_ERROR, "bad AUTH challenge", reply.text) from exc


def _auth_plain(s: Session, account: str, password: str) -> Reply:
    token = _b64(b"\0" + account.encode() + b"\0" + password.encode())
    assert s.conn is not None
    return command(s.conn, f"AUTH PLAIN {token}")


def _auth_login(s: Session, account: str, password: str) -> Reply:
    assert s.conn is not None
    reply = command(s.conn, "AUTH LOGIN")
    for value in (account, password):
        if reply.code != 334:
            return reply
        reply = command(s.conn, _b64(value.encode()))
    return reply


def _auth_cram(s: Session, account: str, password: str) -> Reply:
    assert s.conn is not None
    reply = command(s.conn, "AUTH CRAM-MD5")
    if reply.code != 334:
        return reply
    digest = hmac.new(password.encode(), _challenge(reply), hashlib.md5).hexdigest()
    return command(s.conn, _b64(f"{account} {digest}".encode()))


def _auth_scram(mech: str) -> Callable[[Session, str, str], Reply]:
    def run(s: Session, account: str, password: str) -> Reply:
        assert s.conn is not None
        client = ScramClient([mech], account, password)
        reply = command(s.conn, f"AUTH {mech} {_b64(client.get_client_first().encode())}")
        if reply.code != 334:
            return reply
        try:
            client.set_server_first(_challenge(reply).decode())
            reply = command(s.conn, _b64(client.get_client_final().encode()))
            if reply.code != 334:
                return reply
            client.set_server_final(_challenge(reply).decode())
        except ScramException as exc:
            command(s.conn, "*")
            raise ProbeError(Cause.SMTP_AUTH_FAILED, f"{mech}: {exc}") from exc
        return command(s.conn, "")

    return run


def _auth_digest(s: Session, account: str, password: str) -> Reply:
    from puresasl.client import SASLClient

    assert s.conn is not None
    reply = command(s.conn, "AUTH DIGEST-MD5")
    if reply.code != 334:
        return reply
    client = SASLClient(s.settings.host, "smtp", mechanism="DIGEST-MD5",
                        username=account, password=password)
    response = client.process(_challenge(reply))
    reply = command(s.conn, _b64(response))
    if reply.code == 334:  # rspauth: check the server knew the password too
        client.process(_challenge(reply))
        reply = command(s.conn, "")
    return reply


AUTHENTICATORS: dict[str, Callable[[Session, str, str], Reply]] = {
    "PLAIN": _auth_plain,
    "LOGIN": _auth_login,
    "CRAM-MD5": _auth_cram,
    "DIGEST-MD5": _auth_digest,
    "SCRAM-SHA-1": _auth_scram("SCRAM-SHA-1"),
    "SCRAM-SHA-256": _auth_scram("SCRAM-SHA-256"),
}


def check_smtp(settings: SmtpSettings, pop_account: str, pop_password: str, policy: Policy,
               deadline: Deadline, pop_logged_in: threading.Event | None = None,
               pop_done: threading.Event | None = None) -> SmtpResult:
    """Find how this provider lets us send (custom AUTH, or none / POP-before-SMTP / POP AUTH)."""
    result = SmtpResult()
    session = Session(settings, policy, deadline, result)
    try:
        check_wire_safe(settings.host, settings.account, settings.password,
                        settings.mail_from, pop_account, pop_password)
        session.open()
        if settings.auth == SmtpAuth.CUSTOM:
            session.authenticate(settings.account, settings.password)
            _require_relay(session, SmtpMethod.AUTH)
        else:
            _find_default_method(session, pop_account, pop_password, pop_logged_in, pop_done)
        result.ok = True
    except ProbeError as exc:
        result.cause = exc.cause
        record_failure(result.steps, exc)
    finally:
        session.close()
    return result


def relay_permitted(reply: Reply) -> bool:
    """Did the server agree to relay for us?

    250/251 obviously. A refusal of the test *recipient's domain* (x.1.x status, or 556 for a
    null MX) also means relaying itself was allowed: MTAs check relay permission first, and
    the test address is only a stand-in that is never sent anything.
    """
    if reply.code in (250, 251):
        return True
    status = reply.lines[-1].split(" ", 1)[0] if reply.lines else ""
    if "relay" in reply.text.lower() or status[1:4] == ".7.":
        return False
    return reply.code == 556 or (status[:1] in ("4", "5") and status[1:3] == ".1")


def _require_relay(session: Session, method: SmtpMethod) -> None:
    reply = session.relay_test()
    if not relay_permitted(reply):
        raise ProbeError(Cause.SMTP_RELAY_REFUSED, "server refused to relay", reply.text)
    session.result.method = method


def _find_default_method(session: Session, account: str, password: str,
                         pop_logged_in: threading.Event | None,
                         pop_done: threading.Event | None) -> None:
    auth_error: ProbeError | None = None
    if session.mechanisms():
        try:
            session.authenticate(account, password)
            _require_relay(session, SmtpMethod.AUTH)
            return
        except ProbeError as exc:
            if exc.cause != Cause.SMTP_AUTH_FAILED:
                raise
            # A definite rejection: never retry AUTH; see whether sending works without it.
            auth_error = exc
            session.close()
            session.open()
    reply = session.relay_test()
    if relay_permitted(reply):
        session.result.method = SmtpMethod.NONE
        return
    # Maybe POP-before-SMTP: wait for the POP login of this same check, then try again.
    if pop_done is not None:
        pop_done.wait(max(0.0, session.deadline.remaining()))
    if pop_logged_in is not None and pop_logged_in.is_set():
        session.close()
        session.open()
        reply = session.relay_test()
        if relay_permitted(reply):
            session.result.method = SmtpMethod.POP_BEFORE_SMTP
            return
    if auth_error is not None:
        raise auth_error
    raise ProbeError(Cause.SMTP_RELAY_REFUSED, "server refused to relay", reply.text)
