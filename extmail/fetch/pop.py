"""A POP3 session for fetching (UIDL, LIST, RETR, DELE), on the probe's deadline-bound
connection. No Django here."""

from __future__ import annotations

from ..probe.net import Conn, Deadline, ProbeError
from ..probe.pop3 import command, connect_and_login, read_multiline
from ..probe.types import Cause, Policy, PopResult, PopSettings

MAX_BODY_LINE = 1024 * 1024


class PopSession:
    def __init__(self, settings: PopSettings, policy: Policy, deadline: Deadline) -> None:
        self.settings = settings
        self.policy = policy
        self.deadline = deadline
        self.conn: Conn | None = None
        self.login_result = PopResult()

    def open(self) -> None:
        self.conn = connect_and_login(self.settings, self.policy, self.deadline,
                                      self.login_result)

    def _cmd(self, line: str) -> str:
        assert self.conn is not None
        ok, reply = command(self.conn, line)
        if not ok:
            raise ProbeError(Cause.PROTOCOL_ERROR, f"{line.split()[0]} refused", reply)
        return reply

    def uidl(self) -> list[tuple[int, str]] | None:
        """(message number, unique id) for every message, or None without UIDL."""
        assert self.conn is not None
        ok, _reply = command(self.conn, "UIDL")
        if not ok:
            return None
        out = []
        for line in read_multiline(self.conn):
            number, _, uid = line.partition(" ")
            if number.isdigit() and uid.strip():
                out.append((int(number), uid.strip()))
        return out

    def sizes(self) -> dict[int, int]:
        self._cmd("LIST")
        assert self.conn is not None
        out = {}
        for line in read_multiline(self.conn):
            number, _, size = line.partition(" ")
            if number.isdigit() and size.strip().isdigit():
                out[int(number)] = int(size.strip())
        return out

    def retr(self, number: int, max_bytes: int, crash=None) -> bytes:
        """The message, dot-unstuffed, with CRLF line ends; refuses to grow past max_bytes."""
        self._cmd(f"RETR {number}")
        assert self.conn is not None
        lines: list[bytes] = []
        total = 0
        while True:
            if crash and len(lines) == 3:
                crash("during_retr")
            line = self.conn.read_line_bytes(max_line=MAX_BODY_LINE)
            if line == b".":
                return b"\r\n".join(lines) + b"\r\n" if lines else b""
            if line.startswith(b".."):
                line = line[1:]
            total += len(line) + 2
            if total > max_bytes:
                raise ProbeError(Cause.PROTOCOL_ERROR, "message larger than announced")
            lines.append(line)

    def dele(self, number: int) -> None:
        self._cmd(f"DELE {number}")

    def quit(self) -> None:
        """QUIT commits the DELEs on the server (RFC 1939 UPDATE state)."""
        if self.conn is not None:
            self._cmd("QUIT")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
