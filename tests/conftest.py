from __future__ import annotations

import pytest

from tests import peers


@pytest.fixture(scope="session")
def dovecot():
    server = peers.start_dovecot()
    yield server
    server.stop()


def _starter(factory):
    """A fixture body: start servers with `factory` on demand, stop each one afterwards."""
    started: list = []

    def start(*args, **kwargs):
        server = factory(*args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def fake_server():
    yield from _starter(peers.FakeServer)


@pytest.fixture
def smtp_server():
    yield from _starter(peers.start_smtp)


@pytest.fixture
def task_queue():
    """The recording task backend (DummyBackend): what was enqueued, and a way to run it."""
    from django_tasks import default_task_backend

    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def run_queued(queue) -> list:
    """Run every enqueued task the way the worker would; returns their return values."""
    pending = list(queue.results)
    queue.clear()  # tasks these enqueue (a next chunk, say) stay queued for the next call
    return [r.task.call(*r.args, **r.kwargs) for r in pending]


@pytest.fixture
def user(db):
    from beatbox.models import User

    return User.objects.create_user("taro", "box-pass-123", name="富士 太郎",
                                    furigana="ふじ たろう")


@pytest.fixture
def other_user(db):
    from beatbox.models import User

    return User.objects.create_user("hanako", "box-pass-456", name="富士 花子")


@pytest.fixture
def admin_user(db):
    from beatbox.models import User

    return User.objects.create_superuser("boss", "box-pass-789", name="責任者")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def mail_peers(dovecot, smtp_server, settings):
    """A provider on loopback: Dovecot for POP, aiosmtpd (STARTTLS + AUTH) for SMTP."""
    settings.BEATBOX_PROBE_CAFILE = dovecot.certs.cafile
    smtp = smtp_server({"taro": "Secr3t pass "}, certs=dovecot.certs, starttls=True)
    return dovecot, smtp


def form_data(dovecot=None, smtp=None, **overrides) -> dict:
    data = {
        "mail_address": "taro@example.co.jp",
        "pop_server": f"localhost:{dovecot.pop3}" if dovecot else "pop.example.co.jp",
        "pop_account": "taro",
        "pop_password": "Secr3t pass ",
        "pop_auth": "auto",
        "leave_on_server": "0",
        "pop_ssl": "0",
        "smtp_server": f"localhost:{smtp.port}" if smtp else "smtp.example.co.jp:587",
        "smtp_auth": "default",
        "smtp_account": "",
        "smtp_password": "",
        "smtp_ssl": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="session")
def postfix(dovecot):
    server = peers.start_postfix(dovecot)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def clamd():
    server = peers.start_clamd()
    yield server
    server.stop()
