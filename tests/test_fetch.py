"""Fetching into the local mailbox: real Dovecot as the provider, real clamd, scripted faults."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from extmail import services
from extmail.fetch import runner
from extmail.models import FetchedMessage, FetchState, Linkage, LinkageState, UserNotice
from tests import peers

pytestmark = pytest.mark.timeout(90)


def contents(mailbox: Path) -> list[bytes]:
    return sorted(p.read_bytes() for sub in ("new", "cur") for p in (mailbox / sub).iterdir())


@pytest.fixture
def fetching(settings, dovecot, clamd, tmp_path):
    settings.BEATBOX_CLAMD = clamd.socket
    settings.BEATBOX_PROBE_CAFILE = dovecot.certs.cafile
    settings.BEATBOX_MAILBOX_DIR = tmp_path / "mailboxes"
    dovecot.empty("fetcher")
    return dovecot


def make_linkage(user, *, host="localhost", port=None, account="fetcher", leave=False,
                 dovecot=None, password=None) -> Linkage:
    linkage = Linkage(id=uuid.uuid4(), owner=user, mail_address=f"{account}@provider.example",
                      pop_host=host, pop_port=port or dovecot.pop3, pop_account=account,
                      smtp_host="localhost", smtp_port=25, leave_on_server=leave,
                      state=LinkageState.OK)
    linkage.set_secret("pop_password", password or peers.TEST_USERS.get(account, "x"))
    linkage.save()
    services.create_mailbox(linkage=linkage)
    return Linkage.objects.get(pk=linkage.pk)


def test_fetch_delivers_once_and_empties_server(user, fetching):
    sent = [peers.make_message(n, size=10_000) for n in range(5)]
    for message in sent:
        fetching.deliver("fetcher", message)
    linkage = make_linkage(user, dovecot=fetching)
    outcome = runner.fetch_linkage(linkage.pk)
    assert (outcome.status, outcome.delivered) == ("ok", 5)
    mailbox = Path(linkage.mailbox.path)
    assert contents(mailbox) == sorted(m.replace(b"\r\n", b"\r\n") for m in sent)
    assert fetching.message_count("fetcher") == 0  # 残さない: deleted after delivery
    assert list((mailbox / "tmp").iterdir()) == []
    again = runner.fetch_linkage(linkage.pk)
    assert again.delivered == 0 and len(contents(mailbox)) == 5
    state = FetchState.objects.get(linkage=linkage)
    assert state.last_success_at and state.next_poll_at > state.last_success_at


def test_leave_on_server_fetches_each_message_once(user, fetching):
    fetching.deliver("fetcher", peers.make_message(1))
    linkage = make_linkage(user, dovecot=fetching, leave=True)
    assert runner.fetch_linkage(linkage.pk).delivered == 1
    assert runner.fetch_linkage(linkage.pk).delivered == 0
    assert fetching.message_count("fetcher") == 1  # 残す never deletes
    fetching.deliver("fetcher", peers.make_message(2))
    assert runner.fetch_linkage(linkage.pk).delivered == 1
    assert len(contents(Path(linkage.mailbox.path))) == 2
    assert fetching.message_count("fetcher") == 2


def test_virus_is_quarantined_not_delivered(user, fetching):
    fetching.deliver("fetcher", peers.make_message(1))
    fetching.deliver("fetcher", peers.make_message(2, virus=True))
    linkage = make_linkage(user, dovecot=fetching)
    outcome = runner.fetch_linkage(linkage.pk)
    assert (outcome.delivered, outcome.quarantined) == (1, 1)
    assert all(b"EICAR" not in m for m in contents(Path(linkage.mailbox.path)))
    quarantined = contents(runner.quarantine_dir(linkage))
    assert len(quarantined) == 1 and b"eicar.com" in quarantined[0]
    record = FetchedMessage.objects.get(linkage=linkage, status="quarantined")
    assert "eicar" in record.virus.lower()


def test_scanner_down_delivers_and_deletes_nothing(user, fetching, settings):
    fetching.deliver("fetcher", peers.make_message(1))
    settings.BEATBOX_CLAMD = str(Path(settings.BEATBOX_MAILBOX_DIR) / "no-such.sock")
    linkage = make_linkage(user, dovecot=fetching)
    outcome = runner.fetch_linkage(linkage.pk)
    assert outcome.status == "error" and outcome.error.startswith("clamd unreachable")
    assert contents(Path(linkage.mailbox.path)) == []
    assert fetching.message_count("fetcher") == 1
    state = FetchState.objects.get(linkage=linkage)
    assert state.last_error == "scanner_down" and state.failures == 1
    assert not FetchedMessage.objects.exists()


def test_only_new_mail(user, fetching):
    fetching.deliver("fetcher", peers.make_message(1))
    linkage = make_linkage(user, dovecot=fetching, leave=True)
    FetchState.objects.create(linkage=linkage, only_new=True)
    assert runner.fetch_linkage(linkage.pk).delivered == 0
    assert FetchedMessage.objects.get(linkage=linkage).status == "existing"
    fetching.deliver("fetcher", peers.make_message(2))
    assert runner.fetch_linkage(linkage.pk).delivered == 1
    assert b"number 2." in contents(Path(linkage.mailbox.path))[0]


def test_one_session_per_linkage(user, fetching):
    linkage = make_linkage(user, dovecot=fetching)
    assert runner._acquire(linkage.pk, 60)
    assert runner.fetch_linkage(linkage.pk).status == "busy"
    runner._release(linkage.pk)
    assert runner.fetch_linkage(linkage.pk).status == "ok"


def test_repeated_login_failures_pause_and_tell_once(user, fetching, settings):
    linkage = make_linkage(user, dovecot=fetching, password="wrong")
    for _ in range(4):
        FetchState.objects.filter(linkage=linkage).update(next_poll_at=None)
        outcome = runner.fetch_linkage(linkage.pk)
    assert outcome.status == "paused"
    state = FetchState.objects.get(linkage=linkage)
    assert state.paused and state.login_failures >= 3
    assert list(UserNotice.objects.values_list("kind", flat=True)) == ["fetch_paused"]
    assert linkage.pk not in runner.due_linkages(100)
    # Fixed (the password is corrected): fetching resumes, and the user is told once.
    linkage.set_secret("pop_password", peers.TEST_USERS["fetcher"])
    linkage.save()
    assert runner.fetch_linkage(linkage.pk).status == "ok"
    assert sorted(UserNotice.objects.values_list("kind", flat=True)) == [
        "fetch_paused", "fetch_resumed"]


def test_backoff_doubles(user, fetching, settings):
    settings.BEATBOX_FETCH_INTERVAL = 60
    linkage = make_linkage(user, dovecot=fetching, port=peers.free_port())
    delays = []
    for _ in range(3):
        runner.fetch_linkage(linkage.pk)
        state = FetchState.objects.get(linkage=linkage)
        delays.append((state.next_poll_at - state.last_error_at).total_seconds())
    assert delays[0] < delays[1] < delays[2]
    assert state.last_error == "refused"


def test_due_and_concurrent_rounds(user, fetching, settings):
    fetching.deliver("fetcher", peers.make_message(1))
    fetching.deliver("fetcher2", peers.make_message(2))
    a = make_linkage(user, dovecot=fetching)
    b = make_linkage(user, dovecot=fetching, account="fetcher2")
    assert set(runner.due_linkages(10)) == {a.pk, b.pk}
    # One thread here: the test database is one in-memory transaction (several sessions at
    # once run in test_fetch_crash.py, against a database file, as in production).
    outcomes = runner.fetch_many([a.pk, b.pk], concurrency=1)
    assert [o.delivered for o in outcomes] == [1, 1]
    assert runner.due_linkages(10) == []  # next poll set one interval later


# --- scripted provider faults -------------------------------------------------------------

def fake_pop(messages: dict[int, bytes], *, uidl: dict[int, str] | None = None,
             drop_on: int | None = None, deleted: list | None = None):
    def script(conn):
        conn.sendall(b"+OK fake ready\r\n")
        gone = set()
        while line := peers.recv_line(conn, timeout=10):
            parts = line.split()
            word = parts[0].upper() if parts else b""
            if word == b"CAPA":
                conn.sendall(b"-ERR\r\n")
            elif word in (b"USER", b"PASS"):
                conn.sendall(b"+OK\r\n")
            elif word == b"UIDL":
                if uidl is None:
                    conn.sendall(b"-ERR no UIDL\r\n")
                else:
                    body = "".join(f"{n} {u}\r\n" for n, u in uidl.items() if n not in gone)
                    conn.sendall(b"+OK\r\n" + body.encode() + b".\r\n")
            elif word == b"LIST":
                body = "".join(f"{n} {len(m)}\r\n" for n, m in messages.items() if n not in gone)
                conn.sendall(b"+OK\r\n" + body.encode() + b".\r\n")
            elif word == b"RETR":
                n = int(parts[1])
                if n == drop_on:
                    conn.sendall(b"+OK\r\n" + messages[n][:100])
                    return  # connection dropped mid-message
                conn.sendall(b"+OK\r\n" + messages[n] + b".\r\n")
            elif word == b"DELE":
                gone.add(int(parts[1]))
                conn.sendall(b"+OK\r\n")
            elif word == b"QUIT":
                if deleted is not None:
                    deleted.extend(sorted(gone))
                conn.sendall(b"+OK bye\r\n")
                return
    return script


def test_dropped_message_is_set_aside_after_retries(user, fetching, fake_server, settings):
    msgs = {1: peers.make_message(1), 2: peers.make_message(2), 3: peers.make_message(3)}
    server = fake_server(fake_pop(msgs, uidl={1: "a", 2: "b", 3: "c"}, drop_on=2))
    linkage = make_linkage(user, host="127.0.0.1", port=server.port, leave=True,
                           dovecot=fetching)
    statuses = [runner.fetch_linkage(linkage.pk).status for _ in range(4)]
    assert statuses[:3] == ["error", "error", "error"] and statuses[3] == "ok"
    records = dict(FetchedMessage.objects.values_list("uid", "status"))
    assert records == {"a": "delivered", "b": "set_aside", "c": "delivered"}
    assert len(contents(Path(linkage.mailbox.path))) == 2


def test_server_without_uidl_uses_content(user, fetching, fake_server):
    msgs = {1: peers.make_message(1), 2: peers.make_message(2)}
    deleted: list = []
    server = fake_server(fake_pop(msgs, uidl=None, deleted=deleted))
    linkage = make_linkage(user, host="127.0.0.1", port=server.port, dovecot=fetching)
    assert runner.fetch_linkage(linkage.pk).delivered == 2
    assert deleted == [1, 2]
    # The server "forgot" the deletions (a crash before QUIT elsewhere): no duplicates.
    assert runner.fetch_linkage(linkage.pk).delivered == 0
    assert len(contents(Path(linkage.mailbox.path))) == 2


def test_duplicate_uidls(user, fetching, fake_server):
    msgs = {1: peers.make_message(1), 2: peers.make_message(2), 3: peers.make_message(3)}
    server = fake_server(fake_pop(msgs, uidl={1: "same", 2: "same", 3: "other"}))
    linkage = make_linkage(user, host="127.0.0.1", port=server.port, dovecot=fetching)
    assert runner.fetch_linkage(linkage.pk).delivered == 3
    assert runner.fetch_linkage(linkage.pk).delivered == 0
    assert len(contents(Path(linkage.mailbox.path))) == 3


def test_hanging_server_is_cut_at_the_deadline(user, fetching, fake_server, settings):
    settings.BEATBOX_FETCH_DEADLINE = 2
    settings.BEATBOX_PROBE_TIMEOUT = 1
    server = fake_server(lambda c: time.sleep(20))
    linkage = make_linkage(user, host="127.0.0.1", port=server.port, dovecot=fetching)
    start = time.monotonic()
    outcome = runner.fetch_linkage(linkage.pk)
    assert outcome.status == "error" and outcome.error == "timeout"
    assert time.monotonic() - start < 4


# --- 状況確認, 今すぐ受信, notices -----------------------------------------------------------

def test_status_page_receive_now_and_counts(user_client, user, fetching, task_queue,
                                           django_capture_on_commit_callbacks):
    from django.urls import reverse

    fetching.deliver("fetcher", peers.make_message(1))
    fetching.deliver("fetcher", peers.make_message(2, virus=True))
    linkage = make_linkage(user, dovecot=fetching)
    status = reverse("extmail:status", kwargs={"pk": linkage.pk})
    assert "今すぐ受信" in user_client.get(status).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(reverse("extmail:fetch", kwargs={"pk": linkage.pk}))
    assert response["Location"] == status
    [queued] = task_queue.results
    assert queued.task.name == "fetch_linkages" and queued.args == [[str(linkage.pk)]]
    from tests.conftest import run_queued

    assert run_queued(task_queue) == [["ok"]]
    html = user_client.get(status).content.decode()
    assert 'id="fetch-counts">1 / 1<' in html and 'id="fetch-quarantined">1<' in html


def test_only_new_mail_choice(user_client, user, fetching):
    from django.urls import reverse

    fetching.deliver("fetcher", peers.make_message(1))
    linkage = make_linkage(user, dovecot=fetching, leave=True)
    user_client.post(reverse("extmail:only-new", kwargs={"pk": linkage.pk}))
    assert FetchState.objects.get(linkage=linkage).only_new
    assert runner.fetch_linkage(linkage.pk).delivered == 0
    # Too late once mail was received: the choice is refused.
    response = user_client.post(reverse("extmail:only-new", kwargs={"pk": linkage.pk}),
                                follow=True)
    assert "選べません" in response.content.decode()


def test_notice_is_shown_once(user_client, user):
    UserNotice.objects.create(user=user, kind="fetch_paused",
                              params={"address": "x@provider.example"})
    first = user_client.get("/beatman/").content.decode()
    assert "x@provider.example" in first and "停止" in first
    assert "x@provider.example" not in user_client.get("/beatman/").content.decode()


def test_scheduler_queues_due_rounds(user, fetching, task_queue):
    from extmail.management.commands.run_scheduler import queue_due_round

    linkage = make_linkage(user, dovecot=fetching)
    assert queue_due_round() == 1
    assert task_queue.results[0].args == [[str(linkage.pk)]]
    assert queue_due_round() == 0  # not due again until the interval has passed


def test_drip_feeding_server_is_cut_at_the_deadline(user, fetching, fake_server, settings):
    settings.BEATBOX_FETCH_DEADLINE = 2
    settings.BEATBOX_PROBE_TIMEOUT = 1

    def drip(conn):
        for ch in b"+OK ready" + b" " * 100:
            conn.sendall(bytes([ch]))
            time.sleep(0.2)

    server = fake_server(drip)
    linkage = make_linkage(user, host="127.0.0.1", port=server.port, dovecot=fetching)
    start = time.monotonic()
    assert runner.fetch_linkage(linkage.pk).error == "timeout"
    assert time.monotonic() - start < 4
    assert FetchState.objects.get(linkage=linkage).next_poll_at is not None  # backs off
