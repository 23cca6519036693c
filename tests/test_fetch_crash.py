"""A real fetcher process killed (SIGKILL) at every point of a message's way into the box,
then a normal run: every message exactly once in the mailbox, and the server emptied (残さない).
Runs against a database file, as in production (separate processes)."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import peers
from tests.stack import ROOT

pytestmark = [pytest.mark.timeout(300), pytest.mark.peers]

POINTS = ["before_retr", "during_retr", "after_scan", "after_tmp", "after_new",
          "after_commit", "after_dele", "before_quit"]

SETUP = """
import uuid
from beatbox.models import User
from extmail import services
from extmail.models import Linkage
user = User.objects.create_user("crash", "Crash-pass-1")
ids = []
for account in ("fetcher", "fetcher2"):
    lk = Linkage(id=uuid.uuid4(), owner=user, mail_address=account + "@provider.example",
                 pop_host="localhost", pop_port={port}, pop_account=account,
                 smtp_host="localhost", smtp_port=25, state="ok")
    lk.set_secret("pop_password", {passwords}[account])
    lk.save()
    services.create_mailbox(linkage=lk)
    ids.append(str(lk.pk))
print(" ".join(ids))
"""


@pytest.fixture(scope="module")
def box(dovecot, clamd):
    data = Path(tempfile.mkdtemp(prefix="beatbox-crash-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEATBOX_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="beatbox.settings", BEATBOX_DATA_DIR=str(data),
               BEATBOX_CREDENTIAL_KEYS=base64.urlsafe_b64encode(
                   secrets.token_bytes(32)).decode(),
               BEATBOX_CLAMD=clamd.socket, BEATBOX_PROBE_CAFILE=dovecot.certs.cafile,
               BEATBOX_PROBE_ALLOWED_NETWORKS="127.0.0.0/8", BEATBOX_LOG_LEVEL="WARNING")

    def manage(*args, extra=None, check=True):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT,
                              env={**env, **(extra or {})}, capture_output=True, text=True,
                              timeout=120, check=check)

    manage("migrate", "--noinput")
    passwords = {k: peers.TEST_USERS[k] for k in ("fetcher", "fetcher2")}
    out = manage("shell", "-c", SETUP.format(port=dovecot.pop3, passwords=passwords)).stdout
    ids = out.strip().splitlines()[-1].split()  # (the shell may print a banner first)
    return manage, ids, data


def mailbox_contents(data: Path, linkage_id: str) -> list[bytes]:
    root = data / "mailboxes" / linkage_id
    return sorted(p.read_bytes() for sub in ("new", "cur") for p in (root / sub).iterdir())


@pytest.mark.parametrize("point", POINTS)
def test_crash_then_normal_run_loses_and_duplicates_nothing(box, dovecot, point):
    manage, (linkage_id, _other), data = box
    root = data / "mailboxes" / linkage_id
    for sub in ("new", "cur", "tmp"):
        for path in (root / sub).iterdir():
            path.unlink()
    dovecot.empty("fetcher")
    sent = sorted(peers.make_message(n, size=6000) for n in range(3))
    for message in sent:
        dovecot.deliver("fetcher", message)
    crashed = manage("fetch_now", linkage_id, extra={"BEATBOX_FETCH_CRASH_AT": point},
                     check=False)
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    normal = manage("fetch_now", linkage_id)
    assert normal.stdout.startswith("ok"), normal.stdout + normal.stderr
    assert mailbox_contents(data, linkage_id) == sent  # each exactly once, none lost
    assert dovecot.message_count("fetcher") == 0
    assert list((root / "tmp").iterdir()) == []  # a half-written tmp file is cleaned up


def test_several_sessions_at_once(box, dovecot):
    """Two linkages fetched in parallel threads against the database file (the cap)."""
    manage, ids, data = box
    for account in ("fetcher", "fetcher2"):
        dovecot.empty(account)
        dovecot.deliver(account, peers.make_message(hash(account) % 1000))
    code = ("from extmail.fetch.runner import fetch_many\n"
            f"print([o.delivered for o in fetch_many({ids!r}, concurrency=2)])")
    out = manage("shell", "-c", code).stdout
    assert out.strip().splitlines()[-1] == "[1, 1]"
    assert dovecot.message_count("fetcher") == dovecot.message_count("fetcher2") == 0
