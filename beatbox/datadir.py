"""Where the box keeps its state, and the generated secrets that live there.

Kept free of Django imports so settings.py can use it before Django is configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("BEATBOX_DATA_DIR", BASE_DIR / "var")).resolve()


def write_private(path: Path, text: str) -> None:
    """Create `path` with mode 0600 from the start (never briefly world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)


def secret_key() -> str:
    """SECRET_KEY from the environment, else from a file generated on first use."""
    if value := os.environ.get("BEATBOX_SECRET_KEY"):
        return value
    path = data_dir() / "secret_key"
    if not path.exists():
        try:
            write_private(path, secrets.token_urlsafe(50) + "\n")
        except FileExistsError:  # another process won the race
            pass
    return path.read_text(encoding="ascii").strip()
