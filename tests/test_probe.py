"""The probe against real Dovecot and aiosmtpd servers on loopback, and scripted faults."""

from __future__ import annotations

import ipaddress
import time

import pytest

from extmail.probe import (
    Cause,
    Policy,
    PopAuth,
    PopSettings,
    SmtpAuth,
    SmtpMethod,
    SmtpSettings,
    run_check,
)
from extmail.probe.net import Deadline
from extmail.probe.pop3 import check_pop
from extmail.probe.smtp import check_smtp
from tests import peers

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
PASSWORD = "Secr3t pass "  # trailing space on purpose: passwords are never trimmed

pytestmark = pytest.mark.timeout(60)


def policy(dovecot=None, **kw) -> Policy:
    base = dict(deadline=10.0, op_timeout=5.0, allowed_networks=LOOPBACK,
                cafile=dovecot.certs.cafile if dovecot else None)
    base.update(kw)
    return Policy(**base)


def pop(host, port, *, ssl=False, password=PASSWORD, auth=PopAuth.AUTO, account="taro",
        leave=False) -> PopSettings:
    return PopSettings(host=host, port=port, ssl=ssl, account=account, password=password,
                       auth=auth, leave_on_server=leave)


def pop_only(settings: PopSettings, pol: Policy):
    deadline = Deadline(pol.deadline)
    try:
        return check_pop(settings, pol, deadline)
    finally:
        deadline.cancel()


# --- POP3 against Dovecot -------------------------------------------------------------------

def test_pop_stls_upgrade_and_user_pass(dovecot):
    dovecot.deliver("taro", b"Subject: one\r\n\r\nhello\r\n")
    result = pop_only(pop("localhost", dovecot.pop3), policy(dovecot))
    assert result.ok, result.steps
    assert result.tls.startswith("TLSv1.")
    # Encrypted link: auto picks USER/PASS even though the greeting offers APOP.
    assert result.auth_method == "user"
    assert result.message_count == dovecot.message_count("taro") >= 1
    assert result.uidl_supported is True
    assert [s.name for s in result.steps][:6] == [
        "resolve", "connect", "greeting", "capa", "stls", "capa"]


def test_pop_auto_chooses_apop_on_plain_link(dovecot):
    result = pop_only(pop(dovecot.plain_host, dovecot.pop3), policy(dovecot))
    assert result.ok, result.steps
    assert result.tls == ""
    assert result.auth_method == "apop"


def test_pop_user_pass_plain_when_asked(dovecot):
    result = pop_only(pop(dovecot.plain_host, dovecot.pop3, auth=PopAuth.USER), policy(dovecot))
    assert result.ok and result.auth_method == "user"


def test_pop_over_ssl(dovecot):
    result = pop_only(pop("localhost", dovecot.pop3s, ssl=True), policy(dovecot))
    assert result.ok, result.steps
    assert result.tls and "subject[" in result.steps[2].detail


@pytest.mark.parametrize("auth", [PopAuth.USER, PopAuth.APOP])
def test_pop_wrong_password(dovecot, auth):
    result = pop_only(pop(dovecot.plain_host, dovecot.pop3, password="wrong", auth=auth),
                      policy(dovecot))
    assert not result.ok
    assert result.cause == Cause.POP_AUTH_FAILED


def test_pop_trimmed_password_is_wrong(dovecot):
    result = pop_only(pop(dovecot.plain_host, dovecot.pop3, password=PASSWORD.strip()),
                      policy(dovecot))
    assert result.cause == Cause.POP_AUTH_FAILED


def test_imap_port_is_recognised(dovecot):
    result = pop_only(pop("localhost", dovecot.imap), policy(dovecot))
    assert result.cause == Cause.IMAP_SERVER


def test_untrusted_certificate_is_refused(dovecot):
    result = pop_only(pop("localhost", dovecot.pop3s, ssl=True), policy(None))
    assert result.cause == Cause.TLS_UNTRUSTED


def test_no_plaintext_fallback_when_stls_cannot_be_verified(dovecot):
    # STLS is offered but the certificate is not trusted: the check stops, it never logs in.
    result = pop_only(pop("localhost", dovecot.pop3), policy(None))
    assert result.cause == Cause.TLS_UNTRUSTED
    assert not any(s.name in ("user", "apop") for s in result.steps)


