"""Maildir delivery that survives a crash at any point. No Django here.

A message's file name is derived from (linkage, message id), so delivering the same message
again after a crash finds it already there instead of making a second copy — in new/, or in
cur/ where a mail client moved it (with ":2,flags" appended).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def message_name(linkage_id: str, uid: str) -> str:
    digest = hashlib.sha256(f"{linkage_id}\0{uid}".encode()).hexdigest()[:40]
    return f"{digest}.beat-box"


def ensure(root: Path) -> None:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


def already_delivered(root: Path, name: str) -> bool:
    if (root / "new" / name).exists():
        return True
    cur = root / "cur"
    return (cur / name).exists() or any(cur.glob(f"{name}:*"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def deliver(root: Path, name: str, data: bytes, *, crash=None) -> Path:
    """tmp/ → fsync → rename into new/ → fsync new/. Idempotent for the same name."""
    ensure(root)
    final = root / "new" / name
    if already_delivered(root, name):
        return final
    tmp = root / "tmp" / name
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb", closefd=False) as fh:
            fh.write(data)
            fh.flush()
        os.fsync(fd)
    finally:
        os.close(fd)
    if crash:
        crash("after_tmp")
    os.rename(tmp, final)
    _fsync_dir(root / "new")
    _fsync_dir(root / "tmp")
    if crash:
        crash("after_new")
    return final
