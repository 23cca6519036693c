from __future__ import annotations

import pytest

from tests import peers


@pytest.fixture(scope="session")
def dovecot():
    server = peers.start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def fake_server():
    started: list[peers.FakeServer] = []

    def start(script, **kwargs) -> peers.FakeServer:
        server = peers.FakeServer(script, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server():
    started: list[peers.SmtpServer] = []

    def start(users, **kwargs) -> peers.SmtpServer:
        server = peers.start_smtp(users, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