def test_loopback_refused_unless_allowed(dovecot):
    result = pop_only(pop("127.0.0.1", dovecot.pop3), policy(dovecot, allowed_networks=()))
    assert result.cause == Cause.FORBIDDEN_ADDRESS
    assert [s.name for s in result.steps] == ["resolve"]


def test_crlf_in_password_never_reaches_server(dovecot):
    dovecot.deliver("taro", b"Subject: keep me\r\n\r\nbody\r\n")
    before = dovecot.message_count("taro")
    result = pop_only(pop(dovecot.plain_host, dovecot.pop3, auth=PopAuth.USER,
                          password="x\r\nDELE 1\r\nQUIT"), policy(dovecot))
    assert result.cause == Cause.UNSAFE_INPUT
    assert result.steps[-1].name == "error" and len(result.steps) == 1  # nothing was sent
    assert dovecot.message_count("taro") == before


# --- scripted faults ------------------------------------------------------------------------

def test_silent_server_hits_the_deadline(fake_server):
    server = fake_server(lambda conn: time.sleep(30))
    start = time.monotonic()
    result = pop_only(pop(server.host, server.port), policy(deadline=2.0, op_timeout=5.0))
    elapsed = time.monotonic() - start
    assert result.cause == Cause.TIMEOUT
    assert elapsed < 3.5


def test_drip_feed_cannot_outlast_the_deadline(fake_server):
    def drip(conn):
        for ch in b"+OK slow greeting that never ends":
            conn.sendall(bytes([ch]))
            time.sleep(0.2)

    server = fake_server(drip)
    start = time.monotonic()
    result = pop_only(pop(server.host, server.port), policy(deadline=2.0, op_timeout=1.0))
    assert result.cause == Cause.TIMEOUT
    assert time.monotonic() - start < 3.5


def test_imap_greeting_from_fake(fake_server):
    server = fake_server(lambda c: (c.sendall(b"* OK IMAP4rev1 ready\r\n"), time.sleep(1)))
    assert pop_only(pop(server.host, server.port), policy()).cause == Cause.IMAP_SERVER


