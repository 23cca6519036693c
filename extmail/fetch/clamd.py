"""clamd INSTREAM client. No Django here. Any doubt is an error: the caller fails closed."""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass

CHUNK = 64 * 1024


class Verdict(enum.StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    detail: str = ""  # the signature name, or what went wrong


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def scan(data: bytes, *, address: str, timeout: float = 30.0) -> ScanResult:
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(data), CHUNK):
                part = view[start:start + CHUNK]
                sock.sendall(struct.pack(">I", len(part)) + part)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
    except (OSError, ValueError) as exc:
        return ScanResult(Verdict.ERROR, f"clamd unreachable: {exc.__class__.__name__}")
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" FOUND"):
        name = text.removeprefix("stream:").removesuffix(" FOUND").strip()
        return ScanResult(Verdict.INFECTED, name)
    if text == "stream: OK":
        return ScanResult(Verdict.CLEAN)
    return ScanResult(Verdict.ERROR, text[:200] or "no answer from clamd")
