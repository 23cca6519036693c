"""Real and scripted mail servers on loopback for the tests.

Dovecot comes from Debian's packages and runs as a private instance (own config, own ports,
own directories); the tests stop only the processes they started, by PID.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trustme


def stop_process(proc: subprocess.Popen | None, grace: float = 10) -> None:
    """Stop a server this test run started (by its PID): SIGTERM, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(host: str, port: int, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not open")


@dataclass
class Certs:
    ca: trustme.CA
    cafile: str
    certfile: str
    keyfile: str

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.certfile, self.keyfile)
        return ctx


def make_certs(directory: Path, names: tuple[str, ...] = ("localhost", "127.0.0.1")) -> Certs:
    ca = trustme.CA()
    leaf = ca.issue_cert(*names)
    cafile, certfile, keyfile = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca.cert_pem.write_to_path(str(cafile))
    leaf.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    leaf.private_key_pem.write_to_path(str(keyfile))
    os.chmod(keyfile, 0o640)
    return Certs(ca, str(cafile), str(certfile), str(keyfile))


# --- Dovecot -------------------------------------------------------------------------------

DOVECOT_CONF = """
base_dir = {d}/run
state_dir = {d}/state
instance_name = beatbox-test-{pop3}
log_path = {d}/dovecot.log
protocols = pop3 imap
listen = 127.0.0.1, 127.0.0.2
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{dh}
disable_plaintext_auth = no
# Real providers delay failed logins; the tests need quick answers.
auth_failure_delay = 0
auth_mechanisms = plain login apop cram-md5 digest-md5
first_valid_uid = 1
last_valid_uid = 0
mail_location = maildir:{d}/home/%u/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# Dovecot's documented way to turn off its growing delay after failed logins (auth penalty):
# the tests fail logins on purpose and must not slow each other down.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  inet_listener {{
    address = 127.0.0.1
    port = {auth}
  }}
}}
# 127.0.0.2 is the same server without TLS (no STLS offered), for plaintext and APOP tests.
local 127.0.0.2 {{
  ssl = no
}}
"""


# Mailbox users of the test provider (the trailing space and the non-ASCII characters are on
# purpose: passwords are sent exactly as typed, as UTF-8).
TEST_USERS = {"taro": "Secr3t pass ", "hanako": "パス wörd ①",
              "sentinel": "Sentinel-POP-Päss 9", "fetcher": "Fetch-pw 1",
              "fetcher2": "Fetch-pw 2"}


@dataclass
class Dovecot:
    directory: Path
    pop3: int
    pop3s: int
    imap: int
    auth: int
    certs: Certs
    uid: int
    gid: int
    users: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    host = "127.0.0.1"  # STLS offered here
    plain_host = "127.0.0.2"  # no TLS at all here

    def maildir(self, user: str) -> Path:
        return self.directory / "home" / user / "Maildir"

    def add_user(self, user: str, password: str) -> None:
        self.users[user] = password
        lines = [f"{u}:{{PLAIN}}{p}::::::" for u, p in self.users.items()]
        passwd = self.directory / "passwd"
        passwd.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if self.proc is not None:
            # A running Dovecot looks at the file at most once a second, and notices a change
            # by its mtime (whole seconds): bump the mtime and let that second pass.
            self.passwd_mtime = max(time.time(), getattr(self, "passwd_mtime", 0)) + 2
            os.utime(passwd, (self.passwd_mtime, self.passwd_mtime))
            time.sleep(1.1)
        for sub in ("new", "cur", "tmp"):
            path = self.maildir(user) / sub
            path.mkdir(parents=True, exist_ok=True)
        for path in [self.directory / "home" / user, *self.maildir(user).rglob("*"),
                     self.maildir(user)]:
            os.chown(path, self.uid, self.gid)

    def deliver(self, user: str, message: bytes, name: str | None = None) -> Path:
        name = name or f"{time.time_ns()}.test.{hashlib.sha1(message).hexdigest()[:8]}"
        path = self.maildir(user) / "new" / name
        path.write_bytes(message)
        os.chown(path, self.uid, self.gid)
        return path

    def message_count(self, user: str) -> int:
        return sum(len(list((self.maildir(user) / s).iterdir())) for s in ("new", "cur"))

    def messages(self, user: str) -> list[bytes]:
        return [p.read_bytes() for s in ("new", "cur") for p in (self.maildir(user) / s).iterdir()]

    def empty(self, user: str) -> None:
        """Remove every message (Dovecot notices at the next login)."""
        for sub in ("new", "cur", "tmp"):
            for path in (self.maildir(user) / sub).iterdir():
                path.unlink()

    def stop(self) -> None:
        stop_process(self.proc)