def test_http_banner_is_not_pop(fake_server):
    server = fake_server(lambda c: (c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"),))
    assert pop_only(pop(server.host, server.port), policy()).cause == Cause.NOT_POP_SERVER


def test_connection_refused():
    port = peers.free_port()
    assert pop_only(pop("127.0.0.1", port), policy()).cause == Cause.REFUSED


def test_unknown_host():
    result = pop_only(pop("no-such-host.invalid", 110), policy())
    assert result.cause == Cause.DNS_FAILURE


# --- SMTP against aiosmtpd ------------------------------------------------------------------

USERS = {"taro": PASSWORD, "sender": "send-pw"}
SCRAM = ("SCRAM-SHA-256", "SCRAM-SHA-1")


def smtp(server, *, ssl=False, auth=SmtpAuth.DEFAULT, account="", password="",
         host="localhost") -> SmtpSettings:
    return SmtpSettings(host=host, port=server.port, ssl=ssl, auth=auth, account=account,
                        password=password, mail_from="taro@example.co.jp")


def smtp_only(settings, pol, pop_account="taro", pop_password=PASSWORD):
    deadline = Deadline(pol.deadline)
    try:
        return check_smtp(settings, pop_account, pop_password, pol, deadline)
    finally:
        deadline.cancel()


def test_smtp_starttls_then_auth_with_pop_account(dovecot, smtp_server):
    server = smtp_server(USERS, certs=dovecot.certs, starttls=True, exclude=SCRAM)
    result = smtp_only(smtp(server), policy(dovecot))
    assert result.ok, result.steps
    assert result.tls.startswith("TLSv1.")
    assert result.method == SmtpMethod.AUTH
    assert result.mechanism == "CRAM-MD5"  # strongest offered of PLAIN, LOGIN, CRAM-MD5
    assert server.handler.data_received == 0  # never DATA


def test_smtp_over_ssl_custom_account_plain(dovecot, smtp_server):
    server = smtp_server(USERS, certs=dovecot.certs, implicit_tls=True,
                         exclude=("CRAM-MD5", *SCRAM))
    result = smtp_only(smtp(server, ssl=True, auth=SmtpAuth.CUSTOM, account="sender",
                            password="send-pw"), policy(dovecot))
    assert result.ok, result.steps
    assert result.mechanism == "PLAIN" and result.method == SmtpMethod.AUTH


def test_smtp_login_mechanism(dovecot, smtp_server):
    server = smtp_server(USERS, certs=dovecot.certs, starttls=True,
                         exclude=("CRAM-MD5", "PLAIN", *SCRAM))
    result = smtp_only(smtp(server, auth=SmtpAuth.CUSTOM, account="sender",
                            password="send-pw"), policy(dovecot))
    assert result.ok and result.mechanism == "LOGIN"


def test_smtp_custom_wrong_password(dovecot, smtp_server):
    server = smtp_server(USERS, certs=dovecot.certs, starttls=True)
    result = smtp_only(smtp(server, auth=SmtpAuth.CUSTOM, account="sender", password="bad"),
                       policy(dovecot))
    assert result.cause == Cause.SMTP_AUTH_FAILED
    assert sum(1 for s in result.steps if s.name.startswith("auth")) == 1  # one attempt only


def test_smtp_without_auth_open_relay(smtp_server):
    server = smtp_server(USERS, auth=False, open_relay=True)
    result = smtp_only(smtp(server, host="127.0.0.1"), policy())
    assert result.ok and result.method == SmtpMethod.NONE


def test_smtp_relay_refused(smtp_server):
    server = smtp_server(USERS, auth=False)
    result = smtp_only(smtp(server, host="127.0.0.1"), policy())
    assert result.cause == Cause.SMTP_RELAY_REFUSED


def test_smtp_custom_when_no_auth_offered(smtp_server):
    server = smtp_server(USERS, auth=False)
    result = smtp_only(smtp(server, host="127.0.0.1", auth=SmtpAuth.CUSTOM, account="sender",
                            password="send-pw"), policy())
    assert result.cause == Cause.SMTP_AUTH_NOT_OFFERED


# --- the whole check ------------------------------------------------------------------------

def test_full_check_pop_before_smtp(dovecot, smtp_server):
    """The SMTP server relays only after a POP login from the same address (read from
    Dovecot's own log, as pop-before-smtp daemons do)."""
    log = dovecot.directory / "dovecot.log"
    start_size = log.stat().st_size

    def logged_in_recently(ip: str) -> bool:
        with open(log, encoding="utf-8", errors="replace") as fh:
            fh.seek(start_size)
            return any("Login: user=<taro>" in line and f"rip={ip}" in line for line in fh)

    server = smtp_server(USERS, auth=False, relay_allowed=logged_in_recently)
    report = run_check(pop(dovecot.plain_host, dovecot.pop3),
                       SmtpSettings(host="127.0.0.1", port=server.port, ssl=False,
                                    mail_from="taro@example.co.jp"), policy(dovecot))
    assert report.ok, (report.pop.steps, report.smtp.steps)
    assert report.smtp.method == SmtpMethod.POP_BEFORE_SMTP


def test_full_check_masks_echoed_password(fake_server, dovecot):
    def echo_pop(conn):
        conn.sendall(b"+OK ready\r\n")
        while line := peers.recv_line(conn):
            word = line.split(b" ", 1)[0].upper().strip()
            if word == b"CAPA":
                conn.sendall(b"-ERR no\r\n")
            elif word == b"USER":
                conn.sendall(b"+OK\r\n")
            elif word == b"PASS":
                conn.sendall(b"-ERR bad password: " + line[5:])
                return

    server = fake_server(echo_pop)
    report = run_check(pop(server.host, server.port, password="hunter2-sentinel"),
                       SmtpSettings(host=server.host, port=peers.free_port(), ssl=False),
                       policy())
    assert report.pop.cause == Cause.POP_AUTH_FAILED
    assert "hunter2-sentinel" not in repr(report)
    assert "******" in report.pop.steps[-1].raw
