"""Sockets with a hard deadline, address policy, TLS and line I/O for the probe.

Every blocking call gets min(per-operation timeout, time left), and a watchdog shuts down every
socket still open when the overall deadline passes, so even a server that drips one byte at a
time, or stalls a TLS handshake, cannot hold a worker past the deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from functools import lru_cache

from .types import Cause, Network, Policy

MAX_LINE = 8192  # longer lines are not POP3/SMTP (RFC 5321 allows 512; be generous)


class ProbeError(Exception):
    def __init__(self, cause: Cause, detail: str = "", raw: str = "") -> None:
        super().__init__(detail or cause.value)
        self.cause = cause
        self.detail = detail
        self.raw = raw


class Deadline:
    """One clock for a whole check, with a watchdog that closes what is still open."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._socks: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._expired = threading.Event()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.end - time.monotonic()

    @property
    def expired(self) -> bool:
        return self._expired.is_set() or self.remaining() <= 0

    def timeout(self, op_timeout: float) -> float:
        left = self.remaining()
        if left <= 0 or self._expired.is_set():
            raise ProbeError(Cause.TIMEOUT, f"overall deadline of {self.seconds:g}s reached")
        return max(0.01, min(op_timeout, left))

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.add(sock)
        if self._expired.is_set():
            _abort(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.discard(sock)

    def _expire(self) -> None:
        self._expired.set()
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            _abort(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _abort(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_allowed(ip_text: str, allowed: Iterable[Network]) -> bool:
    ip = _ip(ip_text)
    if any(ip in net for net in allowed):
        return True
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, policy: Policy, deadline: Deadline) -> list[tuple]:
    """Resolve `host` (with a timeout getaddrinfo lacks) and vet every address it gives.

    One non-global address among the answers refuses the whole target: the check must not be
    a way to reach the box's own LAN. Returns the vetted (family, sockaddr) pairs to connect to.
    """
    result: dict = {}

    def lookup() -> None:
        try:
            result["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            result["error"] = exc

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(deadline.timeout(policy.op_timeout))
    if worker.is_alive():
        raise ProbeError(Cause.TIMEOUT, f"no DNS answer for {host}")
    if "error" in result:
        raise ProbeError(Cause.DNS_FAILURE, f"{host}: {result['error']}")
    seen: list[tuple] = []
    for family, _type, _proto, _canon, sockaddr in result["infos"]:
        if not address_allowed(sockaddr[0], policy.allowed_networks):
            raise ProbeError(
                Cause.FORBIDDEN_ADDRESS, f"{host} resolves to {sockaddr[0]}, not a public address"
            )
        if (family, sockaddr) not in seen:
            seen.append((family, sockaddr))
    if not seen:
        raise ProbeError(Cause.DNS_FAILURE, f"{host}: no address")
    return seen


def connect(addrs: list[tuple], policy: Policy, deadline: Deadline) -> socket.socket:
    """Connect to the first vetted address that answers."""
    last: ProbeError | None = None
    for family, sockaddr in addrs:
        sock = socket.socket(family, socket.SOCK_STREAM)
        deadline.track(sock)
        try:
            sock.settimeout(deadline.timeout(policy.op_timeout))
            sock.connect(sockaddr)
            return sock
        except ConnectionRefusedError:
            last = ProbeError(Cause.REFUSED, f"{sockaddr[0]} port {sockaddr[1]} refused")
        except TimeoutError:
            last = ProbeError(Cause.TIMEOUT, f"{sockaddr[0]} port {sockaddr[1]} did not answer")
        except OSError as exc:
            last = ProbeError(Cause.REFUSED, f"{sockaddr[0]} port {sockaddr[1]}: {exc}")
        deadline.untrack(sock)
        sock.close()
        if deadline.expired:
            raise ProbeError(Cause.TIMEOUT, "overall deadline reached while connecting")
    assert last is not None
    raise last


def tls_context(policy: Policy) -> ssl.SSLContext:
    return _tls_context(policy.cafile)


@lru_cache(maxsize=8)
def _tls_context(cafile: str | None) -> ssl.SSLContext:
    # create_default_context() verifies certificates and host names; the stdlib's *default*
    # for poplib/smtplib does not, which is why we never use their context-less paths.
    # Loading the system CA store costs ~15 ms, so contexts are built once and shared
    # (an SSLContext is safe to use from several threads).
    ctx = ssl.create_default_context()
    if cafile:
        ctx.load_verify_locations(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def classify_tls(exc: BaseException) -> ProbeError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = getattr(exc, "verify_code", None)
        message = getattr(exc, "verify_message", "") or str(exc)
        if code == 10 or "expired" in message:
            return ProbeError(Cause.TLS_EXPIRED, message)
        if code == 62 or "hostname" in message.lower() or "IP address mismatch" in message:
            return ProbeError(Cause.TLS_WRONG_NAME, message)
        return ProbeError(Cause.TLS_UNTRUSTED, message)
    if isinstance(exc, TimeoutError):
        return ProbeError(Cause.TIMEOUT, "TLS handshake did not finish in time")
    if getattr(exc, "reason", "") in PLAINTEXT_REPLIES:
        return ProbeError(Cause.TLS_NOT_SPOKEN, str(exc))
    return ProbeError(Cause.TLS_HANDSHAKE, str(exc) or exc.__class__.__name__)


# What OpenSSL says when the other side answered a ClientHello with plain text.
PLAINTEXT_REPLIES = {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG",
                     "RECORD_LAYER_FAILURE", "UNEXPECTED_RECORD"}
# Ports that expect an SSL handshake first (POP3S, SMTPS).
IMPLICIT_TLS_PORTS = {995, 465}


def hint_ssl_expected(exc: ProbeError, *, port: int, ssl_on: bool) -> None:
    """A plain connection to 995/465 that never got a greeting: SSL is almost surely needed."""
    if not ssl_on and port in IMPLICIT_TLS_PORTS and exc.cause in (
            Cause.TIMEOUT, Cause.CONNECTION_LOST):
        exc.cause = Cause.SSL_EXPECTED


def cert_summary(sock: ssl.SSLSocket) -> str:
    cert = sock.getpeercert() or {}
    subject = ", ".join("=".join(part) for rdn in cert.get("subject", ()) for part in rdn)
    return f"{sock.version()} subject[{subject}] expires[{cert.get('notAfter', '?')}]"


def check_wire_safe(*values: str) -> None:
    """Refuse CR, LF and NUL in anything we put on the wire (poplib would send them as-is)."""
    for value in values:
        if any(ch in value for ch in "\r\n\x00"):
            raise ProbeError(Cause.UNSAFE_INPUT, "a value contains a line break or NUL")


class Conn:
    """A line-oriented client connection (plain or TLS) bound to a deadline."""

    def __init__(self, sock: socket.socket, host: str, policy: Policy, deadline: Deadline):
        self.sock: socket.socket = sock
        self.host = host
        self.policy = policy
        self.deadline = deadline
        self.buf = b""
        self.tls = ""

    def start_tls(self) -> str:
        ctx = tls_context(self.policy)
        self.sock.settimeout(self.deadline.timeout(self.policy.op_timeout))
        try:
            wrapped = ctx.wrap_socket(self.sock, server_hostname=self.host)
        except (ssl.SSLError, ssl.CertificateError, OSError) as exc:
            if self.deadline.expired:
                raise ProbeError(Cause.TIMEOUT, "overall deadline reached during TLS") from exc
            raise classify_tls(exc) from exc
        self.deadline.untrack(self.sock)
        self.deadline.track(wrapped)
        self.sock = wrapped
        self.buf = b""
        self.tls = wrapped.version() or "TLS"
        return cert_summary(wrapped)

    def send_line(self, line: str, *, sensitive: bool = False) -> None:
        check_wire_safe(line)
        data = line.encode("utf-8") + b"\r\n"
        try:
            self.sock.settimeout(self.deadline.timeout(self.policy.op_timeout))
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise ProbeError(Cause.TIMEOUT, "server stopped reading") from exc
        except OSError as exc:
            raise self._lost(exc) from exc

    def read_line(self) -> str:
        return _text(self.read_line_bytes())

    def read_line_bytes(self, max_line: int = MAX_LINE) -> bytes:
        """One line without its CRLF, as bytes (message bodies are not always UTF-8)."""
        while b"\n" not in self.buf:
            if len(self.buf) > max_line:
                raise ProbeError(Cause.PROTOCOL_ERROR, "reply line too long", _text(self.buf[:200]))
            try:
                self.sock.settimeout(self.deadline.timeout(self.policy.op_timeout))
                chunk = self.sock.recv(65536)
            except TimeoutError as exc:
                raise ProbeError(Cause.TIMEOUT, "server did not answer in time",
                                 _text(self.buf)) from exc
            except OSError as exc:
                raise self._lost(exc) from exc
            if not chunk:
                if self.deadline.expired:
                    raise ProbeError(Cause.TIMEOUT, "overall deadline reached", _text(self.buf))
                raise ProbeError(Cause.CONNECTION_LOST, "server closed the connection",
                                 _text(self.buf))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        if len(line) > max_line:
            raise ProbeError(Cause.PROTOCOL_ERROR, "reply line too long", _text(line[:200]))
        return line[:-1] if line.endswith(b"\r") else line

    def _lost(self, exc: OSError) -> ProbeError:
        if self.deadline.expired:
            return ProbeError(Cause.TIMEOUT, "overall deadline reached")
        if isinstance(exc, ssl.SSLError):
            return ProbeError(Cause.TLS_HANDSHAKE, str(exc))
        return ProbeError(Cause.CONNECTION_LOST, str(exc) or exc.__class__.__name__)

    def close(self) -> None:
        self.deadline.untrack(self.sock)
        try:
            self.sock.close()
        except OSError:
            pass


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def open_conn(host: str, port: int, *, implicit_tls: bool, policy: Policy,
              deadline: Deadline, steps: list) -> Conn:
    """Resolve, vet, connect and (for implicit TLS) handshake, recording each step."""
    from .report import timed

    with timed(steps, "resolve") as step:
        addrs = resolve(host, port, policy, deadline)
        step.detail = ", ".join(a[1][0] for a in addrs)
    with timed(steps, "connect") as step:
        sock = connect(addrs, policy, deadline)
        step.detail = f"{sock.getpeername()[0]} port {port}"
    conn = Conn(sock, host, policy, deadline)
    if implicit_tls:
        try:
            with timed(steps, "tls") as step:
                step.detail = conn.start_tls()
        except ProbeError:
            conn.close()
            raise
    return conn
