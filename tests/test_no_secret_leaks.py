"""A sentinel password must never show up in HTML, logs, task arguments or dumps."""

from __future__ import annotations

import base64
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from beatbox.models import AuditEntry
from extmail.models import ConnectionCheck, Linkage, LinkageDraft
from tests.conftest import form_data, run_queued
from tests.peers import TEST_USERS  # noqa: E402

SENTINEL_POP = TEST_USERS["sentinel"]
SENTINEL_SMTP = "Sentinel-SMTP-Päss 7"
ADD_URL = "/beatman/setting/self/extmail/addmail.jsp"


def forms_of(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(),
            secret.encode("unicode_escape").decode(), raw.hex()]


def assert_clean(text: str, where: str) -> None:
    for secret in (SENTINEL_POP, SENTINEL_SMTP):
        for form in forms_of(secret):
            assert form not in text, f"password leaked into {where}"


@pytest.mark.parametrize("pop_ok", [True, False])
def test_sentinel_never_leaks(client, admin_user, mail_peers, task_queue, caplog, pop_ok,
                              django_capture_on_commit_callbacks):
    dovecot, smtp = mail_peers
    smtp.handler.users["mailer"] = SENTINEL_SMTP
    caplog.set_level(logging.DEBUG)
    client.force_login(admin_user)
    bodies: list[tuple[str, str]] = []

    def visit(method: str, url: str, data=None):
        response = getattr(client, method)(url, data or {})
        bodies.append((url, response.content.decode(errors="replace")))
        return response

    visit("get", ADD_URL)
    data = form_data(dovecot, smtp, pop_account="sentinel",
                     pop_password=SENTINEL_POP if pop_ok else SENTINEL_POP + "x",
                     smtp_auth="custom", smtp_account="mailer", smtp_password=SENTINEL_SMTP)
    visit("post", ADD_URL, {**data, "mail_address": "bad address"})  # error re-render
    confirm = visit("post", ADD_URL, data)["Location"]
    visit("get", confirm)
    with django_capture_on_commit_callbacks(execute=True):
        check_url = visit("post", confirm)["Location"]
    for result in task_queue.results:
        assert_clean(repr(result.args) + repr(result.kwargs), "task arguments")
    run_queued(task_queue)
    linkage = Linkage.objects.get()
    assert (linkage.state == "ok") is pop_ok
    assert ConnectionCheck.objects.count() == 1
    visit("get", check_url)
    owner = {"user_pk": admin_user.pk}
    pages = [reverse("extmail:list"), reverse("extmail:mailclient"),
             reverse("extmail:mainaddress"),
             reverse("extmail:change", kwargs={"pk": linkage.pk}),
             reverse("extmail:status", kwargs={"pk": linkage.pk}),
             reverse("extmail:delete", kwargs={"pk": linkage.pk}),
             reverse("extmail_admin:list", kwargs=owner),
             reverse("extmail_admin:status", kwargs={**owner, "pk": linkage.pk}),
             reverse("extmail_admin:change", kwargs={**owner, "pk": linkage.pk}),
             reverse("manage:users"), reverse("manage:audit"),
             reverse("manage:user-edit", kwargs=owner),
             reverse("admin:extmail_linkage_change", args=[linkage.pk]),
             reverse("admin:extmail_linkage_changelist"),
             reverse("admin:extmail_connectioncheck_changelist"),
             reverse("admin:extmail_connectioncheck_change",
                     args=[ConnectionCheck.objects.first().pk]),
             reverse("admin:beatbox_auditentry_changelist"),
             reverse("admin:beatbox_user_change", args=[admin_user.pk])]
    for url in pages:
        response = visit("get", url)
        assert response.status_code == 200, url
    # A change that re-enters the passwords, and an admin-site password replacement.
    change_url = reverse("extmail:change", kwargs={"pk": linkage.pk})
    visit("post", change_url, {**data, "pop_server": "bad:server:x"})  # error re-render
    with django_capture_on_commit_callbacks(execute=True):
        visit("post", reverse("admin:extmail_linkage_change", args=[linkage.pk]),
              {"new_pop_password": SENTINEL_POP, "_save": "1"})
    for result in task_queue.results:
        assert_clean(repr(result.args) + repr(result.kwargs), "task arguments")
    run_queued(task_queue)
    for entry in AuditEntry.objects.all():
        assert_clean(f"{entry.target} {entry.details!r}", "the audit log")
    for url, body in bodies:
        assert_clean(body, f"the page {url}")
    # Every record of the box's own loggers (aiosmtpd's "mail.log" is the fake provider's).
    ours = [r for r in caplog.records if r.name != "mail.log"]
    assert any(r.name == "extmail" for r in ours)
    assert_clean("\n".join(f"{r.getMessage()} {r.args!r}" for r in ours), "the logs")
    out = StringIO()
    call_command("dumpdata", stdout=out)
    assert_clean(out.getvalue(), "dumpdata")
    assert_clean(repr(list(ConnectionCheck.objects.values())), "check reports")
    assert AuditEntry.objects.filter(action="linkage.add").exists()
    # The drafts no longer hold the passwords once the linkage has them.
    assert all(not d.pop_password_enc for d in LinkageDraft.objects.all())
