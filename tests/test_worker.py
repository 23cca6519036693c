"""The check through the real database task backend and `manage.py db_worker`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from extmail.models import Linkage, LinkageState
from tests.conftest import form_data

ADD_URL = "/beatman/setting/self/extmail/addmail.jsp"


@pytest.mark.django_db(transaction=True)
def test_database_backend_and_worker(settings, mail_peers, client, user):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    dovecot, smtp = mail_peers
    client.force_login(user)
    confirm = client.post(ADD_URL, form_data(dovecot, smtp))["Location"]
    client.post(confirm)
    row = DBTaskResult.objects.get()
    # The stored task holds the check id, nothing else.
    assert row.args_kwargs == {"args": [str(Linkage.objects.get().checks.get().pk)],
                               "kwargs": {}}
    call_command("db_worker", "--batch", "--interval", "0")
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert Linkage.objects.get().state == LinkageState.OK