def start_dovecot() -> Dovecot:
    return _with_retries(_start_dovecot)


def _with_retries(start, attempts: int = 3):
    """Ports from free_port() can be taken again before the server binds them (an outgoing
    connection may get the same ephemeral port): start afresh with new ports when that
    happens."""
    for attempt in range(attempts):
        try:
            return start()
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _start_dovecot() -> Dovecot:
    directory = Path(tempfile.mkdtemp(prefix="beatbox-dovecot-"))
    os.chmod(directory, 0o755)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
    else:
        uid, gid = os.getuid(), os.getgid()
    certs = make_certs(directory)
    dh = "/usr/share/dovecot/dh.pem"
    dv = Dovecot(directory, free_port(), free_port(), free_port(), free_port(), certs, uid, gid)
    (directory / "home").mkdir()
    conf = DOVECOT_CONF.format(
        d=directory, cert=certs.certfile, key=certs.keyfile, uid=uid, gid=gid,
        pop3=dv.pop3, pop3s=dv.pop3s, imap=dv.imap, auth=dv.auth,
        dh=f"ssl_dh = <{dh}" if os.path.exists(dh) else "")
    (directory / "dovecot.conf").write_text(conf, encoding="utf-8")
    for user, password in TEST_USERS.items():
        dv.add_user(user, password)
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    dv.proc = subprocess.Popen([binary, "-F", "-c", str(directory / "dovecot.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for port in (dv.pop3, dv.pop3s, dv.imap):
            wait_port("127.0.0.1", port)
        wait_port("127.0.0.2", dv.pop3)
    except TimeoutError:
        dv.stop()
        log = (directory / "dovecot.log")
        raise RuntimeError("dovecot did not start: " + (
            log.read_text() if log.exists() else "") + dv.proc.stderr.read().decode()) from None
    return dv


# --- SMTP (aiosmtpd) -------------------------------------------------------------------------

class RecordingHandler:
    """Accepts AUTH for known users; relays only for authenticated (or allowed) clients."""

    def __init__(self, users: dict[str, str], open_relay: bool = False,
                 relay_allowed: Callable[[str], bool] | None = None) -> None:
        self.users = users
        self.open_relay = open_relay
        self.relay_allowed = relay_allowed
        self.commands: list[str] = []
        self.data_received = 0
        self.authenticated_reply = "250 OK"  # e.g. a recipient-domain refusal

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        login = auth_data.login.decode()
        password = auth_data.password.decode()
        ok = self.users.get(login) == password
        return AuthResult(success=ok, handled=False)

    async def auth_CRAM__MD5(self, server, args):  # noqa: N802 - aiosmtpd naming
        from aiosmtpd.smtp import AuthResult

        challenge = f"<{time.time_ns()}@test>".encode()
        answer = await server.challenge_auth(challenge)
        if not isinstance(answer, bytes):
            return AuthResult(success=False, handled=True)
        user, _, digest = answer.decode().partition(" ")
        password = self.users.get(user)
        ok = password is not None and hmac.compare_digest(
            digest, hmac.new(password.encode(), challenge, hashlib.md5).hexdigest())
        return AuthResult(success=ok, handled=False)

    async def auth_SCRAM__SHA__1(self, server, args):  # noqa: N802
        return await self._scram(server, args, "SCRAM-SHA-1")

    async def auth_SCRAM__SHA__256(self, server, args):  # noqa: N802
        return await self._scram(server, args, "SCRAM-SHA-256")

    async def _scram(self, server, args, name: str):
        """Server side of SCRAM (RFC 5802) with scramp, as a provider would run it."""
        from aiosmtpd.smtp import AuthResult
        from scramp import ScramException, ScramMechanism

        mechanism = ScramMechanism(name)

        def lookup(username: str):
            password = self.users.get(username)
            if password is None:
                raise ScramException("unknown user")
            return mechanism.make_auth_info(password, iteration_count=4096)

        scram = mechanism.make_server(lookup)
        try:
            first = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth(
                b"")
            scram.set_client_first(first.decode())
            final = await server.challenge_auth(scram.get_server_first().encode())
            if not isinstance(final, bytes):
                return AuthResult(success=False, handled=True)
            scram.set_client_final(final.decode())
        except ScramException:
            return AuthResult(success=False, handled=False)
        ack = await server.challenge_auth(scram.get_server_final().encode())
        return AuthResult(success=isinstance(ack, bytes), handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.commands.append(f"RCPT {address}")
        allowed = (self.open_relay or session.authenticated
                   or (self.relay_allowed and self.relay_allowed(session.peer[0])))
        if not allowed:
            return "554 5.7.1 Relay access denied"
        envelope.rcpt_tos.append(address)
        return self.authenticated_reply

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_received += 1
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler
    controller: object

    def stop(self) -> None:
        self.controller.stop()


def start_smtp(users: dict[str, str], *, certs: Certs | None = None, implicit_tls: bool = False,
               starttls: bool = False, open_relay: bool = False, auth: bool = True,
               relay_allowed=None, exclude: tuple[str, ...] = ()) -> SmtpServer:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    handler = RecordingHandler(users, open_relay=open_relay, relay_allowed=relay_allowed)
    port = free_port()
    tls_ctx = certs.server_context() if certs else None
    kwargs: dict = {
        "authenticator": handler.authenticator if auth else None,
        "auth_require_tls": False,
        "auth_exclude_mechanism": list(exclude) + ([] if auth else ["PLAIN", "LOGIN"]),
    }
    if starttls:
        kwargs["tls_context"] = tls_ctx

    class Factory(Controller):
        def factory(self):
            server = SMTP(self.handler, hostname="smtp.test", **kwargs)
            if not auth:
                server._auth_methods.clear()
            return server

    controller = Factory(handler, hostname="127.0.0.1", port=port,
                         ssl_context=tls_ctx if implicit_tls else None,
                         server_hostname="localhost")
    controller.start()
    return SmtpServer("127.0.0.1", port, handler, controller)


# --- scripted fault servers ------------------------------------------------------------------

class FakeServer:
    """A TCP server whose every connection runs `script(sock)`; for faults real servers lack."""

    def __init__(self, script: Callable[[socket.socket], None], host: str = "127.0.0.1",
                 tls: ssl.SSLContext | None = None) -> None:
        self.script = script
        self.tls = tls
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.host, self.port = self.sock.getsockname()[:2]
        self.stopped = threading.Event()
        self.connections = 0
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.script(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()
        self.thread.join(2)


def recv_line(conn: socket.socket, timeout: float = 5.0) -> bytes:
    conn.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def run_async(coro):
    return asyncio.run(coro)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# --- Postfix -------------------------------------------------------------------------------

POSTFIX_MAIN = """
compatibility_level = 3.6
queue_directory = {d}/spool
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = smtp.beatbox-test.invalid
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = /dev/stdout
alias_maps =
alias_database =
local_recipient_maps =
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:{auth}
smtpd_sasl_auth_enable = yes
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
"""

POSTFIX_SERVICES = """
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
"""

POSTFIX_MECHANISMS = ("plain", "login", "cram-md5", "digest-md5")


@dataclass
class Postfix:
    """A private Postfix: submission (STARTTLS, then AUTH through Dovecot), SMTPS, one port per
    single AUTH mechanism, and one port without AUTH at all (relaying refused)."""

    directory: Path
    submission: int
    smtps: int
    no_auth: int
    by_mechanism: dict[str, int]
    proc: subprocess.Popen | None = None

    def log(self) -> str:
        path = self.directory / "postfix.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        pid_file = self.directory / "spool" / "pid" / "master.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
        stop_process(self.proc, grace=15)  # master got SIGTERM above; this reaps start-fg


def start_postfix(dovecot: Dovecot) -> Postfix:
    return _with_retries(lambda: _start_postfix(dovecot))


def _start_postfix(dovecot: Dovecot) -> Postfix:
    directory = Path(tempfile.mkdtemp(prefix="beatbox-postfix-"))
    os.chmod(directory, 0o755)
    pf = Postfix(directory, free_port(), free_port(), free_port(),
                 {m: free_port() for m in POSTFIX_MECHANISMS})
    (directory / "main.cf").write_text(POSTFIX_MAIN.format(
        d=directory, cert=dovecot.certs.certfile, key=dovecot.certs.keyfile,
        auth=dovecot.auth), encoding="utf-8")
    lines = [f"127.0.0.1:{pf.submission} inet n - n - - smtpd",
             f"127.0.0.1:{pf.smtps} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes",
             f"127.0.0.1:{pf.no_auth} inet n - n - - smtpd -o smtpd_sasl_auth_enable=no"]
    lines += [f"127.0.0.1:{port} inet n - n - - smtpd -o smtpd_sasl_mechanism_filter={mech}"
              for mech, port in pf.by_mechanism.items()]
    (directory / "master.cf").write_text("\n".join(lines) + POSTFIX_SERVICES, encoding="utf-8")
    (directory / "spool").mkdir()
    (directory / "data").mkdir()
    owner = pwd.getpwnam("postfix")
    os.chown(directory / "data", owner.pw_uid, owner.pw_gid)
    binary = shutil.which("postfix") or "/usr/sbin/postfix"
    with open(directory / "postfix.log", "wb") as log:
        subprocess.run([binary, "-c", str(directory), "check"], stdout=log,
                       stderr=subprocess.STDOUT, timeout=60, check=True)
        pf.proc = subprocess.Popen([binary, "-c", str(directory), "start-fg"], stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        for port in (pf.submission, pf.smtps, pf.no_auth, *pf.by_mechanism.values()):
            wait_port("127.0.0.1", port, timeout=30)
    except TimeoutError:
        pf.stop()
        raise RuntimeError("postfix did not start:\n" + pf.log()) from None
    return pf


# --- clamd ---------------------------------------------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class Clamd:
    directory: Path
    socket: str
    proc: subprocess.Popen | None = None

    def stop(self) -> None:
        stop_process(self.proc, grace=15)


def start_clamd() -> Clamd:
    """A private clamd whose only signature is EICAR's (built here with sigtool: no network)."""
    directory = Path(tempfile.mkdtemp(prefix="beatbox-clamd-"))
    (directory / "db").mkdir()
    (directory / "eicar.com").write_bytes(EICAR)
    with open(directory / "db" / "eicar.hdb", "wb") as out:
        subprocess.run(["sigtool", "--md5", str(directory / "eicar.com")], stdout=out,
                       check=True, timeout=60)
    sock = str(directory / "clamd.sock")
    (directory / "clamd.conf").write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {directory / 'db'}\nForeground yes\n"
        f"LogFile {directory / 'clamd.log'}\nStreamMaxLength 60M\n", encoding="utf-8")
    clamd = Clamd(directory, sock)
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    clamd.proc = subprocess.Popen([binary, "-c", str(directory / "clamd.conf")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if os.path.exists(sock):
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(sock)
                    s.sendall(b"zPING\0")
                    if s.recv(16).startswith(b"PONG"):
                        return clamd
            except OSError:
                pass
        time.sleep(0.1)
    clamd.stop()
    raise RuntimeError("clamd did not start")


def make_message(n: int, size: int = 2000, *, virus: bool = False) -> bytes:
    """A plain message (or one with EICAR attached), unique by its number."""
    body = (f"Message number {n}.\r\n" + "x" * 70 + "\r\n") * max(1, size // 90)
    head = (f"From: sender{n}@example.net\r\nTo: fetcher@provider.example\r\n"
            f"Subject: test {n}\r\nMessage-ID: <{n}.{time.time_ns()}@test>\r\n")
    if not virus:
        return (head + "\r\n" + body).encode()
    return (head + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
            "--XX\r\nContent-Type: text/plain\r\n\r\n" + body + "--XX\r\n"
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=eicar.com\r\n\r\n"
            + base64.b64encode(EICAR).decode() + "\r\n--XX--\r\n").encode()
